#!/usr/bin/env bash
# Runs the whole test suite: unit, integration (real Redis and NATS), end-to-end (the
# whole stack from ./start-all.sh on free ports, with the seed's shell test scripts,
# and from docker-compose.yml on a Docker engine, which tests/e2e/test_compose.py
# starts as root when none runs) and browser tests (the system Chromium).
# Sets everything up first on a fresh machine; extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/scripts/lib.sh"
cd "$PROJECT_ROOT"

ensure_venv test
ensure_binaries redis-server nats-server nginx chromium curl docker-compose
# A real Prometheus scrapes a running stack in one test; where it cannot be installed
# (not root), that test skips and says why.
( ensure_binaries prometheus ) || say "no prometheus: the Prometheus scrape test will skip"

say "running the test suite"
exec "$VENV/bin/python" -m pytest "$@"
