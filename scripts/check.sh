# Checks shared by the test_*.sh scripts; sourced, never run. Each check prints a
# line; `finish` prints the tally and fails the script when any check failed.
# BASE_URL names the running stack (default http://localhost).

BASE_URL="${BASE_URL:-http://localhost}"
BASE_URL="${BASE_URL%/}"
WS_URL="${WS_URL:-$(printf '%s' "$BASE_URL" | sed 's|^http|ws|')/ws}"
PROBE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../.venv/bin/python"
PASSED=0
FAILED=0

command -v curl >/dev/null 2>&1 || { echo "error: curl is needed (apt-get install -y curl)" >&2; exit 2; }
[ -x "$PROBE" ] || { echo "error: run ./run-tests.sh or ./start-all.sh once to create .venv" >&2; exit 2; }

# check WHAT COMMAND...: run COMMAND; it passes when it exits 0.
check() {
  local what="$1" output
  shift
  if output="$("$@" 2>&1)"; then
    PASSED=$((PASSED + 1))
    printf '  ok    %s\n' "$what"
  else
    FAILED=$((FAILED + 1))
    printf '  FAIL  %s\n' "$what"
    [ -n "$output" ] && printf '%s\n' "$output" | sed 's/^/        /'
  fi
  return 0
}

# status_is CODE METHOD PATH [JSON_BODY]: the call answers CODE.
status_is() {
  local expected="$1" method="$2" path="$3" body="${4:-}" got
  got="$(curl -s -o /dev/null -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' \
    ${body:+--data-binary "$body"} "$BASE_URL$path")"
  [ "$got" = "$expected" ] || { echo "expected HTTP $expected from $method $path, got $got"; return 1; }
}

# body_has TEXT METHOD PATH [JSON_BODY]: the response body contains TEXT.
body_has() {
  local text="$1" method="$2" path="$3" body="${4:-}" got
  got="$(curl -s -X "$method" -H 'Content-Type: application/json' \
    ${body:+--data-binary "$body"} "$BASE_URL$path")"
  case "$got" in *"$text"*) ;; *) echo "expected '$text' in: ${got:0:300}"; return 1 ;; esac
}

# header_has HEADER PATH: the response to GET PATH carries HEADER (case-insensitive).
header_has() {
  curl -s -o /dev/null -D - "$BASE_URL$2" | grep -qi "^$1" || { echo "no '$1' header on $2"; return 1; }
}

# seat_body SEAT USER: the JSON body of a seat command.
seat_body() { printf '{"seat_id":"%s","user_id":"%s"}' "$1" "$2"; }

# free_seat: prints the id of a seat that is available right now.
free_seat() {
  curl -s "$BASE_URL/api/seats" | "$PROBE" -c '
import json, random, sys
free = [s["id"] for s in json.load(sys.stdin) if s["status"] == 0]
print(random.choice(free))'
}

finish() {
  printf '%s passed, %s failed\n' "$PASSED" "$FAILED"
  [ "$FAILED" -eq 0 ]
}
