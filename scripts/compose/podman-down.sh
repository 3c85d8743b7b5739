#!/usr/bin/env bash
# podman-down.sh WORKDIR — stop what podman-up.sh started there: the health pump and the podman
# service, by the pids it recorded (a pid whose command line is no longer ours is left alone).
# SIGTERM, then SIGKILL after 10 s; each was started in its own process group (setsid), so the
# group goes too (a healthcheck in flight). Containers are not touched: `docker-compose down` is
# the caller's job, before this. Safe to run twice.
set -uo pipefail
W=${1:?usage: podman-down.sh WORKDIR}
ours() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q "$2"; }
for name in health-pump podman-service; do
  f="$W/$name.pid"
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  case $name in health-pump) mark=health-pump.sh ;; *) mark="system service" ;; esac
  if kill -0 "$pid" 2>/dev/null && ours "$pid" "$mark"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null; fi
    echo "podman-down: stopped $name (pid $pid)" >&2
  fi
  rm -f "$f"
done
rm -f "$W/podman.sock"
