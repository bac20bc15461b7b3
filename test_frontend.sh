#!/usr/bin/env bash
# Frontend: two headless Chromium pages stay in sync (screenshots in test-artifacts/).
set -uo pipefail
source "$(dirname "$0")/scripts/check.sh"
cd "$(dirname "$0")"
echo "frontend: two browsers at $BASE_URL"

check "a hold, a release and a booking show live in both browsers" \
  "$PROBE" -m scripts.browser_probe "$BASE_URL" --screenshots "${ARTIFACTS_DIR:-test-artifacts}"
finish
