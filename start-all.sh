#!/usr/bin/env bash
# Starts the whole stack natively: Redis (AOF), NATS, the booking service (two
# processes behind NGINX), two edge servers and NGINX, then prints the URL. Sets everything up first on a fresh machine.
# Running it again while the stack runs starts nothing twice. Stop with ./stop-all.sh.
#
# Ports and settings come from the environment (defaults in brackets):
#   HTTP_PORT [80, or 8000 when not root]  BOOKING_PORT [8080]  EDGE_PORTS ["3000 3001"]
#   BOOKING_PROCESSES [2]: booking-service processes, on BOOKING_PORT and the ports
#   right after it; NGINX spreads requests over them, edge number i talks to process i
#   (round the list)
#   REDIS_PORT [6379]  NATS_PORT [4222]  NATS_MONITOR_PORT [8222]  HOLD_SECONDS [30]
#   WORKERS [1]: uvicorn worker processes of each booking-service process, sharing its
#   port (one pidfile: the parent, which starts and stops them)
#   ALLOW_TOKENLESS_WRITES [true]: false refuses seed-style writes without a session
#   DEFAULT_PLAN [the 10x10 hall]: the shipped plan (venues/<name>.json) of the default
#   event when it is first created; ADMIN_TOKEN [made into data/admin_token]: the
#   operator token of /api/admin and python -m booking_service.admin
#   STACK_DIR [the project folder]: where data/, logs/ and run/ (pidfiles) live
#
# Redis and NATS require passwords, made on the first start into data/credentials/
# (0600; see scripts/credentials.py): the booking service has its own Redis account
# (no CONFIG, DEBUG or FLUSHALL; the default user is the operator's, behind
# redis-admin.password) and is the only one who may publish seat events; the edges may
# only listen. Edges accept WebSockets only from
# pages NGINX serves (ALLOWED_ORIGINS). If any step fails, whatever this run started is
# stopped again.
set -euo pipefail
source "$(dirname "$0")/scripts/lib.sh"
cd "$PROJECT_ROOT"

if [ -z "${HTTP_PORT:-}" ]; then
  if is_root; then HTTP_PORT=80; else
    HTTP_PORT=8000
    say "not root, so NGINX listens on $HTTP_PORT (ports below 1024 need root; set HTTP_PORT to choose)"
  fi
fi
BOOKING_PORT="${BOOKING_PORT:-8080}"
BOOKING_PROCESSES="${BOOKING_PROCESSES:-2}"
EDGE_PORTS="${EDGE_PORTS:-3000 3001}"
REDIS_PORT="${REDIS_PORT:-6379}"
NATS_PORT="${NATS_PORT:-4222}"
NATS_MONITOR_PORT="${NATS_MONITOR_PORT:-8222}"
# Two workers serve the seat commands faster than one on two cores (see the README's
# benchmarks); each is a whole booking service.
WORKERS="${WORKERS:-1}"
STACK_DIR="${STACK_DIR:-$PROJECT_ROOT}"
DATA_DIR="$STACK_DIR/data"
LOG_DIR="$STACK_DIR/logs"
RUN_DIR="$STACK_DIR/run"
STARTUP_SECONDS=30

[[ "$BOOKING_PORT" =~ ^[1-9][0-9]{0,4}$ ]] || fail "BOOKING_PORT must be a port number, got '$BOOKING_PORT'"
[[ "$BOOKING_PROCESSES" =~ ^[1-9][0-9]?$ ]] ||
  fail "BOOKING_PROCESSES must be a number from 1 to 99, got '$BOOKING_PROCESSES'"
BOOKING_PORTS=()
for ((i = 0; i < BOOKING_PROCESSES; i++)); do BOOKING_PORTS+=("$((BOOKING_PORT + i))"); done
[ "${BOOKING_PORTS[-1]}" -le 65535 ] || fail "BOOKING_PORT + BOOKING_PROCESSES goes past port 65535"

ensure_venv
ensure_binaries redis-server nats-server nginx
mkdir -p "$DATA_DIR/redis" "$LOG_DIR" "$RUN_DIR"

# A stack that is already up is left alone.
running=()
for pidfile in "$RUN_DIR"/*.pid; do
  [ -e "$pidfile" ] || continue
  if pid_alive "$pidfile"; then running+=("$(basename "$pidfile" .pid)"); else rm -f "$pidfile"; fi
done
if [ "${#running[@]}" -gt 0 ]; then
  say "already running: ${running[*]} (./stop-all.sh stops them)"
  exit 0
fi

# Every port with the setting it comes from, so a clash names what to change.
wanted_ports=("$HTTP_PORT HTTP_PORT" "$BOOKING_PORT BOOKING_PORT")
for ((i = 1; i < BOOKING_PROCESSES; i++)); do
  wanted_ports+=("${BOOKING_PORTS[$i]} BOOKING_PORT+$i, booking process $((i + 1))")
done
for port in $EDGE_PORTS; do wanted_ports+=("$port EDGE_PORTS"); done
wanted_ports+=("$REDIS_PORT REDIS_PORT" "$NATS_PORT NATS_PORT" "$NATS_MONITOR_PORT NATS_MONITOR_PORT")
busy=0
for entry in "${wanted_ports[@]}"; do
  port="${entry%% *}"
  if port_in_use "$port"; then
    owner="$(port_owner "$port")"
    printf 'error: port %s is already in use%s (%s)\n' "$port" "${owner:+ by $owner}" "${entry#* }" >&2
    busy=1
  fi
done
if [ "$busy" -ne 0 ]; then
  fail "free the port(s) above or choose others (HTTP_PORT, BOOKING_PORT and BOOKING_PROCESSES, EDGE_PORTS, REDIS_PORT, NATS_PORT, NATS_MONITOR_PORT)"
fi

STARTED=()
# Stops exactly what this run started when it ends early: a failed step, an error, ^C.
stop_started() {
  local status=$?
  if [ "$status" -ne 0 ] && [ "${#STARTED[@]}" -gt 0 ]; then
    say "stopping what this run started: ${STARTED[*]}"
    STACK_DIR="$STACK_DIR" "$PROJECT_ROOT/stop-all.sh" "${STARTED[@]}" >/dev/null || true
  fi
  return "$status"
}
trap stop_started EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# launch NAME MARKER ENV... -- COMMAND...: start in the background, log to logs/NAME.log.
# The settings are exported inside the child rather than passed to env(1), so that no
# password ever shows in a command line.
launch() {
  local name="$1" marker="$2" envs=()
  shift 2
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  (
    [ "${#envs[@]}" -eq 0 ] || export "${envs[@]}"
    exec nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null
  ) &
  write_pidfile "$RUN_DIR/$name.pid" "$!" "$marker"
  STARTED+=("$name")
}

# await NAME CHECK...: wait until CHECK succeeds; fail at once if the service exits.
await() {
  local name="$1" deadline=$((SECONDS + STARTUP_SECONDS)) problem="" pid
  shift
  pid="$(sed -n 1p "$RUN_DIR/$name.pid")"
  until "$@" >/dev/null 2>&1; do
    # By pid, not pid_alive: until the launching subshell execs, its command line is ours.
    if ! process_running "$pid"; then problem="exited"; break; fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      problem="did not become ready within ${STARTUP_SECONDS}s"
      break
    fi
    sleep 0.2
  done
  if [ -n "$problem" ]; then
    printf 'error: %s %s; last lines of %s/%s.log:\n' "$name" "$problem" "$LOG_DIR" "$name" >&2
    tail -n 15 "$LOG_DIR/$name.log" >&2 || true
    exit 1
  fi
  say "$name ready"
}

PY="$VENV/bin/python"
CREDENTIALS_DIR="$DATA_DIR/credentials"
"$PY" "$PROJECT_ROOT/scripts/credentials.py" "$CREDENTIALS_DIR"
# account_url ACCOUNT HOST:PORT: the account's URL with its password; never printed.
account_url() { "$PY" "$PROJECT_ROOT/scripts/credentials.py" "$CREDENTIALS_DIR" --url "$1" "$2"; }
REDIS_ADDRESS="127.0.0.1:$REDIS_PORT"
NATS_ADDRESS="127.0.0.1:$NATS_PORT"
REDIS_URL="$(account_url redis-booking "$REDIS_ADDRESS")"
BOOKING_NATS_URL="$(account_url nats-booking "$NATS_ADDRESS")"
EDGE_NATS_URL="$(account_url nats-edge "$NATS_ADDRESS")"
url="http://localhost"
[ "$HTTP_PORT" != 80 ] && url="http://localhost:$HTTP_PORT"
# The page's own origin, as a browser sends it for either name of this machine.
ALLOWED_ORIGINS="$url,${url/localhost/127.0.0.1}"

# redis_ping: Redis answers the booking account's PING (the URL comes from the environment).
redis_ping() {
  REDIS_URL="$REDIS_URL" "$PY" -c \
    'import os, redis, sys; sys.exit(not redis.Redis.from_url(os.environ["REDIS_URL"]).ping())'
}

launch redis "redis-server" -- "$(find_binary redis-server)" \
  --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$DATA_DIR/redis" \
  --appendonly yes --appendfsync always --save "" --daemonize no \
  --aclfile "$CREDENTIALS_DIR/redis-users.acl"
await redis redis_ping

launch nats "nats-server" -- "$(find_binary nats-server)" \
  -c "$CREDENTIALS_DIR/nats-auth.conf" -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT"
await nats http_ok "http://127.0.0.1:$NATS_MONITOR_PORT/healthz"

# Passed on only when set, so the service's own defaults apply otherwise.
optional_env=()
for name in DEFAULT_PLAN ADMIN_TOKEN; do
  if [ -n "${!name:-}" ]; then optional_env+=("$name=${!name}"); fi
done
# All start together: they share Redis, and whichever is first makes the files in
# DATA_DIR (secret, token) that the others then read.
bookings=()
for port in "${BOOKING_PORTS[@]}"; do
  launch "booking-service-$port" "booking_service" \
    HOST=127.0.0.1 PORT="$port" WORKERS="$WORKERS" REDIS_URL="$REDIS_URL" NATS_URL="$BOOKING_NATS_URL" DATA_DIR="$DATA_DIR" \
    HOLD_SECONDS="${HOLD_SECONDS:-30}" ALLOW_TOKENLESS_WRITES="${ALLOW_TOKENLESS_WRITES:-true}" \
    "${optional_env[@]}" -- "$PY" -m booking_service
  bookings+=("127.0.0.1:$port")
done
for port in "${BOOKING_PORTS[@]}"; do
  await "booking-service-$port" http_ok "http://127.0.0.1:$port/health"
done
if [ -n "${ADMIN_TOKEN:-}" ]; then
  operator_token="(the ADMIN_TOKEN you set)"
else
  operator_token="$(cat "$DATA_DIR/admin_token")  (kept in $DATA_DIR/admin_token, 0600)"
fi

edges=()
for port in $EDGE_PORTS; do
  booking="${bookings[$((${#edges[@]} % ${#bookings[@]}))]}"
  launch "edge-server-$port" "edge_server" \
    HOST=127.0.0.1 PORT="$port" BOOKING_SERVICE_URL="http://$booking" NATS_URL="$EDGE_NATS_URL" \
    ALLOWED_ORIGINS="$ALLOWED_ORIGINS" SESSION_SECRET_FILE="$DATA_DIR/session_secret" \
    -- "$PY" -m edge_server
  edges+=("127.0.0.1:$port")
done
for port in $EDGE_PORTS; do
  await "edge-server-$port" http_ok "http://127.0.0.1:$port/health"
done

"$PY" "$PROJECT_ROOT/nginx/render.py" \
  --http-port "$HTTP_PORT" --booking "$(IFS=,; echo "${bookings[*]}")" \
  --edges "$(IFS=,; echo "${edges[*]}")" --frontend "$PROJECT_ROOT/frontend" \
  --run-dir "$RUN_DIR" --log-dir "$LOG_DIR" --out "$RUN_DIR/nginx.conf"
launch nginx "nginx" -- "$(find_binary nginx)" -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR" -g "daemon off;"
await nginx http_ok "http://127.0.0.1:$HTTP_PORT/nginx-health"
trap - EXIT

booking_urls=""
for booking in "${bookings[@]}"; do booking_urls+="${booking_urls:+, }http://$booking"; done
booking_metrics=""
for booking in "${bookings[@]}"; do booking_metrics+="${booking_metrics:+ }http://$booking/metrics"; done
edge_metrics=""
for edge in "${edges[@]}"; do edge_metrics+="${edge_metrics:+ }http://$edge/metrics"; done
cat <<INFO

  Seat booking is running: open $url

  NGINX            $url  (/api, /ws, /health, /stats, /nginx-health)
  booking service  $booking_urls  (API docs at http://${bookings[0]}/docs)
  edge servers     $(for p in $EDGE_PORTS; do printf 'ws://127.0.0.1:%s/ws ' "$p"; done)
  metrics          booking service $booking_metrics
                   edge servers    $edge_metrics
                   (Prometheus: deploy/prometheus.yml; NGINX answers /metrics 404)
  Redis            redis://$REDIS_ADDRESS  (AOF in $DATA_DIR/redis; user booking)
  NATS             nats://$NATS_ADDRESS  (users booking, edge; monitoring http://127.0.0.1:$NATS_MONITOR_PORT)
  credentials      $CREDENTIALS_DIR  (0600)
  operator token   $operator_token
                   (the dashboard at $url/admin/; Authorization: Bearer <token> on
                   /api/admin; python -m booking_service.admin)
  logs             $LOG_DIR/*.log

  Stop everything with ./stop-all.sh
INFO
