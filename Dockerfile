# One image for every kubemu process (nats-server excepted: compose runs the official nats image).
#
# Built from what `npm ci && npm run build` left on the host — dist/ and node_modules/ — because
# the build must work where no registry but npm's is reachable through the host's own trust
# store (see README, "docker compose"). The first stage drops the dev dependencies (offline: the
# lockfile says what to keep); the final stage only copies, so it holds compiled JavaScript and
# the four runtime packages on node:20-slim.
#
# Runs as the image's `node` user. The node containers (kubelet + kube-proxy) run as root instead
# (docker-compose.yml says so): pods get Linux namespaces through `unshare`, which needs root and
# CAP_SYS_ADMIN; unprivileged, the kubelet runs pods as plain processes and says so.
# No init inside: compose's `init: true` puts tini (Docker) or catatonit (podman) in front as
# PID 1, so SIGTERM reaches Node and zombies are reaped.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY node_modules ./node_modules
RUN npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error \
 && find node_modules -depth -type d -empty -delete
COPY dist ./dist
# The dashboard's pages (the api-server serves them from the checkout's services/api-server/web);
# services/ is also how the kubemu CLI recognises its root.
COPY services ./services
RUN test -f dist/services/kubemu/main.js || { echo 'dist/ is missing or incomplete: run `npm ci && npm run build` first' >&2; exit 1; } \
 && find dist -name '*.tsbuildinfo' -delete

FROM node:20-slim
ENV NODE_ENV=production \
    KUBEMU_NATS=nats://127.0.0.1:4222
WORKDIR /app
COPY --from=build /app /app
USER node
CMD ["node", "dist/services/kubemu/main.js", "--help"]
