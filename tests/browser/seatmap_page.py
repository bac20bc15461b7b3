"""SeatMapPage: the seat map in a real Chromium, driven the way a person uses it.

Used by the browser tests and by ``test_frontend.sh``. Chromium is the system's
(``/usr/bin/chromium``, or ``CHROMIUM_PATH``); Playwright never downloads a browser.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, Playwright, expect

__all__ = ["SeatMapPage", "launch_chromium"]

# Headless flags that keep Chromium off the network it has no business using.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LIVE_TIMEOUT_MS = 10_000
# Where frontend/js/session.js keeps the page's session.
STORAGE_KEY = "seat-booking.session"
# The scale in the CSS transform Panzoom (frontend/js/zoom.js) sets on the map's canvas.
ZOOM_SCALE = """() => {
  const found = /scale\\(([\\d.]+)\\)/.exec(document.getElementById('seat-map').style.transform);
  return found ? Number(found[1]) : 1;
}"""


def launch_chromium(playwright: Playwright) -> Browser:
    """The system Chromium, headless."""
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


class SeatMapPage:
    """One browser (its own context, so its own session) showing the seat map."""

    def __init__(self, browser: Browser, base_url: str, *, touch: bool = False) -> None:
        context = browser.new_context(viewport={"width": 1100, "height": 900}, has_touch=touch)
        self.page: Page = context.new_page()
        self.base_url = base_url

    def open(self, *, user_id: str | None = None, event_id: str | None = None) -> SeatMapPage:
        """Load the page (of ``event_id``, else the default event) until it is live with the map.

        ``user_id`` is what the page claims to be (as if typed into its stored session),
        without a session token: how someone impersonating another visitor starts.
        """
        if user_id is not None:
            stored = json.dumps({"userId": user_id})
            self.page.add_init_script(
                f"localStorage.setItem({json.dumps(STORAGE_KEY)}, {json.dumps(stored)});"
            )
        query = "" if event_id is None else f"/?event={event_id}"
        self.page.goto(self.base_url + query)
        self.wait_live()
        return self

    def wait_live(self, timeout_ms: int = LIVE_TIMEOUT_MS) -> None:
        expect(self.page.locator("#connection-status")).to_have_attribute(
            "data-state", "live", timeout=timeout_ms
        )
        expect(self.page.locator("[data-seat-id]").first).to_be_visible(timeout=timeout_ms)

    def seat(self, seat_id: str) -> Locator:
        return self.page.locator(f'[data-seat-id="{seat_id}"]')

    def first_available(self) -> str:
        seat_id = self.page.locator("[data-seat-id].available").first.get_attribute("data-seat-id")
        assert seat_id, "no seat is available"
        return seat_id

    def expect_seat(
        self, seat_id: str, status: str, *, mine: bool | None = None, timeout_ms: int = 1000
    ) -> None:
        """Wait until the seat shows ``status`` (and, if given, whether it is ours)."""
        seat = self.seat(seat_id)
        expect(seat).to_have_class(re.compile(rf"\b{status}\b"), timeout=timeout_ms)
        if mine is True:
            expect(seat).to_have_class(re.compile(r"\bmine\b"), timeout=timeout_ms)
        elif mine is False:
            expect(seat).not_to_have_class(re.compile(r"\bmine\b"), timeout=timeout_ms)

    def zoom_scale(self) -> float:
        """The map's zoom: the scale in the transform Panzoom gives the map's canvas."""
        return float(self.page.evaluate(ZOOM_SCALE))

    def wait_zoom(self, relation: str, value: float, timeout_ms: int = 3000) -> float:
        """Wait until the zoom is ``relation`` ("<", ">" or "==") ``value``; returns it."""
        test = {"<": "scale < value", ">": "scale > value", "==": "scale === value"}[relation]
        self.page.wait_for_function(
            f"(value) => {{ const scale = ({ZOOM_SCALE})(); return {test}; }}",
            arg=value,
            timeout=timeout_ms,
        )
        return self.zoom_scale()

    def focused(self) -> dict[str, str | None]:
        """The focused element's id, seat id and class."""
        focused: dict[str, str | None] = self.page.evaluate(
            "({id: document.activeElement?.id ?? null,"
            " seat: document.activeElement?.dataset?.seatId ?? null,"
            " cls: document.activeElement?.getAttribute('class') ?? null})"
        )
        return focused

    def tab_to(self, element_id: str, *, limit: int = 60) -> None:
        """Press Tab until the element with ``element_id`` has focus."""
        for _ in range(limit):
            if self.focused()["id"] == element_id:
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached #{element_id}")

    def tab_to_seat(self, *, limit: int = 60) -> None:
        """Press Tab until a seat of the map has focus."""
        for _ in range(limit):
            if self.focused()["seat"]:
                return
            self.page.keyboard.press("Tab")
        raise AssertionError("Tab never reached a seat")

    def select(self, seat_id: str) -> None:
        """Click a seat: a free one goes into the cart, one of the cart comes out."""
        self.seat(seat_id).click()

    def book(self, *, name: str | None = None, email: str | None = None) -> None:
        """Book the cart with Book, after typing the buyer's details if given."""
        if name is not None:
            self.page.locator("#buyer-name").fill(name)
        if email is not None:
            self.page.locator("#buyer-email").fill(email)
        self.page.locator("#book-btn").click()

    def release(self, seat_id: str) -> None:
        """Take a seat out of the cart with its remove button in the cart panel."""
        self.page.locator(f'#cart-seats [data-remove="{seat_id}"]').click()

    def cart(self) -> list[str]:
        """The ids of the seats the cart panel lists, in its order."""
        ids: list[str] = self.page.eval_on_selector_all(
            "#cart-seats [data-remove]", "(buttons) => buttons.map((b) => b.dataset.remove)"
        )
        return ids

    def expect_cart(self, seat_ids: list[str], *, timeout_ms: int = 3000) -> None:
        """Wait until the cart panel lists exactly ``seat_ids`` (in any order)."""
        self.page.wait_for_function(
            """(wanted) => {
              const ids = [...document.querySelectorAll('#cart-seats [data-remove]')]
                .map((b) => b.dataset.remove).sort();
              return JSON.stringify(ids) === JSON.stringify(wanted);
            }""",
            arg=sorted(seat_ids),
            timeout=timeout_ms,
        )

    def expect_settled(self, *, timeout_ms: int = 5000) -> None:
        """Wait until no cart request is in flight (the cart's list is no longer busy)."""
        expect(self.page.locator("#cart-seats")).to_have_attribute(
            "aria-busy", "false", timeout=timeout_ms
        )

    def best_available(
        self, quantity: int, *, category: str | None = None, split: bool = False
    ) -> None:
        """Ask for the best ``quantity`` seats (of ``category``) with the Best available form."""
        self.page.locator("#best-quantity").fill(str(quantity))
        if category is not None:
            self.page.locator("#best-category").select_option(category)
        self.page.locator("#best-split").set_checked(split)
        self.page.locator("#best-btn").click()

    def checkout(self) -> None:
        self.page.locator("#checkout-btn").click()

    def seconds_left(self) -> int:
        """The countdown's seconds left ("25 s left" or "4:05 left")."""
        text = self.page.locator("#countdown-text").inner_text()
        found = re.match(r"(?:(\d+):(\d\d)|(\d+) s) left", text)
        assert found, text
        minutes, seconds, alone = found.groups()
        return int(alone) if alone else int(minutes) * 60 + int(seconds)

    def user_id(self) -> str:
        """The user id the page shows as its own."""
        return self.page.locator("#user-id").inner_text()

    def message(self) -> Locator:
        return self.page.locator("#messages")

    def screenshot(self, directory: Path, name: str) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path
