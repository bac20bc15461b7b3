"""The seat map in real Chromium browsers against the whole stack behind NGINX."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import httpx
from playwright.sync_api import Browser

from tests.browser.conftest import ARTIFACTS, HOLD_SECONDS
from tests.browser.seatmap_page import SeatMapPage
from tests.script_stack import ScriptStack

OpenPage = Callable[[ScriptStack], SeatMapPage]


def _hold(first: SeatMapPage, second: SeatMapPage) -> str:
    """Hold a free seat in ``first``; wait until it shows as held in both. Returns its id."""
    seat_id = first.first_available()
    first.select(seat_id)
    first.expect_seat(seat_id, "held", mine=True)
    second.expect_seat(seat_id, "held", mine=False)
    return seat_id


def test_seat_map_hold_shows_in_other_browser(web_stack: ScriptStack, open_page: OpenPage) -> None:
    """A hold in one browser shows as held (and mine only there) in the other within 1 s."""
    _hold(open_page(web_stack), open_page(web_stack))


def test_seat_map_same_user_id_never_makes_a_hold_mine(
    web_stack: ScriptStack, chromium: Browser
) -> None:
    """Two pages claiming one user_id each see only their own hold as theirs, not the other's."""
    first = SeatMapPage(chromium, web_stack.base_url).open(user_id="twin")
    second = SeatMapPage(chromium, web_stack.base_url).open(user_id="twin")
    try:
        assert first.user_id() == second.user_id() == "twin"
        seat_id = _hold(first, second)
        other = second.first_available()
        second.select(other)
        second.expect_seat(other, "held", mine=True)
        first.expect_seat(other, "held", mine=False)
        first.expect_seat(seat_id, "held", mine=True)
        second.expect_seat(seat_id, "held", mine=False)
    finally:
        for index, page in enumerate((first, second), start=1):
            page.screenshot(ARTIFACTS, f"same-user-id-{index}")
            page.page.context.close()


def test_seat_map_booking_shows_in_both(web_stack: ScriptStack, open_page: OpenPage) -> None:
    """Booking a held seat turns it booked in both browsers within 1 s."""
    first, second = open_page(web_stack), open_page(web_stack)
    seat_id = _hold(first, second)
    first.book()
    first.expect_seat(seat_id, "booked")
    second.expect_seat(seat_id, "booked")


def test_seat_map_release_shows_in_both(web_stack: ScriptStack, open_page: OpenPage) -> None:
    """Releasing a held seat turns it available in both browsers within 1 s."""
    first, second = open_page(web_stack), open_page(web_stack)
    seat_id = _hold(first, second)
    first.release(seat_id)
    first.expect_seat(seat_id, "available")
    second.expect_seat(seat_id, "available")


def test_seat_map_auto_release_shows_in_both(web_stack: ScriptStack, open_page: OpenPage) -> None:
    """A hold nobody books lapses after HOLD_SECONDS and shows available in both browsers."""
    first, second = open_page(web_stack), open_page(web_stack)
    seat_id = _hold(first, second)
    lapse_ms = int((HOLD_SECONDS + 1.5) * 1000)
    first.expect_seat(seat_id, "available", timeout_ms=lapse_ms)
    second.expect_seat(seat_id, "available", timeout_ms=1000)


def test_seat_map_keyboard_only_booking(web_stack: ScriptStack, open_page: OpenPage) -> None:
    """Tab into the map, arrow to a free seat, Enter holds it, and the Book button books it."""
    page = open_page(web_stack)
    keyboard = page.page.keyboard
    for _ in range(30):
        keyboard.press("Tab")
        if page.page.evaluate("document.activeElement?.dataset?.seatId"):
            break
    for _ in range(200):
        focused = page.page.evaluate(
            "[document.activeElement.dataset.seatId, document.activeElement.getAttribute('class')]"
        )
        if " available" in f" {focused[1]}":
            break
        keyboard.press("ArrowRight")
    seat_id = focused[0]
    keyboard.press("Enter")
    page.expect_seat(seat_id, "held", mine=True)
    for _ in range(30):
        keyboard.press("Tab")
        if page.page.evaluate("document.activeElement?.id") == "book-btn":
            break
    keyboard.press("Enter")
    page.expect_seat(seat_id, "booked")


def test_seat_map_recovers_when_an_edge_is_killed(
    own_stack: ScriptStack, open_page: OpenPage
) -> None:
    """After kill -9 of an edge, both pages are live again, keep their hold and show changes."""
    first, second = open_page(own_stack), open_page(own_stack)
    held = _hold(first, second)
    os.kill(own_stack.pid(f"edge-server-{own_stack.edge_ports[0]}"), signal.SIGKILL)
    changed = second.first_available()
    body = {"seat_id": changed, "user_id": "someone-else"}
    assert httpx.post(f"{own_stack.base_url}/api/seats/select", json=body).status_code == 200
    for page in (first, second):
        page.wait_live()
        page.expect_seat(changed, "held", mine=False, timeout_ms=5000)
    first.expect_seat(held, "held", mine=True)
    first.book()
    second.expect_seat(held, "booked")
