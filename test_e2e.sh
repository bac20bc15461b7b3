#!/usr/bin/env bash
# End-to-end booking flow through NGINX: WebSocket hold and book, then REST sees it.
set -uo pipefail
source "$(dirname "$0")/scripts/check.sh"
echo "e2e: booking flow at $BASE_URL"

check "a browser-like client holds and books a seat over $WS_URL" \
  "$PROBE" "$(dirname "$0")/scripts/ws_probe.py" flow "$WS_URL"
check "the booking shows in the REST seat list" body_has '"status":2' GET /api/seats

# The seed's own check: a held seat's JSON names its holder after its id, in that order.
# The hold is a session's, so it works with tokenless writes switched off too.
held_by_after_id() {
  local seat token
  seat="$(free_seat)"
  token="$(curl -s -X POST -H 'Content-Type: application/json' --data-binary '{}' \
    "$BASE_URL/api/session" |
    "$PROBE" -c 'import json, sys; print(json.load(sys.stdin)["session_token"])')" || return 1
  status_is 200 POST /api/seats/select "{\"seat_id\":\"$seat\",\"session_token\":\"$token\"}" ||
    return 1
  curl -s "$BASE_URL/api/seats" | grep -o "\"id\":\"$seat\"[^}]*\"held_by\"" >/dev/null ||
    { echo "no \"held_by\" after \"id\":\"$seat\" in /api/seats"; return 1; }
  status_is 200 POST /api/seats/release "{\"seat_id\":\"$seat\",\"session_token\":\"$token\"}"
}
check "a held seat's JSON has \"held_by\" after \"id\"" held_by_after_id
finish
