"""Fixtures: the system Chromium and a stack (3 s holds) started by ./start-all.sh."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.seatmap_page import SeatMapPage, launch_chromium
from tests.script_stack import ScriptStack
from tests.servers import PROJECT_ROOT

HOLD_SECONDS = 3.0
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the browser tests' screenshots are, so they can be looked at."""
    if ARTIFACTS.is_dir():
        terminalreporter.write_line(f"browser screenshots: {ARTIFACTS}")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptStack]:
    stack = ScriptStack(tmp_path_factory.mktemp("web"), hold_seconds=HOLD_SECONDS)
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[ScriptStack]:
    """A stack (30 s holds) for one test that breaks it; stopped after the screenshots."""
    stack = ScriptStack(tmp_path / "stack")
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture
def open_page(
    chromium: Browser, request: pytest.FixtureRequest
) -> Iterator[Callable[[ScriptStack], SeatMapPage]]:
    """Open seat-map pages (one browser context each); screenshots are kept afterwards."""
    pages: list[SeatMapPage] = []

    def open_one(stack: ScriptStack) -> SeatMapPage:
        page = SeatMapPage(chromium, stack.base_url).open()
        pages.append(page)
        return page

    yield open_one
    name = request.node.name
    for index, page in enumerate(pages, start=1):
        page.screenshot(ARTIFACTS, f"{name}-{index}")
        page.page.context.close()
