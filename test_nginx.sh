#!/usr/bin/env bash
# NGINX checks: routing, WebSocket upgrade and balancing, merged stats, limits, headers.
set -uo pipefail
source "$(dirname "$0")/scripts/check.sh"
echo "nginx: front door at $BASE_URL"

# ws_handshake EXPECTED_STATUS [HEADER...]: a WebSocket handshake on /ws (version 13
# unless a header is given) answers EXPECTED_STATUS.
ws_handshake() {
  local expected="$1" got header headers=()
  shift
  [ "$#" -gt 0 ] || set -- 'Sec-WebSocket-Version: 13'
  for header in "$@"; do headers+=(-H "$header"); done
  got="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 --http1.1 \
    -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "${headers[@]}" "$BASE_URL/ws")"
  [ "$got" = "$expected" ] || { echo "expected HTTP $expected from /ws, got $got"; return 1; }
}

# An upgrade without Sec-WebSocket-Version is 426, naming the version we speak (RFC 6455 4.4).
ws_version_required() {
  local response
  response="$(curl -s -D - -o /dev/null --max-time 3 --http1.1 \
    -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "$BASE_URL/ws")"
  printf '%s' "$response" | head -n 1 | grep -q ' 426' ||
    { echo "expected 426 Upgrade Required, got: $(printf '%s' "$response" | head -n 1)"; return 1; }
  printf '%s' "$response" | grep -qi '^sec-websocket-version: 13' ||
    { echo "the 426 does not name Sec-WebSocket-Version: 13"; return 1; }
}

# Each edge's /stats entry carries the seed's keys.
stats_have_seed_keys() {
  curl -s "$BASE_URL/stats" | "$PROBE" -c '
import json, sys
edges = json.load(sys.stdin)["edges"]
keys = ("total_clients", "total_messages", "connected_at", "last_broadcast_time")
missing = {name: [k for k in keys if k not in edge] for name, edge in edges.items()}
missing = {name: absent for name, absent in missing.items() if absent}
sys.exit(f"stats entries lack seed keys: {missing}" if missing or not edges else 0)'
}

gzipped() {
  curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$BASE_URL/styles.css" |
    grep -qi '^content-encoding: gzip' || { echo "styles.css is not gzip-encoded"; return 1; }
}

oversized_body() {
  local body
  body="{\"seat_id\":\"A1\",\"user_id\":\"$(head -c 20000 /dev/zero | tr '\0' x)\"}"
  status_is 413 POST /api/seats/select "$body"
}

check "nginx-health answers 200" status_is 200 GET /nginx-health
check "nginx-health says healthy" body_has 'healthy' GET /nginx-health
check "the frontend is served at /" body_has 'book-btn' GET /
check "X-Content-Type-Options is set" header_has 'x-content-type-options: nosniff' /
check "X-Frame-Options is set" header_has 'x-frame-options' /
check "a Content-Security-Policy is set" header_has 'content-security-policy' /
check "static files are gzipped" gzipped
check "/health reaches the booking service" body_has '"service":"booking-service"' GET /health
check "/api reaches the booking service" status_is 200 GET /api/seats
check "/stats merges every edge" body_has '"edges"' GET /stats
check "/stats entries carry total_clients, total_messages, connected_at, last_broadcast_time" \
  stats_have_seed_keys
check "/ws upgrades to a WebSocket" ws_handshake 101
check "/ws from our own page's origin upgrades" \
  ws_handshake 101 'Sec-WebSocket-Version: 13' "Origin: $BASE_URL"
check "/ws from another site's page is refused with 403" \
  ws_handshake 403 'Sec-WebSocket-Version: 13' 'Origin: http://evil.example'
check "/ws without Sec-WebSocket-Version is 426 naming version 13" ws_version_required
check "WebSocket connections are spread over the edges" \
  "$PROBE" "$(dirname "$0")/scripts/ws_probe.py" spread "$WS_URL" "$BASE_URL/stats"
check "an oversized API body is refused with 413" oversized_body
check "an unknown API path is a JSON 404" body_has '"error"' GET /api/nope
finish
