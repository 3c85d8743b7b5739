#!/usr/bin/env bash
# stand-in-images.sh [CACHE_DIR] — build, in local podman storage, images named like the ones
# docker-compose.yml and the Dockerfile use (`nats:2.10-alpine`, `node:20-slim`) on a machine that
# cannot reach any container registry (only Debian's mirror and npm's). The files users run stay
# unchanged: `image: nats:2.10-alpine` and `FROM node:20-slim` resolve from local storage.
#
# Contract:
#   - both images come from one debootstrap'd Debian 12 (minbase), cached in CACHE_DIR
#     (default /var/cache/kubemu-compose); an image that already exists is left alone, so a
#     second run costs nothing (KUBEMU_STANDIN_REBUILD=1 rebuilds both);
#   - nats stand-in: Debian's nats-server (2.9.x, not 2.10) and wget (the healthcheck's tool), with
#     the official image's entrypoint behaviour (arguments starting with `-` go to nats-server);
#   - node stand-in: this machine's own node 20 and npm, plus a `node` user (uid/gid 1000), as in
#     the official image, so the Dockerfile's `USER node` means the same in both;
#   - needs root, debootstrap and podman; never pulls from a registry; prints what it does.
set -euo pipefail
CACHE=${1:-/var/cache/kubemu-compose}
NATS_IMAGE=docker.io/library/nats:2.10-alpine
NODE_IMAGE=docker.io/library/node:20-slim
mkdir -p "$CACHE"
cd "$CACHE"

have() { [ "${KUBEMU_STANDIN_REBUILD:-0}" != 1 ] && podman image exists "$1"; }

if have "$NATS_IMAGE" && have "$NODE_IMAGE"; then
  echo "stand-in images present: $NATS_IMAGE, $NODE_IMAGE"
  exit 0
fi

if [ ! -f rootfs/.complete ]; then
  rm -rf rootfs
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  echo "debootstrap bookworm (minbase) from ${mirror:-http://deb.debian.org/debian}"
  debootstrap --variant=minbase bookworm rootfs "${mirror:-http://deb.debian.org/debian}" >debootstrap.log 2>&1 ||
    { tail -20 debootstrap.log >&2; exit 1; }
  touch rootfs/.complete
fi

if ! have "$NATS_IMAGE"; then
  echo "building stand-in $NATS_IMAGE"
  rm -rf rootfs-nats
  cp -a rootfs rootfs-nats
  # the chroot resolves the mirror through the host's resolver
  cp /etc/resolv.conf rootfs-nats/etc/resolv.conf
  chroot rootfs-nats sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends nats-server wget >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*'
  printf '#!/bin/sh\nset -e\nif [ "${1#-}" != "$1" ]; then set -- nats-server "$@"; fi\nexec "$@"\n' >rootfs-nats/usr/local/bin/docker-entrypoint.sh
  chmod +x rootfs-nats/usr/local/bin/docker-entrypoint.sh
  rm -f rootfs-nats/.complete
  tar -C rootfs-nats -c . | podman import -q \
    --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
    --change 'CMD ["nats-server", "--config", "/etc/nats/nats-server.conf"]' \
    - "$NATS_IMAGE" >/dev/null
  rm -rf rootfs-nats
fi

if ! have "$NODE_IMAGE"; then
  echo "building stand-in $NODE_IMAGE (node $(node --version) from this machine)"
  rm -rf rootfs-node
  cp -a rootfs rootfs-node
  cp "$(command -v node)" rootfs-node/usr/local/bin/node
  mkdir -p rootfs-node/usr/local/lib/node_modules
  cp -a "$(dirname "$(readlink -f "$(command -v npm)")")/.." rootfs-node/usr/local/lib/node_modules/npm
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js rootfs-node/usr/local/bin/npm
  chroot rootfs-node sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  rm -f rootfs-node/.complete
  tar -C rootfs-node -c . | podman import -q --change 'CMD ["node"]' - "$NODE_IMAGE" >/dev/null
  rm -rf rootfs-node
fi
echo "stand-in images ready: $NATS_IMAGE, $NODE_IMAGE"
