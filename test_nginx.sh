#!/usr/bin/env bash
# NGINX checks: routing, WebSocket upgrade and balancing, merged stats, limits, headers.
set -uo pipefail
source "$(dirname "$0")/scripts/check.sh"
echo "nginx: front door at $BASE_URL"

ws_upgrade() {
  local got
  got="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 --http1.1 \
    -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "$BASE_URL/ws")"
  [ "$got" = 101 ] || { echo "expected 101 Switching Protocols, got $got"; return 1; }
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
check "the frontend is served at /" body_has 'book-btn' GET /
check "X-Content-Type-Options is set" header_has 'x-content-type-options: nosniff' /
check "X-Frame-Options is set" header_has 'x-frame-options' /
check "a Content-Security-Policy is set" header_has 'content-security-policy' /
check "static files are gzipped" gzipped
check "/health reaches the booking service" body_has '"service":"booking-service"' GET /health
check "/api reaches the booking service" status_is 200 GET /api/seats
check "/stats merges every edge" body_has '"edges"' GET /stats
check "/ws upgrades to a WebSocket" ws_upgrade
check "WebSocket connections are spread over the edges" \
  "$PROBE" "$(dirname "$0")/scripts/ws_probe.py" spread "$WS_URL" "$BASE_URL/stats"
check "an oversized API body is refused with 413" oversized_body
check "an unknown API path is a JSON 404" body_has '"error"' GET /api/nope
finish
