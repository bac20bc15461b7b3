"""The operator dashboard on a whole stack in Chromium, next to the public page in another
browser: log in, a sale shows within a second, blocks and cancellations reach the public
map, and the orders export parses as the CSV it promises."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.admin_page import AdminPage
from tests.browser.conftest import ARTIFACTS
from tests.browser.events import create_event
from tests.browser.seatmap_page import SeatMapPage
from tests.script_stack import ScriptStack
from tests.servers import PROJECT_ROOT

CSV_COLUMNS = [
    "reference",
    "seat",
    "category",
    "price",
    "currency",
    "buyer_name",
    "buyer_email",
    "user_id",
    "created_at",
    "status",
]
SALE_SHOWS_WITHIN_MS = 1000
# Seats per order of the busy arena (NGINX and the service take bodies up to 4 KB).
ORDER_SIZE = 150
Opener = Callable[..., AdminPage]


@pytest.fixture(scope="module")
def admin_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptStack]:
    # Big orders, so a busy arena is booked in a few calls.
    stack = ScriptStack(
        tmp_path_factory.mktemp("admin"), hold_seconds=30, MAX_HOLDS_PER_SESSION=str(ORDER_SIZE)
    )
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def theatre(admin_stack: ScriptStack) -> dict[str, Any]:
    """An event on the shipped theatre plan, on sale."""
    return create_event(admin_stack, "theatre")


def _token(stack: ScriptStack) -> str:
    return (stack.directory / "data" / "admin_token").read_text().strip()


@pytest.fixture
def pages(
    chromium: Browser, admin_stack: ScriptStack, request: pytest.FixtureRequest
) -> Iterator[tuple[Opener, Callable[[str], SeatMapPage]]]:
    """Open dashboards and public pages (one browser context each); screenshots kept after."""
    opened: list[AdminPage | SeatMapPage] = []

    def open_admin(**size: int) -> AdminPage:
        page = AdminPage(chromium, admin_stack.base_url, **size).open()
        opened.append(page)
        return page

    def open_public(event_id: str) -> SeatMapPage:
        page = SeatMapPage(chromium, admin_stack.base_url).open(event_id=event_id)
        opened.append(page)
        return page

    yield open_admin, open_public
    for index, page in enumerate(opened, start=1):
        path = page.screenshot(ARTIFACTS, f"{request.node.name}-{index}")
        print(f"screenshot: {path}")
        page.page.context.close()


def _logged_in(
    open_admin: Opener, stack: ScriptStack, event_id: str, *, name: str = "alex"
) -> AdminPage:
    admin = open_admin()
    admin.log_in(_token(stack), name=name)
    admin.wait_live()
    admin.pick_event(event_id)
    return admin


def _free_seats(admin: AdminPage, prefix: str, count: int) -> list[str]:
    """The first ``count`` seats the dashboard's map shows available whose id starts so."""
    ids: list[str] = admin.page.eval_on_selector_all(
        f'#occupancy-map .seat.available[data-seat-id^="{prefix}"]',
        "(seats) => seats.map((s) => s.dataset.seatId)",
    )
    assert len(ids) >= count, f"only {len(ids)} free seats start with {prefix}"
    return ids[:count]


def _book_by_rest(
    stack: ScriptStack, event_id: str, seat_ids: list[str], *, name: str = "Rest Buyer"
) -> dict[str, Any]:
    """Hold ``seat_ids`` for a fresh tokenless user and book them: the order."""
    user = f"buyer-{uuid.uuid4().hex[:8]}"
    base = f"http://127.0.0.1:{stack.ports['BOOKING_PORT']}/api/events/{event_id}"
    with httpx.Client(timeout=10) as client:
        held = client.post(f"{base}/holds", json={"seat_ids": seat_ids, "user_id": user})
        assert held.is_success, held.text
        email = f"{user}@example.org"
        order = client.post(
            f"{base}/orders",
            json={"user_id": user, "name": name, "email": email},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert order.is_success, order.text
        answer: dict[str, Any] = order.json()
        return answer


def test_admin_live_logs_in_with_the_stack_token_only(
    pages: tuple[Opener, Any], admin_stack: ScriptStack, theatre: dict[str, Any]
) -> None:
    """The token start-all.sh printed logs in; a wrong one is refused with "Wrong token"."""
    open_admin, _ = pages
    assert _token(admin_stack) in admin_stack.start_output
    refused = open_admin()
    refused.log_in("wrong-" + _token(admin_stack))
    expect(refused.page.locator("#login-error")).to_have_text("Wrong token")
    expect(refused.page.locator("#dashboard")).to_be_hidden()
    admin = _logged_in(open_admin, admin_stack, theatre["id"])
    expect(admin.total("available")).to_have_text(re.compile(r"^[\d,]+$"))
    options = admin.page.locator("#event-picker option")
    expect(options.filter(has_text="Theatre night")).to_have_count(1)


def test_admin_live_shows_a_sale_from_another_browser_within_a_second(
    pages: tuple[Opener, Callable[[str], SeatMapPage]],
    admin_stack: ScriptStack,
    theatre: dict[str, Any],
) -> None:
    """A seat booked on the public page shows booked on the dashboard within 1 s."""
    open_admin, open_public = pages
    admin = _logged_in(open_admin, admin_stack, theatre["id"])
    buyer = open_public(theatre["id"])
    seat_id = _free_seats(admin, "STL-C", 1)[0]
    booked_before = int(admin.total("booked").inner_text().replace(",", ""))
    buyer.select(seat_id)
    buyer.expect_cart([seat_id])
    admin.expect_seat(seat_id, "held", timeout_ms=2000)
    buyer.checkout()
    buyer.book(name="Ada Buyer")
    expect(buyer.page.locator("#confirmation")).to_be_visible()
    confirmed = time.monotonic()
    admin.expect_seat(seat_id, "booked", timeout_ms=SALE_SHOWS_WITHIN_MS)
    expect(admin.total("booked")).to_have_text(
        f"{booked_before + 1:,}", timeout=SALE_SHOWS_WITHIN_MS
    )
    assert time.monotonic() - confirmed < SALE_SHOWS_WITHIN_MS / 1000
    expect(admin.page.locator("#feed-list li").first).to_contain_text("booked")
    # The buyer's page is one person connected, watching this event (edges report every 2 s).
    expect(admin.page.locator("#people-connected")).to_have_text("1")
    expect(admin.page.locator("#people-watching")).to_have_text("1")


def test_admin_live_block_makes_a_seat_unavailable_on_the_public_map(
    pages: tuple[Opener, Callable[[str], SeatMapPage]],
    admin_stack: ScriptStack,
    theatre: dict[str, Any],
) -> None:
    """Seats blocked from the dashboard (one clicked on its map, one typed) are not for
    sale on the public map; unblocked, they are available again; the audit log names who
    did it, as typed at login (X-Operator)."""
    open_admin, open_public = pages
    admin = _logged_in(open_admin, admin_stack, theatre["id"], name="Zoë")
    visitor = open_public(theatre["id"])
    clicked, typed = _free_seats(admin, "CIR-B", 2)
    admin.seat(clicked).dispatch_event("click")
    expect(admin.page.locator("#block-seats")).to_have_value(clicked)
    field = admin.page.locator("#block-seats")
    field.fill(f"{field.input_value()} {typed}")
    admin.page.locator("#block-btn").click()
    expect(admin.message()).to_have_text("2 seats are blocked.")
    for seat_id in (clicked, typed):
        visitor.expect_seat(seat_id, "blocked", timeout_ms=2000)
        admin.expect_seat(seat_id, "blocked")
    expect(admin.page.locator("#audit-list li").first).to_contain_text(
        f"Zoë blocked seats {clicked}, {typed}"
    )
    feed = admin.page.locator("#feed-list li")
    expect(feed.filter(has_text=re.compile(r"Seat \d+ blocked$"))).to_have_count(2)
    visitor.seat(clicked).click()
    expect(visitor.message()).to_contain_text("not for sale")
    admin.block([clicked, typed], blocked=False)
    expect(admin.message()).to_have_text("2 seats are unblocked.")
    visitor.expect_seat(clicked, "available", timeout_ms=2000)
    admin.expect_seat(typed, "available")
    expect(feed.filter(has_text=re.compile(r"Seat \d+ unblocked$"))).to_have_count(2)
    expect(feed.filter(has_text=re.compile(r"Seat \d+ blocked$"))).to_have_count(2)


def test_admin_live_block_of_a_booked_seat_shows_the_api_error(
    pages: tuple[Opener, Any], admin_stack: ScriptStack, theatre: dict[str, Any]
) -> None:
    """Blocking a booked seat is refused, and the API's own sentence is what the page shows."""
    open_admin, _ = pages
    admin = _logged_in(open_admin, admin_stack, theatre["id"])
    seat_id = _free_seats(admin, "STL-D", 1)[0]
    _book_by_rest(admin_stack, theatre["id"], [seat_id])
    admin.expect_seat(seat_id, "booked")
    refusal = httpx.post(
        f"{admin_stack.base_url}/api/admin/events/{theatre['id']}/blocks",
        headers={"Authorization": f"Bearer {_token(admin_stack)}"},
        json={"seat_ids": [seat_id], "blocked": True},
    )
    assert refusal.status_code == 409
    admin.block([seat_id])
    expect(admin.message()).to_have_text(refusal.json()["error"])


def test_admin_live_cancel_returns_the_seats_to_the_public_map(
    pages: tuple[Opener, Callable[[str], SeatMapPage]],
    admin_stack: ScriptStack,
    theatre: dict[str, Any],
) -> None:
    """An order booked through the public page's cart, cancelled on the dashboard: its seats
    are available again on the public map and on the dashboard."""
    open_admin, open_public = pages
    admin = _logged_in(open_admin, admin_stack, theatre["id"])
    buyer = open_public(theatre["id"])
    seats = _free_seats(admin, "STL-E", 2)
    for seat_id in seats:
        buyer.select(seat_id)
    buyer.expect_cart(seats)
    buyer.checkout()
    buyer.book(name="Grace Buyer")
    reference = buyer.page.locator("#confirmation-ref")
    expect(reference).to_have_text(re.compile(r"^[A-HJ-NP-Z2-9]{8}$"))
    for seat_id in seats:
        admin.expect_seat(seat_id, "booked")
    cancelled_before = admin.page.locator("#orders-cancelled").inner_text()
    admin.cancel_order(reference.inner_text())
    expect(admin.message()).to_contain_text("is cancelled; its 2 seats are available again")
    for seat_id in seats:
        buyer.expect_seat(seat_id, "available", timeout_ms=2000)
        admin.expect_seat(seat_id, "available")
    expect(admin.page.locator("#orders-cancelled")).to_have_text(
        str(int(cancelled_before.replace(",", "")) + 1)
    )
    expect(admin.page.locator("#audit-list li").first).to_contain_text(
        f"cancelled order {reference.inner_text()}"
    )
    admin.cancel_order(reference.inner_text())
    expect(admin.message()).to_contain_text(re.compile("cancel", re.IGNORECASE))
    expect(admin.message()).not_to_contain_text("is cancelled; its")


def test_admin_live_exports_the_orders_as_csv_and_json(
    pages: tuple[Opener, Any], admin_stack: ScriptStack, theatre: dict[str, Any]
) -> None:
    """The CSV download parses with one row per seat in the promised columns; JSON too."""
    open_admin, _ = pages
    admin = _logged_in(open_admin, admin_stack, theatre["id"])
    seats = _free_seats(admin, "STL-F", 2)
    order = _book_by_rest(admin_stack, theatre["id"], seats, name="=SUM(A1)")
    download = admin.export("csv")
    assert download.suggested_filename == f"{theatre['id']}-orders.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == CSV_COLUMNS
    rows = [row for row in reader if row["reference"] == order["reference"]]
    assert sorted(row["seat"] for row in rows) == sorted(seats)
    for row in rows:
        assert row["status"] == "confirmed"
        assert row["currency"] == "EUR"
        assert float(row["price"]) == theatre["prices"]["Stalls"]
        assert row["buyer_name"] == "'=SUM(A1)"
    expect(admin.message()).to_have_text(f"Saved {theatre['id']}-orders.csv.")
    download = admin.export("json")
    assert download.suggested_filename == f"{theatre['id']}-orders.json"
    orders = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert order["reference"] in [entry["reference"] for entry in orders]


@pytest.mark.parametrize(("plan_name", "order_size"), [("theatre", 4), ("arena", ORDER_SIZE)])
def test_admin_live_busy_event_at_1280_by_800(
    pages: tuple[Opener, Callable[[str], SeatMapPage]],
    admin_stack: ScriptStack,
    plan_name: str,
    order_size: int,
) -> None:
    """A busy event (front rows sold, house seats at the back, holds about to lapse, one
    order cancelled) shows at 1280 x 800 with every figure; the screenshot is kept."""
    open_admin, open_public = pages
    event = create_event(admin_stack, plan_name, name=f"{plan_name.title()} gala")
    plan = json.loads((PROJECT_ROOT / "venues" / f"{plan_name}.json").read_text())
    rows = [
        [seat["seat_guid"] for seat in row["seats"]]
        for zone in plan["zones"][:-1]
        for index, row in enumerate(zone["rows"])
        if index < len(zone["rows"]) * (0.4 + 0.2 * (len(zone["name"]) % 3))
    ]
    sold = [seat_id for index, row in enumerate(rows) if index % 3 != 1 for seat_id in row]
    orders = [
        _book_by_rest(admin_stack, event["id"], sold[start : start + order_size])
        for start in range(0, len(sold), order_size)
    ]
    # House seats: the back rows of the last block, which nobody bought.
    house = [seat["seat_guid"] for row in plan["zones"][-1]["rows"][-2:] for seat in row["seats"]]
    token = {"Authorization": f"Bearer {_token(admin_stack)}", "X-Operator": "sam"}
    with httpx.Client(base_url=admin_stack.base_url, headers=token, timeout=10) as client:
        for path, body in (
            (f"/api/admin/events/{event['id']}/state", {"state": "on_sale"}),
            (f"/api/admin/events/{event['id']}/blocks", {"seat_ids": house, "blocked": True}),
            (f"/api/admin/orders/{orders[len(orders) // 2]['reference']}/cancel", None),
        ):
            answer = client.post(path, json=body)
            assert answer.is_success, answer.text
    admin = _logged_in(open_admin, admin_stack, event["id"])
    open_public(event["id"])
    free = [seat_id for row in rows[1::3][:40] for seat_id in row[:2]]
    base = f"http://127.0.0.1:{admin_stack.ports['BOOKING_PORT']}/api/events/{event['id']}"
    for start in range(0, len(free), 4):
        holds = {"seat_ids": free[start : start + 4], "user_id": f"viewer-{plan_name}-{start}"}
        held = httpx.post(f"{base}/holds", json=holds)
        assert held.is_success, held.text
    expect(admin.total("held")).to_have_text(f"{len(free):,}")
    expect(admin.page.locator("#lapsing-list li")).to_have_count(min(20, len(free)))
    expect(admin.total("blocked")).to_have_text(f"{len(house):,}")
    expect(admin.page.locator("#orders-cancelled")).to_have_text("1")
    expect(admin.page.locator("#people-connected")).to_have_text("1")
    expect(admin.page.locator("#audit-list li")).to_have_count(3)
    name = f"admin-dashboard-{plan_name}-1280x800"
    print(f"screenshot: {admin.screenshot(ARTIFACTS, name, full_page=False)}")
