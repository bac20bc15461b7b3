"""``python -m booking_service.admin``: the operator API from the command line.

::

    python -m booking_service.admin list
    python -m booking_service.admin create "Jazz Night" --plan theatre --price Stalls=45 ...
    python -m booking_service.admin state jazz-night-3f9a on_sale
    python -m booking_service.admin block jazz-night-3f9a A1 A2
    python -m booking_service.admin unblock jazz-night-3f9a A1
    python -m booking_service.admin export jazz-night-3f9a --format csv > orders.csv
    python -m booking_service.admin audit jazz-night-3f9a

``--url`` is the booking service (default ``BOOKING_SERVICE_URL``, else
``http://localhost:8080``); the operator token is ``ADMIN_TOKEN``, else the file given
by ``--token-file`` (default ``DATA_DIR/admin_token``, where the service keeps it).
``--plan`` is a shipped plan's name or a path to a plan JSON file. ``--operator`` is
the name the audit log records for the actions (default ``cli``). ``export`` prints
the event's orders as CSV (one row per seat) or JSON; ``audit`` its audit log, newest
first. Exit status: 0 done,
1 the service refused (its sentence is printed), 2 bad usage or input, 3 the service
could not be reached.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import orjson

from booking_service.operator import token_path
from shared.config import OperatorCliSettings

__all__ = ["main"]

EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE = 1, 2, 3
TIMEOUT = 30.0


class CliError(Exception):
    """A failure to report as one line on stderr, with its exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _parser(settings: OperatorCliSettings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m booking_service.admin", description="Operate the booking service."
    )
    parser.add_argument("--url", default=settings.booking_service_url, help="booking service")
    parser.add_argument(
        "--token-file",
        type=Path,
        default=token_path(settings.data_dir),
        help="file holding the operator token (when ADMIN_TOKEN is not set)",
    )
    parser.add_argument("--operator", default="cli", help="your name in the audit log")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="every event with its seat counts")
    listing.add_argument("--json", action="store_true", help="print the JSON as answered")
    create = commands.add_parser("create", help="create an event")
    create.add_argument("name")
    create.add_argument("--plan", required=True, help="shipped plan name or plan JSON file")
    create.add_argument(
        "--price", action="append", default=[], metavar="CATEGORY=AMOUNT", required=True
    )
    create.add_argument("--currency", default="EUR")
    create.add_argument("--hold-seconds", type=float)
    create.add_argument("--starts-at", help="ISO 8601 with offset, e.g. 2027-03-01T20:00+01:00")
    create.add_argument("--state", choices=["scheduled", "on_sale", "closed"])
    state = commands.add_parser("state", help="set an event's sale state")
    state.add_argument("event_id")
    state.add_argument("state", choices=["scheduled", "on_sale", "closed"])
    for name, text in (("block", "take seats out of sale"), ("unblock", "put seats back")):
        blocks = commands.add_parser(name, help=text)
        blocks.add_argument("event_id")
        blocks.add_argument("seat_ids", nargs="+", metavar="SEAT")
    export = commands.add_parser("export", help="the event's orders as CSV or JSON")
    export.add_argument("event_id")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    audit = commands.add_parser("audit", help="the event's audit log, newest first")
    audit.add_argument("event_id")
    audit.add_argument("--json", action="store_true", help="print the JSON as answered")
    return parser


def _token(settings: OperatorCliSettings, token_file: Path) -> str:
    if settings.admin_token:
        return settings.admin_token
    try:
        return token_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CliError(
            f"no operator token: set ADMIN_TOKEN or pass --token-file ({exc.strerror}: "
            f"{token_file})",
            EXIT_USAGE,
        ) from None


def _prices(pairs: Sequence[str]) -> dict[str, float]:
    prices = {}
    for pair in pairs:
        category, _, amount = pair.rpartition("=")
        try:
            price = float(amount)
        except ValueError:
            price = None
        if not category or price is None:
            raise CliError(f"--price wants CATEGORY=AMOUNT, not {pair!r}", EXIT_USAGE)
        prices[category] = price
    return prices


def _plan(value: str) -> str | Any:
    path = Path(value)
    if value.endswith(".json") or path.is_file():
        try:
            return orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise CliError(f"cannot read the plan {value}: {exc}", EXIT_USAGE) from None
    return value


def _request(args: argparse.Namespace) -> tuple[str, str, dict[str, Any] | None]:
    """The method, path and body the command calls."""
    if args.command == "list":
        return "GET", "/api/admin/events", None
    if args.command == "create":
        body: dict[str, Any] = {
            "name": args.name,
            "plan": _plan(args.plan),
            "prices": _prices(args.price),
            "currency": args.currency,
        }
        optional = {"hold_seconds": args.hold_seconds, "starts_at": args.starts_at}
        body |= {key: value for key, value in optional.items() if value is not None}
        if args.state:
            body["state"] = args.state
        return "POST", "/api/admin/events", body
    if args.command == "state":
        return "POST", f"/api/admin/events/{args.event_id}/state", {"state": args.state}
    if args.command == "export":
        return "GET", f"/api/admin/events/{args.event_id}/orders.{args.format}", None
    if args.command == "audit":
        return "GET", f"/api/admin/events/{args.event_id}/audit", None
    body = {"seat_ids": args.seat_ids, "blocked": args.command == "block"}
    return "POST", f"/api/admin/events/{args.event_id}/blocks", body


def _call(
    url: str, token: str, operator: str, request: tuple[str, str, dict[str, Any] | None]
) -> httpx.Response:
    """The service's successful response; CliError naming its refusal or the failure."""
    method, path, body = request
    headers = {"Authorization": f"Bearer {token}", "X-Operator": operator}
    try:
        with httpx.Client(base_url=url, timeout=TIMEOUT) as client:
            response = client.request(method, path, json=body, headers=headers)
    except httpx.HTTPError as exc:
        message = f"cannot reach the booking service at {url}: {exc}"
        raise CliError(message, EXIT_UNREACHABLE) from None
    if response.is_error:
        try:
            reply = response.json()
        except ValueError:
            reply = None
        sentence = reply.get("error") if isinstance(reply, dict) else response.text[:200]
        raise CliError(f"{sentence} (HTTP {response.status_code})", EXIT_REFUSED)
    return response


def _table(events: list[dict[str, Any]]) -> str:
    lines = [f"{'ID':<32} {'STATE':<9} {'AVAIL':>6} {'HELD':>5} {'BOOKED':>6} {'BLOCKED':>7}  NAME"]
    for event in events:
        counts = event["counts"]
        lines.append(
            f"{event['id']:<32} {event['state']:<9} {counts['available']:>6} "
            f"{counts['held']:>5} {counts['booked']:>6} {counts['blocked']:>7}  {event['name']}"
        )
    return "\n".join(lines)


def _audit_table(entries: list[dict[str, Any]]) -> str:
    lines = [f"{'AT':<24} {'WHO':<16} {'ADDRESS':<15} {'ACTION':<12} DETAIL"]
    for entry in entries:
        detail = orjson.dumps(entry["detail"]).decode()
        lines.append(
            f"{entry['at']:<24} {entry['who']:<16} {entry['address']:<15} "
            f"{entry['action']:<12} {detail}"
        )
    return "\n".join(lines)


def _output(args: argparse.Namespace, response: httpx.Response) -> str:
    """What the command prints for the service's answer (the CSV exactly as answered)."""
    if args.command == "export" and args.format == "csv":
        return response.text
    reply = response.json()
    if args.command == "list" and not args.json:
        return _table(reply) + "\n"
    if args.command == "audit" and not args.json:
        return _audit_table(reply) + "\n"
    return orjson.dumps(reply, option=orjson.OPT_INDENT_2).decode() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status (see the module docstring)."""
    settings = OperatorCliSettings()
    args = _parser(settings).parse_args(argv)
    try:
        token = _token(settings, args.token_file)
        response = _call(args.url, token, args.operator, _request(args))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.status
    sys.stdout.write(_output(args, response))
    return 0


if __name__ == "__main__":
    sys.exit(main())
