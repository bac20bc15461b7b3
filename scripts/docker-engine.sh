#!/usr/bin/env bash
# Makes sure a Docker engine answers: exits 0 at once when `docker info` works;
# otherwise, as root, installs Debian's docker.io when dockerd is missing and starts
# dockerd (overlay2) in the background as the machine's engine, at the default socket,
# with its own pidfile (/var/run/docker.pid) and its log in /var/log/dockerd.log. The
# engine is left running afterwards, like a system service; stop it with
# `kill "$(cat /var/run/docker.pid)"`.
#
# Debian's init script is not used: it raises the open-files limit to 1048576, which
# fails where the hard limit is lower, and takes the whole start down with it.
#
# Exits 1 with the reason on stderr when no engine can run here (not root, or dockerd
# does not come up within STARTUP_SECONDS); the compose test skips with that reason.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

STARTUP_SECONDS=60
DOCKERD_LOG=/var/log/dockerd.log

engine_answers() { docker info >/dev/null 2>&1; }

command -v docker >/dev/null 2>&1 && engine_answers && exit 0
is_root || fail "no Docker engine answers, and starting one needs root (sudo $0)"
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  apt_install docker.io
fi
if [ -f /var/run/docker.pid ] && process_running "$(cat /var/run/docker.pid)"; then
  say "dockerd (pid $(cat /var/run/docker.pid)) is starting; waiting for it"
else
  say "starting dockerd (log: $DOCKERD_LOG)"
  setsid dockerd --storage-driver overlay2 </dev/null >>"$DOCKERD_LOG" 2>&1 &
fi
if ! wait_ready dockerd "$STARTUP_SECONDS" engine_answers; then
  tail -n 5 "$DOCKERD_LOG" >&2 || true
  fail "dockerd did not answer within ${STARTUP_SECONDS}s (see $DOCKERD_LOG)"
fi
say "dockerd is up (pid $(cat /var/run/docker.pid))"
