#!/usr/bin/env bash
# Runs the whole test suite: unit, integration (real Redis and NATS) and end-to-end.
# Sets everything up first on a fresh machine; extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/scripts/lib.sh"
cd "$PROJECT_ROOT"

ensure_venv test
ensure_binaries redis-server nats-server

say "running the test suite"
exec "$VENV/bin/python" -m pytest "$@"
