#!/usr/bin/env bash
# Stops exactly the processes ./start-all.sh started, by their pidfiles in run/:
# terminate, wait, then kill. Data (bookings in data/redis) is kept. Takes the same
# STACK_DIR as ./start-all.sh. Given names (e.g. `nats edge-server-3000
# booking-service-8081`), it stops only those, still front to back.
set -euo pipefail
source "$(dirname "$0")/scripts/lib.sh"
cd "$PROJECT_ROOT"

RUN_DIR="${STACK_DIR:-$PROJECT_ROOT}/run"
GRACE_SECONDS=10

# stop_one PIDFILE: terminate the process it names, wait, kill if it lingers.
stop_one() {
  local pidfile="$1" name pid deadline
  name="$(basename "$pidfile" .pid)"
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    return 0
  fi
  pid="$(sed -n 1p "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + GRACE_SECONDS))
  while process_running "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
  if process_running "$pid"; then
    say "$name did not stop within ${GRACE_SECONDS}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  say "stopped $name"
}

# wanted NAME: true when NAME is one of the names given (or none were given).
wanted() {
  local name
  [ "$#" -gt 1 ] || return 0
  for name in "${@:2}"; do [ "$name" = "$1" ] && return 0; done
  return 1
}

stopped=0
# Front to back, so no request finds its upstream gone.
for name in nginx 'edge-server-*' 'booking-service*' nats redis; do
  for pidfile in "$RUN_DIR"/$name.pid; do
    [ -e "$pidfile" ] || continue
    wanted "$(basename "$pidfile" .pid)" "$@" || continue
    stop_one "$pidfile"
    stopped=1
  done
done
[ "$stopped" -eq 1 ] || say "nothing to stop"
