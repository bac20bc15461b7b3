#!/usr/bin/env bash
# Real-time messaging: a change made by one client reaches another within a second.
set -uo pipefail
source "$(dirname "$0")/scripts/check.sh"
echo "realtime: live updates at $WS_URL"

for round in 1 2 3; do
  check "round $round: a hold and a release reach the other client" \
    "$PROBE" "$(dirname "$0")/scripts/ws_probe.py" realtime "$WS_URL"
done
finish
