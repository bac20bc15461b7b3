"""The theatre and arena as events created through the operator API, in real Chromium pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, WebSocket, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.events import create_event, operator_post
from tests.browser.seatmap_page import SeatMapPage
from tests.script_stack import ScriptStack
from tests.servers import PROJECT_ROOT

# Speed goals are met in benchmarks; this bound only catches a map gone badly wrong.
RENDER_BOUND_MS = 5000
Opener = Callable[..., SeatMapPage]


def _seat_ids(plan: str) -> list[str]:
    """Every seat id of a shipped plan, in plan order."""
    data = json.loads((PROJECT_ROOT / "venues" / f"{plan}.json").read_text())
    return [
        seat["seat_guid"] for zone in data["zones"] for row in zone["rows"] for seat in row["seats"]
    ]


@pytest.fixture(scope="module")
def events(web_stack: ScriptStack) -> dict[str, dict[str, Any]]:
    """A theatre and an arena event on the module's stack."""
    return {plan: create_event(web_stack, plan) for plan in ("theatre", "arena")}


@pytest.fixture
def open_event(
    chromium: Browser, web_stack: ScriptStack, request: pytest.FixtureRequest
) -> Iterator[Opener]:
    """Open pages of an event (one browser context each); screenshots are kept afterwards."""
    pages: list[SeatMapPage] = []

    def open_one(event_id: str) -> SeatMapPage:
        page = SeatMapPage(chromium, web_stack.base_url).open(event_id=event_id)
        pages.append(page)
        return page

    yield open_one
    for index, page in enumerate(pages, start=1):
        page.screenshot(ARTIFACTS, f"{request.node.name}-{index}")
        page.page.context.close()


def _record(name: str, line: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / name).open("a") as out:
        out.write(line + "\n")


def test_event_map_theatre_draws_its_plan_with_prices(
    events: dict[str, dict[str, Any]], open_event: Opener
) -> None:
    """The theatre's page draws every seat, the stage, and a legend of its category prices."""
    theatre = events["theatre"]
    page = open_event(theatre["id"])
    seats = page.page.locator("circle[data-seat-id]")
    expect(seats).to_have_count(theatre["seats_total"])
    expect(page.page.locator(".areas text", has_text="Stage")).to_have_count(1)
    legend = page.page.locator("#legend")
    for category, price in theatre["prices"].items():
        expect(legend).to_contain_text(f"{category} · €{price:.2f}")
    expect(page.page.locator("#event-title")).to_have_text(theatre["name"])
    expect(page.page.locator("#events-list a[aria-current=page]")).to_contain_text(theatre["name"])


@pytest.mark.slow
def test_event_map_arena_renders_in_time_and_small(
    events: dict[str, dict[str, Any]], chromium: Browser, web_stack: ScriptStack
) -> None:
    """The arena (a quarter blocked) draws within a generous bound; time and state bytes kept."""
    arena = events["arena"]
    taken = _seat_ids("arena")[::4]
    block = {"seat_ids": taken, "blocked": True}
    operator_post(web_stack, f"events/{arena['id']}/blocks", block, direct=True)
    page = SeatMapPage(chromium, web_stack.base_url)
    frames: list[int] = []

    def watch(socket: WebSocket) -> None:
        socket.on(
            "framereceived",
            lambda payload: (
                frames.append(len(payload)) if '"VENUE_STATE"' in str(payload) else None
            ),
        )

    page.page.on("websocket", watch)
    try:
        page.open(event_id=arena["id"])
        expect(page.page.locator("circle[data-seat-id]")).to_have_count(arena["seats_total"])
        page.page.wait_for_function("() => performance.getEntriesByName('plan-render').length")
        build_ms, render_ms = page.page.evaluate(
            "['plan-build', 'plan-render']"
            ".map((name) => performance.getEntriesByName(name).at(-1).duration)"
        )
        _record(
            "arena-render.txt",
            f"arena {arena['seats_total']} seats, {len(taken)} blocked: SVG built in "
            f"{build_ms:.0f} ms, drawn (to the next frame) in {render_ms:.0f} ms, "
            f"compact VENUE_STATE {frames[0] if frames else '?'} bytes",
        )
        assert render_ms < RENDER_BOUND_MS
        assert frames, "no VENUE_STATE frame seen"
        expect(page.page.locator("circle.blocked[data-seat-id]")).to_have_count(len(taken))
    finally:
        page.screenshot(ARTIFACTS, "event-map-arena")
        page.page.context.close()


@pytest.mark.slow
def test_event_map_arena_block_overview_zooms_into_a_block(
    events: dict[str, dict[str, Any]], open_event: Opener
) -> None:
    """Choosing a block in the overview zooms the map so that block fills the view."""
    page = open_event(events["arena"]["id"])
    page.page.locator(".block-button", has_text="Block 101").click()
    page.wait_zoom(">", 2.0)
    # Panzoom eases to the new view: wait until the block's seats are drawn large.
    first_seat = 'circle[data-seat-id^="B101-"]'
    page.page.wait_for_function(
        "(selector) => document.querySelector(selector).getBoundingClientRect().width > 8",
        arg=first_seat,
    )
    viewport = page.page.locator("#map-viewport").bounding_box()
    seat = page.page.locator(first_seat).first.bounding_box()
    assert viewport is not None
    assert seat is not None
    assert viewport["x"] <= seat["x"] <= viewport["x"] + viewport["width"]
    assert viewport["y"] <= seat["y"] <= viewport["y"] + viewport["height"]


@pytest.mark.slow
def test_event_map_arena_hold_shows_in_other_browser(
    events: dict[str, dict[str, Any]], open_event: Opener
) -> None:
    """A hold of an arena seat in one browser shows as held in another within 1 s."""
    first, second = open_event(events["arena"]["id"]), open_event(events["arena"]["id"])
    first.page.locator(".block-button", has_text="Block 205").click()
    first.wait_zoom(">", 2.0)
    seat_id = (
        first.page.locator('circle.available[data-seat-id^="B205-"]')
        .nth(30)
        .get_attribute("data-seat-id")
    )
    assert seat_id
    first.select(seat_id)
    first.expect_seat(seat_id, "held", mine=True)
    second.expect_seat(seat_id, "held", mine=False, timeout_ms=1000)


def test_event_map_theatre_step_through_books_by_keyboard(
    events: dict[str, dict[str, Any]], open_event: Opener
) -> None:
    """In the theatre, block, row and seat chosen by keys, held and booked without the map."""
    theatre = events["theatre"]
    page, other = open_event(theatre["id"]), open_event(theatre["id"])
    keyboard = page.page.keyboard
    page.tab_to("step-block")
    keyboard.press("ArrowDown")
    page.wait_zoom(">", 1.0)
    page.tab_to("step-row")
    keyboard.press("ArrowDown")
    keyboard.press("ArrowDown")
    page.tab_to("step-seat")
    keyboard.press("ArrowDown")
    seat_id = page.page.locator("#step-seat").input_value()
    option = page.page.locator(f'#step-seat option[value="{seat_id}"]')
    expect(option).to_have_text(re.compile(r"^Seat \w+, available, €\d+\.\d\d"))
    row = page.page.locator("#step-row option:checked")
    free, total = map(int, re.findall(r"(\d+) of (\d+)", row.inner_text())[0])
    page.tab_to("step-hold")
    keyboard.press("Enter")
    page.expect_seat(seat_id, "held", mine=True)
    expect(page.page.locator("#book-btn")).to_be_focused()
    keyboard.press("Enter")
    page.expect_seat(seat_id, "booked")
    other.expect_seat(seat_id, "booked")
    expect(option).to_have_text(re.compile(r"booked by you"))
    expect(row).to_contain_text(f"{free - 1} of {total} available")
    # The line under the map follows the seat it names when that seat changes.
    expect(page.page.locator("#seat-info")).not_to_contain_text("held by you")


def test_event_map_list_opens_another_event(
    events: dict[str, dict[str, Any]], open_event: Opener
) -> None:
    """The events list links to each event; following one draws that event's plan."""
    page = open_event(events["theatre"]["id"])
    page.page.locator("#events-list a", has_text=events["arena"]["name"]).click()
    page.wait_live()
    expect(page.page).to_have_url(re.compile(rf"\?event={events['arena']['id']}$"))
    expect(page.page.locator("circle[data-seat-id]")).to_have_count(events["arena"]["seats_total"])


def test_event_map_scheduled_event_says_sales_have_not_started(
    web_stack: ScriptStack, open_event: Opener
) -> None:
    """Picking a seat of a scheduled event shows the server's sentence, and the seat stays free."""
    event = create_event(web_stack, "theatre", state="scheduled")
    page = open_event(event["id"])
    seat_id = page.first_available()
    page.select(seat_id)
    expect(page.message()).to_contain_text("not started")
    page.expect_seat(seat_id, "available")


def test_event_map_blocked_seat_shows_not_for_sale(
    web_stack: ScriptStack, events: dict[str, dict[str, Any]], open_event: Opener
) -> None:
    """A seat the operator blocks turns `blocked` within 1 s, and a new page shows it so too."""
    theatre = events["theatre"]
    page = open_event(theatre["id"])
    seat_id = (
        page.page.locator('circle.available[data-seat-id^="STL-"]')
        .nth(40)
        .get_attribute("data-seat-id")
    )
    assert seat_id
    block = {"seat_ids": [seat_id], "blocked": True}
    operator_post(web_stack, f"events/{theatre['id']}/blocks", block)
    page.expect_seat(seat_id, "blocked")
    fresh = open_event(theatre["id"])
    fresh.expect_seat(seat_id, "blocked")
    fresh.select(seat_id)
    expect(fresh.message()).to_contain_text("not for sale")


def test_event_map_unknown_event_says_so_and_lists_the_others(
    events: dict[str, dict[str, Any]], chromium: Browser, web_stack: ScriptStack
) -> None:
    """`/?event=` of no event says "No such event" where the map would be and lists the events."""
    page = SeatMapPage(chromium, web_stack.base_url)
    try:
        page.page.goto(f"{web_stack.base_url}/?event=no-such-event")
        expect(page.page.locator("#available-count")).to_contain_text("No such event")
        expect(page.page.locator("#events-list a")).not_to_have_count(0)
        expect(page.page.locator("#events")).to_be_visible()
    finally:
        page.screenshot(ARTIFACTS, "event-map-unknown-event")
        page.page.context.close()


def test_event_map_theatre_arrow_keys_walk_rows_and_seats(
    events: dict[str, dict[str, Any]], open_event: Opener
) -> None:
    """On the theatre's curved rows, → moves along a row and ↓ to the next row of the block."""
    page = open_event(events["theatre"]["id"])
    page.tab_to_seat()
    assert page.focused()["seat"] == "STL-A1"
    page.page.keyboard.press("ArrowRight")
    assert page.focused()["seat"] == "STL-A2"
    page.page.keyboard.press("ArrowDown")
    assert (page.focused()["seat"] or "").startswith("STL-B")
    page.page.keyboard.press("Home")
    assert page.focused()["seat"] == "STL-B1"
    label = page.page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label == "Stalls, Row B, Seat 1, available"


@pytest.mark.slow
def test_event_map_pinch_zooms_in(
    events: dict[str, dict[str, Any]], chromium: Browser, web_stack: ScriptStack
) -> None:
    """Two fingers moving apart on the arena's map zoom it in."""
    page = SeatMapPage(chromium, web_stack.base_url, touch=True).open(
        event_id=events["arena"]["id"]
    )
    try:
        box = page.page.locator("#map-viewport").bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        cdp = page.page.context.new_cdp_session(page.page)

        def touch(kind: str, spread: float) -> None:
            points = [] if kind == "touchEnd" else [(x - spread, y), (x + spread, y)]
            cdp.send(
                "Input.dispatchTouchEvent",
                {
                    "type": kind,
                    "touchPoints": [
                        {"x": px, "y": py, "id": index} for index, (px, py) in enumerate(points)
                    ],
                },
            )

        touch("touchStart", 20)
        for step in range(1, 11):
            touch("touchMove", 20 + 12 * step)
        touch("touchEnd", 0)
        page.wait_zoom(">", 1.5)
    finally:
        page.screenshot(ARTIFACTS, "event-map-pinch")
        page.page.context.close()
