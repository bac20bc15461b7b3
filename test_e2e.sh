#!/usr/bin/env bash
# End-to-end booking flow through NGINX: WebSocket hold and book, then REST sees it.
set -uo pipefail
source "$(dirname "$0")/scripts/check.sh"
echo "e2e: booking flow at $BASE_URL"

check "a browser-like client holds and books a seat over $WS_URL" \
  "$PROBE" "$(dirname "$0")/scripts/ws_probe.py" flow "$WS_URL"
check "the booking shows in the REST seat list" body_has '"status":2' GET /api/seats
finish
