"""Two headless Chromium pages on a running stack; what one does, the other shows.

``python -m scripts.browser_probe BASE_URL [--screenshots DIR]`` (from the project
folder). Exits 0 when hold, booking and release each show in both pages within 1 s.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests.browser.seatmap_page import SeatMapPage, launch_chromium


def run(base_url: str, screenshots: Path) -> str:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            first, second = (
                SeatMapPage(browser, base_url).open(),
                SeatMapPage(browser, base_url).open(),
            )
            seat_id = first.first_available()
            first.select(seat_id)
            first.expect_seat(seat_id, "held", mine=True)
            second.expect_seat(seat_id, "held", mine=False)
            first.release(seat_id)
            second.expect_seat(seat_id, "available")
            first.select(seat_id)
            first.expect_seat(seat_id, "held", mine=True)
            first.book()
            first.expect_seat(seat_id, "booked")
            second.expect_seat(seat_id, "booked")
            first.screenshot(screenshots, "frontend-first")
            second.screenshot(screenshots, "frontend-second")
        finally:
            browser.close()
    return f"{seat_id}: held, released and booked, live in both pages"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("--screenshots", type=Path, default=Path("test-artifacts"))
    args = parser.parse_args()
    try:
        outcome = run(args.base_url, args.screenshots)
    except (AssertionError, PlaywrightError) as exc:
        sys.stderr.write(f"frontend: {exc}\n")
        sys.exit(1)
    sys.stdout.write(f"{outcome}\n")


if __name__ == "__main__":
    main()
