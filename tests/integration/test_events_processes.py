"""Events across booking processes, and the operator CLI against a real service."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
import pytest

from tests.event_api import ADMIN_TOKEN, OPERATOR, create_event, event_call, grid_plan_json
from tests.seat_api import assert_error, http_client, poll_until
from tests.servers import PROJECT_ROOT, BookingProcess, RedisServer, ServerError, free_port


async def test_events_created_in_one_process_are_served_by_another(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """Another process serves a new event at once and follows its sale state within moments."""
    first = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    second = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    async with http_client(first.url) as one, http_client(second.url) as two:
        event = await create_event(one, "Shared", grid_plan_json(2, 2), {"Standard": 9})
        seen = await two.get(f"/api/events/{event['id']}")
        assert seen.status_code == 200, seen.text
        assert (await event_call(two, event["id"], "select", "A1", user_id="u1")).status_code == 200
        refused = await event_call(one, event["id"], "select", "A1", user_id="u2")
        assert assert_error(refused, 409) == "Seat A1 is held by another user"
        closed = await one.post(
            f"/api/admin/events/{event['id']}/state", json={"state": "closed"}, headers=OPERATOR
        )
        assert closed.status_code == 200

        async def second_closed() -> bool:
            reply = await event_call(two, event["id"], "select", "A2", user_id="u3")
            return reply.status_code == 409

        assert await poll_until(second_closed, within=3.0)
        listed = await two.get("/api/admin/events", headers=OPERATOR)
        assert {e["id"]: e["state"] for e in listed.json()}[event["id"]] == "closed"


async def test_events_seat_marks_reach_every_process(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """A shipped plan's accessibility marks hold in a process that only read the event."""
    first = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    second = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    async with http_client(first.url) as one, http_client(second.url) as two:
        event = await create_event(
            one, "Marked", "theatre", {"Stalls": 40, "Circle": 30, "Box": 90}
        )
        best = f"/api/events/{event['id']}/holds/best"
        for http, user_id in ((two, "u1"), (one, "u2")):
            reply = await http.post(
                best, json={"quantity": 1, "accessible": True, "user_id": user_id}
            )
            assert reply.status_code == 200, reply.text
            (seat,) = reply.json()["seats"]
            marks = orjson.loads((PROJECT_ROOT / "venues" / "theatre.marks.json").read_bytes())
            assert "wheelchair" in marks[seat["id"]]


async def test_events_default_plan_is_a_shipped_plan(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """With DEFAULT_PLAN=theatre, the seed's /api/seats and /api/venue serve the theatre."""
    booking = start_booking(DEFAULT_PLAN="theatre")
    async with http_client(booking.url) as http:
        seats = (await http.get("/api/seats")).json()
        main = (await http.get("/api/events/main")).json()
        assert (main["plan_name"], len(seats)) == ("theatre", main["seats_total"])
        assert set(main["prices"]) == {"Stalls", "Circle", "Box"}
        venue = (await http.get("/api/venue")).json()
        assert "rows" not in venue
        assert venue["venue_id"] == "main"


def test_events_unknown_default_plan_stops_the_service(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """A DEFAULT_PLAN naming no shipped plan stops the service at start, naming the plan."""
    with pytest.raises(ServerError, match="exited early") as failure:
        start_booking(DEFAULT_PLAN="no-such-venue")
    assert "no shipped plan named 'no-such-venue'" in str(failure.value)


def _cli(
    url: str, *args: str, token: str | None = None, token_file: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "ADMIN_TOKEN"}
    if token is not None:
        env["ADMIN_TOKEN"] = token
    options = ["--url", url]
    if token_file is not None:
        options += ["--token-file", str(token_file)]
    argv = [sys.executable, "-m", "booking_service.admin", *options, *args]
    return subprocess.run(
        argv, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30, check=False
    )


def test_events_cli_drives_the_operator_api(
    start_booking: Callable[..., BookingProcess], tmp_path: Path
) -> None:
    """create, list, state, block and unblock through the CLI; refusals exit 1 with the sentence."""
    booking = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    plan = tmp_path / "club.json"
    plan.write_bytes(orjson.dumps(grid_plan_json(1, 3, name="Club")))
    created = _cli(
        booking.url, "create", "Club Night", "--plan", str(plan), "--price", "Standard=12.5",
        "--state", "scheduled", token=ADMIN_TOKEN,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    event = orjson.loads(created.stdout)
    assert (event["state"], event["prices"], event["seats_total"]) == (
        "scheduled", {"Standard": 12.5}, 3
    )  # fmt: skip
    assert _cli(booking.url, "state", event["id"], "on_sale", token=ADMIN_TOKEN).returncode == 0
    blocked = _cli(booking.url, "block", event["id"], "A1", "A2", token=ADMIN_TOKEN)
    assert orjson.loads(blocked.stdout)["blocked"] == ["A1", "A2"]
    unblocked = _cli(booking.url, "unblock", event["id"], "A2", token=ADMIN_TOKEN)
    assert orjson.loads(unblocked.stdout)["blocked"] == ["A1"]
    listing = _cli(booking.url, "list", token=ADMIN_TOKEN)
    assert listing.returncode == 0, listing.stderr
    [row] = [line for line in listing.stdout.splitlines() if line.startswith(event["id"])]
    assert row.split()[1:6] == ["on_sale", "2", "0", "0", "1"]
    missing = _cli(booking.url, "block", event["id"], "Z9", token=ADMIN_TOKEN)
    assert (missing.returncode, missing.stderr.strip()) == (
        1, "error: Seat Z9 does not exist (HTTP 404)"
    )  # fmt: skip
    wrong = _cli(booking.url, "list", token="not-the-operator-token")
    assert (wrong.returncode, "(HTTP 401)" in wrong.stderr) == (1, True)
    shipped = _cli(
        booking.url, "create", "X", "--plan", "nowhere", "--price", "A=1", token=ADMIN_TOKEN
    )
    assert shipped.returncode == 1
    assert "no shipped plan named 'nowhere'" in shipped.stderr


def test_events_cli_exports_orders_and_shows_the_audit_log(
    start_booking: Callable[..., BookingProcess],
) -> None:
    """export prints the orders as CSV or JSON; audit lists the CLI's actions, newest first,
    under the --operator name."""
    booking = start_booking(ADMIN_TOKEN=ADMIN_TOKEN)
    with httpx.Client(base_url=booking.url) as http:
        token = http.post("/api/session", json={"user_id": "cy"}).json()["session_token"]
        session = {"X-Session-Token": token}
        held = http.post("/api/events/main/holds", json={"seat_ids": ["B3"]}, headers=session)
        assert held.status_code == 200, held.text
        order = http.post("/api/events/main/orders", json={"name": "=SUM(A1)"}, headers=session)
        assert order.status_code == 201, order.text
    exported = _cli(booking.url, "export", "main", "--format", "csv", token=ADMIN_TOKEN)
    assert exported.returncode == 0, exported.stderr
    header, row = list(csv.reader(io.StringIO(exported.stdout)))
    assert header[:2] == ["reference", "seat"]
    assert (row[0], row[1], row[5]) == (order.json()["reference"], "B3", "'=SUM(A1)")
    as_json = _cli(booking.url, "export", "main", "--format", "json", token=ADMIN_TOKEN)
    assert [o["reference"] for o in orjson.loads(as_json.stdout)] == [order.json()["reference"]]
    _cli(booking.url, "--operator", "night shift", "block", "main", "J9", token=ADMIN_TOKEN)
    _cli(booking.url, "state", "main", "closed", token=ADMIN_TOKEN)
    audit = _cli(booking.url, "audit", "main", token=ADMIN_TOKEN)
    assert audit.returncode == 0, audit.stderr
    newest, oldest = audit.stdout.splitlines()[1:]
    assert newest.split()[1:4] == ["cli", "127.0.0.1", "state"]
    assert newest.endswith('{"state":"closed"}')
    assert " night shift " in oldest
    assert oldest.endswith('{"seat_ids":["J9"]}')
    entries = orjson.loads(_cli(booking.url, "audit", "main", "--json", token=ADMIN_TOKEN).stdout)
    who_did = [(entry["who"], entry["action"]) for entry in entries]
    assert who_did == [("cli", "state"), ("night shift", "block")]
    assert entries[1]["detail"] == {"seat_ids": ["J9"]}


def test_events_cli_reads_the_token_file_and_names_failures(
    start_booking: Callable[..., BookingProcess], booking_env: dict[str, str]
) -> None:
    """Without ADMIN_TOKEN the CLI reads the token file; bad usage exits 2, no service 3."""
    booking = start_booking()
    token_file = Path(booking_env["DATA_DIR"]) / "admin_token"
    listing = _cli(booking.url, "list", "--json", token_file=token_file)
    assert listing.returncode == 0, listing.stderr
    assert [event["id"] for event in orjson.loads(listing.stdout)] == ["main"]
    no_token = _cli(booking.url, "list", token_file=token_file.with_name("absent"))
    assert no_token.returncode == 2
    assert "ADMIN_TOKEN" in no_token.stderr
    bad_price = _cli(booking.url, "create", "X", "--plan", "hall", "--price", "cheap", token="t")
    assert (bad_price.returncode, "CATEGORY=AMOUNT" in bad_price.stderr) == (2, True)
    nobody = _cli(f"http://127.0.0.1:{free_port()}", "list", token=ADMIN_TOKEN)
    assert (nobody.returncode, "cannot reach" in nobody.stderr) == (3, True)
    assert httpx.get(f"{booking.url}/health").status_code == 200


async def test_events_default_event_adopts_the_venue_of_an_older_version(
    start_booking: Callable[..., BookingProcess], redis_server: RedisServer
) -> None:
    """Seats kept under venue:{main}:* before events existed stay booked after an upgrade."""
    booked = b'{"id":"B2","row":1,"col":1,"status":2,"booked_by":"fan","booked_at":1700000000}'
    with redis_server.admin_client() as client:
        client.hset("venue:{main}:seats", "B2", booked)
        client.set("venue:{main}:version", 41)
    booking = start_booking()
    async with http_client(booking.url) as http:
        seats = {seat["id"]: seat for seat in (await http.get("/api/seats")).json()}
        assert (seats["B2"]["status"], seats["B2"]["booked_by"]) == (2, "fan")
        assert seats["A1"]["status"] == 0
        venue = (await http.get("/api/venue")).json()
        assert venue["version"] == 42
        assert_error(await event_call(http, "main", "select", "B2", user_id="u1"), 409)
    with redis_server.admin_client() as client:
        assert not client.exists("venue:{main}:seats")
