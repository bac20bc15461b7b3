"""AdminPage: the operator dashboard (``/admin``) in a real Chromium, used as an operator would."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Download, Locator, Page, expect

__all__ = ["AdminPage"]

LIVE_TIMEOUT_MS = 10_000


class AdminPage:
    """One browser context showing the dashboard."""

    def __init__(
        self, browser: Browser, base_url: str, *, width: int = 1280, height: int = 800
    ) -> None:
        context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True
        )
        self.page: Page = context.new_page()
        self.base_url = base_url

    def open(self) -> AdminPage:
        """Load ``/admin`` (the login form shows unless this tab is logged in)."""
        self.page.goto(self.base_url + "/admin")
        return self

    def log_in(self, token: str, *, name: str = "alex") -> None:
        """Fill the login form and submit it."""
        self.page.get_by_label("Your name").fill(name)
        self.page.get_by_label("Operator token").fill(token)
        self.page.get_by_role("button", name="Log in").click()

    def wait_live(self, timeout_ms: int = LIVE_TIMEOUT_MS) -> None:
        """Wait until the socket is live and the first DASHBOARD has been shown."""
        expect(self.page.locator("#connection-status")).to_have_attribute(
            "data-state", "live", timeout=timeout_ms
        )
        expect(self.page.locator("#admin-main")).to_have_attribute(
            "aria-busy", "false", timeout=timeout_ms
        )

    def pick_event(self, event_id: str) -> None:
        """Watch ``event_id`` and wait until its figures are shown."""
        if self.page.locator("#event-picker").input_value() != event_id:
            self.page.locator("#event-picker").select_option(event_id)
        self.wait_live()

    def total(self, state: str) -> Locator:
        """The totals strip's figure for ``state`` (available, held, booked, blocked)."""
        return self.page.locator(f"#total-{state}")

    def seat(self, seat_id: str) -> Locator:
        return self.page.locator(f'#occupancy-map [data-seat-id="{seat_id}"]')

    def expect_seat(self, seat_id: str, state: str, *, timeout_ms: int = 1000) -> None:
        """Wait until the occupancy map shows ``seat_id`` as ``state``."""
        expect(self.seat(seat_id)).to_have_class(re.compile(rf"\b{state}\b"), timeout=timeout_ms)

    def block(self, seat_ids: list[str], *, blocked: bool = True) -> None:
        """Type seat ids into the block field and press Block (or Unblock)."""
        self.page.locator("#block-seats").fill(" ".join(seat_ids))
        self.page.locator("#block-btn" if blocked else "#unblock-btn").click()

    def cancel_order(self, reference: str) -> None:
        self.page.locator("#cancel-ref").fill(reference)
        self.page.locator("#cancel-btn").click()

    def export(self, format: str) -> Download:
        """Press an export button; the file the browser downloads."""
        with self.page.expect_download() as download:
            self.page.locator(f"#export-{format}").click()
        return download.value

    def message(self) -> Locator:
        return self.page.locator("#action-message")

    def screenshot(self, directory: Path, name: str, *, full_page: bool = True) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path
