#!/usr/bin/env bash
# REST API checks against a running stack (BASE_URL, default http://localhost).
set -uo pipefail
source "$(dirname "$0")/scripts/check.sh"
echo "integration: REST API at $BASE_URL"

seat="$(free_seat)"
user="it-$RANDOM$RANDOM"
other="it-other-$RANDOM"
check "health answers ok" body_has '"status":"ok"' GET /health
check "seats list answers 200" status_is 200 GET /api/seats
check "venue snapshot carries a version" body_has '"version"' GET /api/venue
check "select $seat answers 200" body_has "Seat $seat selected successfully" POST /api/seats/select "$(seat_body "$seat" "$user")"
check "a second user's select is 409" status_is 409 POST /api/seats/select "$(seat_body "$seat" "$other")"
check "another user's book is 409" status_is 409 POST /api/seats/book "$(seat_body "$seat" "$other")"
check "another user's release is 409" status_is 409 POST /api/seats/release "$(seat_body "$seat" "$other")"
check "the holder's book answers 200" body_has "booked" POST /api/seats/book "$(seat_body "$seat" "$user")"
check "select of a booked seat is 409" status_is 409 POST /api/seats/select "$(seat_body "$seat" "$other")"
check "release of a booked seat is 409" status_is 409 POST /api/seats/release "$(seat_body "$seat" "$user")"
check "an unknown seat is 404" status_is 404 POST /api/seats/select "$(seat_body ZZ99 "$user")"
check "a body that is not JSON is 400" status_is 400 POST /api/seats/select 'not json'
check "a missing field is 400" status_is 400 POST /api/seats/select '{"user_id":"x"}'
check "errors are JSON with an error sentence" body_has '"error"' POST /api/seats/select '{}'
finish
