"""The cart on the page in real Chromium browsers: by hand, best available, checkout, Book."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, WebSocketRoute, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.events import create_event
from tests.browser.seatmap_page import SeatMapPage
from tests.script_stack import ScriptStack

# Long enough for a test to fill a cart by hand, short enough to see checkout add time.
HOLD_SECONDS = 20
CHECKOUT_SECONDS = 120
PRICE = "€45.00"
REFERENCE = re.compile(r"^[A-HJ-NP-Z2-9]{8}$")
Opener = Callable[..., SeatMapPage]


@pytest.fixture(scope="module")
def cart_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptStack]:
    stack = ScriptStack(
        tmp_path_factory.mktemp("cart"),
        hold_seconds=HOLD_SECONDS,
        CHECKOUT_SECONDS=str(CHECKOUT_SECONDS),
    )
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture
def open_cart(
    chromium: Browser, cart_stack: ScriptStack, request: pytest.FixtureRequest
) -> Iterator[Opener]:
    """Open pages (one browser context each, so one session each); screenshots kept after."""
    pages: list[SeatMapPage] = []

    def open_one(*, event_id: str | None = None, phone: bool = False) -> SeatMapPage:
        page = SeatMapPage(chromium, cart_stack.base_url)
        if phone:
            page.page.set_viewport_size({"width": 390, "height": 844})
        pages.append(page.open(event_id=event_id))
        return page

    yield open_one
    for index, page in enumerate(pages, start=1):
        page.screenshot(ARTIFACTS, f"{request.node.name}-{index}")
        page.page.context.close()


def _free_in_row(page: SeatMapPage, row: str, count: int) -> list[str]:
    """The first ``count`` seats of the default grid's ``row`` that are free, left to right."""
    ids: list[str] = page.page.eval_on_selector_all(
        f'circle.available[data-seat-id^="{row}"]', "(seats) => seats.map((s) => s.dataset.seatId)"
    )
    seats = sorted((s for s in ids if re.fullmatch(rf"{row}\d+", s)), key=lambda s: int(s[1:]))
    assert len(seats) >= count, f"row {row} has only {len(seats)} free seats"
    return seats[:count]


def _numbers(seat_ids: list[str]) -> list[int]:
    return sorted(int(re.sub(r"^\D+", "", seat_id.rsplit("-", 1)[-1])) for seat_id in seat_ids)


def test_cart_page_group_of_four_by_hand(open_cart: Opener) -> None:
    """Four seats clicked go into the cart with prices and total; a remove gives one back."""
    page, other = open_cart(), open_cart()
    group = _free_in_row(page, "B", 4)
    for seat_id in group:
        page.select(seat_id)
    page.expect_cart(group)
    for seat_id in group:
        page.expect_seat(seat_id, "held", mine=True)
        other.expect_seat(seat_id, "held", mine=False)
    items = page.page.locator("#cart-seats li")
    expect(items.first.locator(".cart-seat-name")).to_have_text(f"Row B, Seat {group[0][1:]}")
    expect(items.first.locator(".cart-seat-detail")).to_have_text("Hall · Standard")
    expect(items.first.locator(".cart-seat-price")).to_have_text(PRICE)
    expect(page.page.locator("#cart-total")).to_contain_text("Total, 4 seats")
    expect(page.page.locator("#cart-total-amount")).to_have_text("€180.00")
    expect(page.page.locator("#book-btn")).to_have_text("Book 4 seats")
    assert 0 < page.seconds_left() <= HOLD_SECONDS
    page.release(group[1])
    page.expect_cart([group[0], *group[2:]])
    other.expect_seat(group[1], "available")
    # A click on a seat of the cart takes it out too.
    page.select(group[3])
    page.expect_cart([group[0], group[2]])
    other.expect_seat(group[3], "available")
    expect(page.page.locator("#cart-total-amount")).to_have_text("€90.00")
    for shown in (page, other):
        free = shown.page.locator("circle.available[data-seat-id]").count()
        expect(shown.page.locator("#available-count")).to_have_text(
            f"{free} of 100 seats available"
        )


def test_cart_page_best_available_three(open_cart: Opener) -> None:
    """Best available 3 puts three seats side by side in one row into the cart."""
    page, other = open_cart(), open_cart()
    page.best_available(3)
    expect(page.page.locator("#cart-seats li")).to_have_count(3)
    chosen = page.cart()
    assert len({seat_id[0] for seat_id in chosen}) == 1, chosen
    numbers = _numbers(chosen)
    assert numbers == list(range(numbers[0], numbers[0] + 3)), chosen
    expect(page.message()).to_contain_text("Found 3 seats for you")
    for seat_id in chosen:
        page.expect_seat(seat_id, "held", mine=True)
        other.expect_seat(seat_id, "held", mine=False)


def test_cart_page_best_available_in_a_category(cart_stack: ScriptStack, open_cart: Opener) -> None:
    """In the theatre, best available 2 of one category picks two seats of that category."""
    theatre = create_event(cart_stack, "theatre")
    # A box's rows have three seats: two of them would strand the third.
    category = "Circle"
    price = theatre["prices"][category]
    page = open_cart(event_id=theatre["id"])
    page.best_available(2, category=category)
    expect(page.page.locator("#cart-seats li")).to_have_count(2)
    for item in page.page.locator("#cart-seats li").all():
        expect(item.locator(".cart-seat-detail")).to_have_text(category)
        expect(item.locator(".cart-seat-name")).to_have_text(re.compile(r"^Row \w+, Seat \d+$"))
        expect(item.locator(".cart-seat-price")).to_have_text(f"€{price:.2f}")
    expect(page.page.locator("#cart-total-amount")).to_have_text(f"€{2 * price:.2f}")


def _hide_updates_of(seat_id: str) -> Callable[[WebSocketRoute], None]:
    """A WebSocket route that passes every frame on but the updates of ``seat_id``: its
    SEAT_UPDATEs, and its elements of SEAT_UPDATES frames."""

    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def to_page(message: str | bytes) -> None:
            frame: dict[str, Any] = json.loads(message)
            data = frame.get("data") or {}
            if frame.get("type") == "SEAT_UPDATE" and data.get("seat_id") == seat_id:
                return
            if frame.get("type") == "SEAT_UPDATES":
                updates = [u for u in data.get("updates", []) if u.get("seat_id") != seat_id]
                if not updates:
                    return
                message = json.dumps({**frame, "data": {**data, "updates": updates}})
            socket.send(message)

        server.on_message(to_page)

    return route


def test_cart_page_conflict_mid_way_keeps_the_other_seats(
    chromium: Browser, cart_stack: ScriptStack, open_cart: Opener
) -> None:
    """A seat another browser took first is refused with the server's sentence; the rest stay."""
    other = open_cart()
    group = _free_in_row(other, "C", 3)
    page = SeatMapPage(chromium, cart_stack.base_url)
    # This page does not hear of the other's hold in time, as on a slow network.
    page.page.route_web_socket(re.compile(r"/ws$"), _hide_updates_of(group[2]))
    try:
        page.open()
        page.select(group[0])
        page.select(group[1])
        page.expect_cart(group[:2])
        other.select(group[2])
        other.expect_cart(group[2:])
        page.select(group[2])
        expect(page.message()).to_have_text(
            f"Seat {group[2]} was just taken by someone else — your other seats are still held"
        )
        page.expect_settled()
        assert sorted(page.cart()) == sorted(group[:2])
        for seat_id in group[:2]:
            page.expect_seat(seat_id, "held", mine=True)
    finally:
        page.screenshot(ARTIFACTS, "cart-page-conflict")
        page.page.context.close()


def test_cart_page_checkout_adds_time_once(open_cart: Opener) -> None:
    """Continue to checkout moves the countdown to the checkout deadline and turns itself off."""
    page = open_cart()
    seat_id = _free_in_row(page, "D", 1)[0]
    page.select(seat_id)
    page.expect_cart([seat_id])
    assert page.seconds_left() <= HOLD_SECONDS
    checkout = page.page.locator("#checkout-btn")
    page.checkout()
    expect(checkout).to_be_disabled()
    expect(checkout).to_have_text("Checkout time added")
    page.page.wait_for_function(
        "(hold) => !/^\\d+ s/.test(document.getElementById('countdown-text').textContent)",
        arg=HOLD_SECONDS,
    )
    assert HOLD_SECONDS < page.seconds_left() <= CHECKOUT_SECONDS
    expect(page.message()).to_contain_text("Checkout time added")


def test_cart_page_book_confirms_and_my_tickets_survive_a_reload(open_cart: Opener) -> None:
    """Book shows the order's reference, seats and total; My tickets lists it, also after reload."""
    page, other = open_cart(), open_cart()
    group = _free_in_row(page, "E", 2)
    for seat_id in group:
        page.select(seat_id)
    page.expect_cart(group)
    page.checkout()
    expect(page.page.locator("#checkout-btn")).to_be_disabled()
    page.book(name="Ada Lovelace", email="ada@example.org")
    confirmation = page.page.locator("#confirmation")
    expect(confirmation).to_be_visible()
    reference = page.page.locator("#confirmation-ref").inner_text()
    assert REFERENCE.match(reference), reference
    expect(page.page.locator("#confirmation-seats li")).to_have_count(2)
    expect(page.page.locator("#confirmation-total")).to_have_text("Total €90.00")
    expect(page.message()).to_contain_text(f"Your reference is {reference}")
    for seat_id in group:
        page.expect_seat(seat_id, "booked")
        other.expect_seat(seat_id, "booked")
    page.expect_cart([])
    tickets = page.page.locator("#tickets-list .ticket")
    expect(tickets).to_have_count(1)
    expect(tickets.first).to_contain_text(reference)
    expect(tickets.first).to_contain_text("€90.00")
    page.page.reload()
    page.wait_live()
    expect(tickets).to_have_count(1)
    expect(tickets.first).to_contain_text(reference)
    expect(tickets.first).to_contain_text(f"Hall, Row E, Seat {group[0][1:]}")
    expect(other.page.locator("#tickets")).to_be_hidden()


class LoseFirstBookingAnswer:
    """A WebSocket route passing frames both ways that cuts the connection instead of
    delivering the first BOOK_CART_RESPONSE: the booking is made, its answer lost."""

    def __init__(self) -> None:
        self.lost: list[dict[str, Any]] = []

    def __call__(self, socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def to_page(message: str | bytes) -> None:
            frame: dict[str, Any] = json.loads(message)
            if frame.get("type") == "BOOK_CART_RESPONSE" and not self.lost:
                self.lost.append(frame["data"])
                socket.close(code=1011, reason="lost")
                return
            socket.send(message)

        server.on_message(to_page)


def test_cart_page_book_answer_lost_is_resent_with_its_key(
    chromium: Browser, cart_stack: ScriptStack
) -> None:
    """A Book whose answer a dropped connection lost is sent again after the reconnect with
    the same key, and the page shows the one order it made."""
    page = SeatMapPage(chromium, cart_stack.base_url)
    route = LoseFirstBookingAnswer()
    page.page.route_web_socket(re.compile(r"/ws$"), route)
    try:
        page.open()
        seat_id = _free_in_row(page, "F", 1)[0]
        page.select(seat_id)
        page.expect_cart([seat_id])
        page.book()
        expect(page.page.locator("#confirmation")).to_be_visible(timeout=10_000)
        assert route.lost, "the first answer was not lost"
        assert route.lost[0]["data"]["created"] is True
        reference = page.page.locator("#confirmation-ref").inner_text()
        assert route.lost[0]["data"]["order"]["reference"] == reference
        tickets = page.page.locator("#tickets-list .ticket")
        expect(tickets).to_have_count(1)
        expect(tickets.first).to_contain_text(reference)
        assert page.page.evaluate("sessionStorage.getItem('seat-booking.booking-key')") is None
    finally:
        page.screenshot(ARTIFACTS, "cart-page-book-resent")
        page.page.context.close()


def test_cart_page_two_browsers_racing_for_overlapping_groups(open_cart: Opener) -> None:
    """Two browsers clicking overlapping groups at once never both get a seat."""
    first, second = open_cart(), open_cart()
    row = _free_in_row(first, "G", 6)
    wanted = {first: row[:4], second: row[2:]}
    click_all = """(ids) => {
      for (const id of ids) {
        document.querySelector(`[data-seat-id="${id}"]`)
          .dispatchEvent(new MouseEvent('click', {bubbles: true}));
      }
    }"""
    first.page.evaluate(click_all, wanted[first])
    second.page.evaluate(click_all, wanted[second])
    for page in (first, second):
        page.expect_settled()
    got = {page: set(page.cart()) for page in (first, second)}
    assert not got[first] & got[second], got
    assert got[first] | got[second] == set(row), got
    for page, seats in got.items():
        assert seats <= set(wanted[page])
        for seat_id in seats:
            page.expect_seat(seat_id, "held", mine=True)


def test_cart_page_two_browsers_asking_best_available_at_once(open_cart: Opener) -> None:
    """Two browsers asking for the best 4 seats at the same moment get four seats each, apart."""
    pages = (open_cart(), open_cart())
    for page in pages:
        page.page.locator("#best-quantity").fill("4")
    for page in pages:
        page.page.evaluate("document.getElementById('best').requestSubmit()")
    for page in pages:
        page.expect_settled()
        expect(page.page.locator("#cart-seats li")).to_have_count(4)
    carts = [set(page.cart()) for page in pages]
    assert not carts[0] & carts[1], carts


def test_cart_page_looks_tidy_on_a_phone(open_cart: Opener) -> None:
    """On a phone the cart fits the screen's width and Book stays on screen."""
    page = open_cart(phone=True)
    group = _free_in_row(page, "H", 3)
    for seat_id in group:
        page.select(seat_id)
    page.expect_cart(group)
    width = page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    book = page.page.locator("#book-btn")
    book.scroll_into_view_if_needed()
    expect(book).to_be_in_viewport()
    page.page.screenshot(path=str(_artifact("cart-page-phone.png")))


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


@pytest.mark.slow
def test_cart_page_arena_cart_changes_repaint_only_their_seats(
    cart_stack: ScriptStack, open_cart: Opener
) -> None:
    """On the 19,904-seat arena, filling and emptying a cart repaints only the seats in it."""
    arena = create_event(cart_stack, "arena")
    page = open_cart(event_id=arena["id"])
    page.page.evaluate(
        """() => {
          window.seatRepaints = new Set();
          new MutationObserver((changes) => {
            for (const change of changes) window.seatRepaints.add(change.target.dataset.seatId);
          }).observe(document.querySelector('#seat-map svg'),
                     {attributes: true, attributeFilter: ['class'], subtree: true});
        }"""
    )
    page.page.locator(".block-button", has_text="Block 101").click()
    page.wait_zoom(">", 2.0)
    group: list[str] = page.page.eval_on_selector_all(
        'circle.available[data-seat-id^="B101-"]',
        "(seats) => seats.slice(10, 14).map((s) => s.dataset.seatId)",
    )
    for seat_id in group:
        page.select(seat_id)
    page.expect_cart(group)
    page.release(group[0])
    page.expect_cart(group[1:])
    page.best_available(2)
    page.expect_settled()
    expect(page.page.locator("#cart-seats li")).to_have_count(5)
    repainted = set(page.page.evaluate("[...window.seatRepaints]"))
    assert repainted == set(page.cart()) | {group[0]}, repainted


def test_cart_page_by_keyboard_focus_follows_the_cart(open_cart: Opener) -> None:
    """By keys alone: removing a seat moves focus to the next seat's remove button,
    checkout to the name field, and Book to the confirmation."""
    page = open_cart()
    group = _free_in_row(page, "I", 3)
    for seat_id in group:
        page.seat(seat_id).focus()
        page.page.keyboard.press("Enter")
        page.expect_seat(seat_id, "held", mine=True)
    page.expect_cart(group)
    keyboard = page.page.keyboard
    page.page.locator(f'[data-remove="{group[0]}"]').focus()
    keyboard.press("Enter")
    page.expect_cart(group[1:])
    expect(page.page.locator(f'[data-remove="{group[1]}"]')).to_be_focused()
    page.tab_to("checkout-btn")
    keyboard.press("Enter")
    expect(page.page.locator("#buyer-name")).to_be_focused()
    keyboard.type("Grace Hopper")
    page.tab_to("book-btn")
    keyboard.press("Enter")
    expect(page.page.locator("#confirmation")).to_be_focused()
    for seat_id in group[1:]:
        page.expect_seat(seat_id, "booked")
