#!/usr/bin/env bash
# health-pump.sh [INTERVAL_SECONDS] — run podman's container healthchecks by hand, forever.
#
# Podman 4.3 schedules healthchecks with systemd timers; without systemd (these machines) they
# never run, containers stay `health: starting`, and docker-compose waits forever on
# `depends_on: condition: service_healthy`. This loop is the missing timer: every INTERVAL
# (default 2 s) it runs the check of every container still starting or unhealthy, and every fifth
# round those already healthy too (so `ps` stays truthful without a process storm on 2 cores).
# It only runs `podman healthcheck run`; it starts, stops and changes nothing else. Stop it by
# its pid (podman-down.sh does); it has no other way to end.
set -u
interval=${1:-2}
round=0
while :; do
  states="--filter health=starting --filter health=unhealthy"
  if [ $((round % 5)) -eq 0 ]; then states="$states --filter health=healthy"; fi
  # shellcheck disable=SC2086 # the filters are separate words on purpose
  for c in $(podman ps -q $states 2>/dev/null); do
    podman healthcheck run "$c" >/dev/null 2>&1 || true
  done
  round=$((round + 1))
  sleep "$interval"
done
