#!/usr/bin/env bash
# Frontend: two headless Chromium pages stay in sync (screenshots in test-artifacts/).
set -uo pipefail
source "$(dirname "$0")/scripts/check.sh"
cd "$(dirname "$0")"
echo "frontend: two browsers at $BASE_URL"

# What the seed's own scripts grep for in the page and its files.
check "the page's title names Concert Seat Booking" body_has 'Concert Seat Booking' GET /
check "styles.css styles the seat-map" body_has 'seat-map' GET /styles.css
check "app.js defines SeatBookingApp" body_has 'class SeatBookingApp' GET /app.js

check "a hold, a release and a booking show live in both browsers" \
  "$PROBE" -m scripts.browser_probe "$BASE_URL" --screenshots "${ARTIFACTS_DIR:-test-artifacts}"
finish
