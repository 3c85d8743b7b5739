#!/usr/bin/env bash
# podman-up.sh WORKDIR — give an engine-less Debian 12 machine (root, no Docker daemon, no
# registry) a Docker-compatible API that docker-compose v1 can drive: rootful podman.
#
#   eval "$(scripts/compose/podman-up.sh /tmp/kubemu-podman)"   # exports DOCKER_HOST
#   docker-compose up -d …
#   scripts/compose/podman-down.sh /tmp/kubemu-podman            # stops what this started, by pid
#
# What it does (see shared research notes, compose-feasibility.md, for why each is needed):
#   1. /etc/containers/containers.conf.d/50-kubemu.conf: default rlimits no higher than what this
#      shell holds (root here lacks CAP_SYS_RESOURCE: podman's defaults fail with "error setting
#      rlimits"), and runc as the OCI runtime (crun refuses this machine's hybrid cgroup layout);
#   2. the stand-in base images (stand-in-images.sh), unless they exist;
#   3. `podman system service` on WORKDIR/podman.sock and the health pump (health-pump.sh), each in
#      the background with its pid in WORKDIR/<name>.pid and its output in WORKDIR/<name>.log.
# Needs root and the packages podman, runc, catatonit, docker-compose, debootstrap. Prints only
# the export line on stdout (progress goes to stderr). Refuses to start a second service in a
# WORKDIR whose recorded one still runs.
set -euo pipefail
W=${1:?usage: podman-up.sh WORKDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$W"
W=$(cd "$W" && pwd)
say() { echo "podman-up: $*" >&2; }

[ "$(id -u)" -eq 0 ] || { say "needs root (rootful podman)"; exit 1; }
for tool in podman runc catatonit docker-compose debootstrap; do
  command -v "$tool" >/dev/null || [ -x "/usr/libexec/podman/$tool" ] || { say "$tool is missing: apt-get install podman runc catatonit docker-compose debootstrap"; exit 1; }
done

# podman itself runs with at most 32768 processes (measured: its service lowers RLIMIT_NPROC to
# that), and a container cannot be given more than its runtime holds.
nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
[ "$nofile" = unlimited ] && nofile=1048576
{ [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
mkdir -p /etc/containers/containers.conf.d
cat >/etc/containers/containers.conf.d/50-kubemu.conf <<CONF
# written by kubemu scripts/compose/podman-up.sh
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]

[engine]
runtime = "runc"
CONF
say "podman configured (ulimits nofile=${nofile} nproc=${nproc}, runtime runc)"

"$here/stand-in-images.sh" >&2

running() { [ -f "$W/$1.pid" ] && kill -0 "$(cat "$W/$1.pid")" 2>/dev/null; }
if running podman-service; then say "a podman service already runs for $W (pid $(cat "$W/podman-service.pid"))"; exit 1; fi
rm -f "$W/podman.sock"
setsid podman system service --time=0 "unix://$W/podman.sock" >"$W/podman-service.log" 2>&1 </dev/null &
echo $! >"$W/podman-service.pid"
setsid "$here/health-pump.sh" 2 >"$W/health-pump.log" 2>&1 </dev/null &
echo $! >"$W/health-pump.pid"
for _ in $(seq 100); do
  [ -S "$W/podman.sock" ] && break
  sleep 0.2
done
[ -S "$W/podman.sock" ] || { say "podman service did not open $W/podman.sock:"; tail -5 "$W/podman-service.log" >&2; exit 1; }
say "podman service pid $(cat "$W/podman-service.pid"), health pump pid $(cat "$W/health-pump.pid")"
echo "export DOCKER_HOST=unix://$W/podman.sock"
