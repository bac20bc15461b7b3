"""The map's own controls in Chromium against the whole stack: zoom, pan and the step-through."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect

from tests.browser.seatmap_page import SeatMapPage
from tests.script_stack import ScriptStack

OpenPage = Callable[[ScriptStack], SeatMapPage]


def test_venue_map_zooms_with_buttons_wheel_and_keys(
    web_stack: ScriptStack, open_page: OpenPage
) -> None:
    """Zoom buttons, the wheel, the 0 key and Fit each change the map's zoom."""
    page = open_page(web_stack)
    assert page.zoom_scale() == 1.0
    page.page.locator("#zoom-in").click()
    zoomed = page.wait_zoom(">", 1.0)
    page.page.locator("#zoom-out").click()
    page.wait_zoom("<", zoomed)
    page.page.locator("#zoom-fit").click()
    page.wait_zoom("==", 1.0)
    box = page.page.locator("#map-viewport").bounding_box()
    assert box is not None
    page.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.page.mouse.wheel(0, -400)
    page.wait_zoom(">", 1.0)
    page.seat(page.first_available()).focus()
    page.page.keyboard.press("0")
    page.wait_zoom("==", 1.0)


def test_venue_map_step_through_books_with_the_keyboard_alone(
    web_stack: ScriptStack, open_page: OpenPage
) -> None:
    """Block, row and seat chosen from the lists by keys, then Hold and Book, never the map."""
    page = open_page(web_stack)
    keyboard = page.page.keyboard
    page.tab_to("step-block")
    page.tab_to("step-row")
    keyboard.press("ArrowDown")
    page.tab_to("step-seat")
    keyboard.press("ArrowDown")
    seat_id = page.page.locator("#step-seat").input_value()
    option = page.page.locator(f'#step-seat option[value="{seat_id}"]')
    expect(option).to_have_text(re.compile(r"^Seat \d+, available"))
    page.tab_to("step-hold")
    keyboard.press("Enter")
    page.expect_seat(seat_id, "held", mine=True)
    expect(option).to_have_text(re.compile(r"held by you"))
    expect(page.page.locator("#book-btn")).to_be_focused()
    keyboard.press("Enter")
    page.expect_seat(seat_id, "booked")
    expect(option).to_have_text(re.compile(r"booked by you"))
