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

# started PID: when PID started (clock ticks since boot), to tell it from a later
# process that got the same pid.
started() {
  sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

# children PID: PID's child processes (a booking service's workers) as pid:start.
children() {
  local kid
  for kid in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    printf '%s:%s\n' "$kid" "$(started "$kid")"
  done
}

# still_running PID:START...: the pids of those that still run as the same process.
still_running() {
  local entry
  for entry in "$@"; do
    if process_running "${entry%%:*}" && [ "$(started "${entry%%:*}")" = "${entry#*:}" ]; then
      echo "${entry%%:*}"
    fi
  done
}

# terminate PID...: terminate the processes, wait, kill those that linger; prints the
# pids it had to kill.
terminate() {
  local pid deadline lingering
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$((SECONDS + GRACE_SECONDS))
  for pid in "$@"; do
    while process_running "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.05; done
  done
  lingering=()
  for pid in "$@"; do process_running "$pid" && lingering+=("$pid"); done
  [ "${#lingering[@]}" -gt 0 ] || return 0
  kill -KILL "${lingering[@]}" 2>/dev/null || true
  echo "${lingering[*]}"
}

# stop_one PIDFILE: terminate the process it names, wait, kill if it lingers. Its
# children (noted while it is known to be ours) are normally stopped by it; any it
# leaves behind are stopped the same way, so none keeps the port.
stop_one() {
  local pidfile="$1" name pid killed kids
  name="$(basename "$pidfile" .pid)"
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    return 0
  fi
  pid="$(sed -n 1p "$pidfile")"
  kids="$(children "$pid")"
  killed="$(terminate "$pid")"
  [ -z "$killed" ] || say "$name did not stop within ${GRACE_SECONDS}s; killed it"
  # shellcheck disable=SC2086 # one word per process
  kids="$(still_running $kids)"
  if [ -n "$kids" ]; then
    # shellcheck disable=SC2086
    killed="$(terminate $kids)"
    say "$name left workers behind; stopped them${killed:+ (killed $killed)}"
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
