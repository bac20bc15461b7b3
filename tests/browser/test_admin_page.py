"""The operator dashboard's page in Chromium behind a real NGINX, against a stand-in server.

NGINX serves frontend/ with its CSP; the operator API and the live socket are answered
by Playwright routes (tests/browser/admin_fixture.py) from one fixed, busy DASHBOARD,
so what the page draws can be checked exactly. test_admin_live.py runs it on a stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.admin_fixture import FIXTURE_TOKEN, FixtureServer, dashboard
from tests.browser.admin_page import AdminPage
from tests.browser.conftest import ARTIFACTS
from tests.servers import NginxServer, free_port

Opener = Callable[..., tuple[AdminPage, FixtureServer]]


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NginxServer]:
    """NGINX serving the frontend; its upstreams listen nowhere (the routes answer)."""
    nowhere = f"127.0.0.1:{free_port()}"
    server = NginxServer(tmp_path_factory.mktemp("admin-nginx"), booking=nowhere, edges=[nowhere])
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def open_admin(
    chromium: Browser, nginx: NginxServer, request: pytest.FixtureRequest
) -> Iterator[Opener]:
    """Open dashboards on the stand-in server; screenshots are kept afterwards."""
    pages: list[AdminPage] = []

    def open_one(*, width: int = 1280, height: int = 800) -> tuple[AdminPage, FixtureServer]:
        page = AdminPage(chromium, nginx.url, width=width, height=height)
        server = FixtureServer(page.page)
        pages.append(page.open())
        return page, server

    yield open_one
    for index, page in enumerate(pages, start=1):
        path = page.screenshot(ARTIFACTS, f"{request.node.name}-{index}")
        print(f"screenshot: {path}")
        page.page.context.close()


@pytest.mark.parametrize("path", ["/admin", "/admin/"])
def test_admin_page_is_served_by_nginx_under_its_csp(nginx: NginxServer, path: str) -> None:
    """/admin and /admin/ answer the dashboard's page (after a redirect, if any), with the CSP."""
    response = httpx.get(nginx.url + path, follow_redirects=True)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>Operator dashboard" in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_admin_page_redirect_keeps_the_address_the_browser_used(nginx: NginxServer) -> None:
    """/admin redirects to the relative /admin/, right behind any mapped port or proxy."""
    response = httpx.get(nginx.url + "/admin")
    assert response.status_code == 301
    assert response.headers["location"] == "/admin/"


def test_admin_page_refuses_a_wrong_token(open_admin: Opener) -> None:
    """A wrong token shows "Wrong token" and nothing else; the dashboard stays hidden."""
    page, _ = open_admin()
    page.log_in("not-the-token")
    expect(page.page.locator("#login-error")).to_have_text("Wrong token")
    expect(page.page.locator("#dashboard")).to_be_hidden()
    assert page.page.evaluate("sessionStorage.length") == 0


def test_admin_page_runs_without_errors_under_the_csp(open_admin: Opener) -> None:
    """Logged in and live, the page (uPlot included) logs no error and breaks no CSP rule."""
    page, _ = open_admin()
    errors: list[str] = []
    page.page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.page.on("pageerror", lambda error: errors.append(str(error)))
    page.page.reload()
    page.log_in(FIXTURE_TOKEN)
    page.wait_live()
    expect(page.page.locator("#sales-chart canvas")).to_have_count(1)
    assert errors == []


def test_admin_page_logs_out_when_the_socket_refuses_a_stored_token(
    chromium: Browser, nginx: NginxServer
) -> None:
    """A token kept from before that the live socket refuses ends in the login form with
    "Wrong token", and is forgotten."""
    page = AdminPage(chromium, nginx.url)
    FixtureServer(page.page)
    stored = json.dumps({"name": "alex", "token": "rotated-away"})
    page.page.add_init_script(
        f"sessionStorage.setItem('seat-booking.operator', {json.dumps(stored)});"
    )
    try:
        page.open()
        expect(page.page.locator("#login-error")).to_have_text("Wrong token")
        expect(page.page.locator("#login-name")).to_have_value("alex")
        assert page.page.evaluate("sessionStorage.getItem('seat-booking.operator')") is None
    finally:
        page.page.context.close()


def test_admin_page_names_the_operator_on_every_call(open_admin: Opener) -> None:
    """The name typed at login goes as X-Operator and in AUTH; "Zoë" is a name, one no
    header can carry is refused at the form (test_admin_live reads "Zoë" in the audit log)."""
    page, server = open_admin()
    page.log_in(FIXTURE_TOKEN, name="Łukasz")
    expect(page.page.locator("#login-error")).to_contain_text("1 to 64 Latin letters")
    page.log_in(FIXTURE_TOKEN, name="Zoë")
    page.wait_live()
    expect(page.page.locator("#operator-name")).to_have_text("Zoë")
    assert server.frames[0] == {"type": "AUTH", "token": FIXTURE_TOKEN, "operator": "Zoë"}
    page.page.get_by_role("button", name="Log out").click()
    page.log_in(FIXTURE_TOKEN, name="sam")
    page.wait_live()
    assert server.operators[-1] == "sam"


def test_admin_page_draws_the_map_on_a_later_frame_when_the_plan_failed(open_admin: Opener) -> None:
    """A plan that could not be fetched leaves the map empty but the figures live; the next
    DASHBOARD fetches it again and draws it."""
    page, server = open_admin()
    server.plan_failures = 1
    page.log_in(FIXTURE_TOKEN)
    page.wait_live()
    expect(page.total("booked")).to_have_text(f"{server.data['totals']['booked']:,}")
    expect(page.page.locator("#occupancy-map [data-seat-id]")).to_have_count(0)
    server.push(server.data)
    page.expect_seat("CIR-A1", "blocked")


def test_admin_page_shows_every_figure_of_the_dashboard(open_admin: Opener) -> None:
    """Totals, tables, revenue in euros, map colours, lapsing holds, feed and audit log show."""
    page, server = open_admin()
    page.log_in(FIXTURE_TOKEN)
    page.wait_live()
    data = server.data
    for state in ("available", "held", "booked", "blocked"):
        expect(page.total(state)).to_have_text(f"{data['totals'][state]:,}")
    euros = f"€{data['revenue']:,.2f}"
    expect(page.page.locator("#revenue")).to_have_text(euros)
    expect(page.page.locator("#sections-body tr")).to_have_count(3)
    expect(page.page.locator("#categories-body tr").first).to_contain_text("€45.00")
    page.expect_seat("CIR-A1", "blocked")
    page.expect_seat("STL-A1", "booked")
    expect(page.page.locator("#occupancy-map .seat.held")).to_have_count(
        sum(1 for state in data["occupancy"].values() if state == "held")
    )
    expect(page.page.locator("#sales-chart canvas")).to_have_count(1)
    expect(page.page.locator("#lapsing-list li")).to_have_count(5)
    expect(page.page.locator("#feed-list li")).to_have_count(12)
    expect(page.page.locator("#audit-list li").first).to_contain_text("alex blocked seats CIR-A1")
    expect(page.page.locator("#event-state")).to_have_text("on sale")
    expect(page.page.locator("#state-open")).to_have_attribute("aria-pressed", "true")


def test_admin_page_counts_down_the_lapsing_holds(open_admin: Opener) -> None:
    """A hold about to lapse counts its seconds down between frames."""
    page, server = open_admin()
    page.log_in(FIXTURE_TOKEN)
    page.wait_live()
    server.push(dashboard(lapse_in=4.0))
    first = page.page.locator("#lapsing-list .lapsing-left").first
    expect(first).to_have_text("4 s")
    expect(first).to_have_text("2 s", timeout=3000)


def test_admin_page_feed_announces_only_new_changes(open_admin: Opener) -> None:
    """The feed is a polite live region, and a frame adds only the changes it has not shown."""
    page, server = open_admin()
    page.log_in(FIXTURE_TOKEN)
    page.wait_live()
    expect(page.page.locator("#feed-list")).to_have_attribute("aria-live", "polite")
    data = dashboard()
    newest = {**data["changes"][0], "version": data["version"] + 1, "seat_id": "BOX-A1"}
    server.push({**data, "version": data["version"] + 1, "changes": [newest, *data["changes"]]})
    expect(page.page.locator("#feed-list li")).to_have_count(13)
    expect(page.page.locator("#feed-list li").first).to_contain_text("Boxes, Row A, Seat 1")


def test_admin_page_reconnects_when_the_socket_drops(open_admin: Opener) -> None:
    """After the live socket closes the page says so, reconnects, and watches the event again."""
    page, server = open_admin()
    page.log_in(FIXTURE_TOKEN)
    page.wait_live()
    server.sockets[-1].close(code=1011, reason="gone")
    expect(page.page.locator("#connection-status")).to_have_attribute("data-state", "reconnecting")
    page.wait_live()
    assert len(server.sockets) == 2
    assert [frame["type"] for frame in server.frames] == ["AUTH", "WATCH", "AUTH", "WATCH"]


def test_admin_page_picks_seats_on_the_map(open_admin: Opener) -> None:
    """Clicking seats on the map puts their ids in the block field; clicking again takes one out."""
    page, _ = open_admin()
    page.log_in(FIXTURE_TOKEN)
    page.wait_live()
    page.page.locator("#map-zoom-in").click()
    for seat_id in ("STL-A2", "STL-A5"):
        page.seat(seat_id).dispatch_event("click")
    expect(page.page.locator("#block-seats")).to_have_value("STL-A2 STL-A5")
    expect(page.seat("STL-A2")).to_have_class(re.compile(r"\bpicked\b"))
    page.seat("STL-A2").dispatch_event("click")
    expect(page.page.locator("#block-seats")).to_have_value("STL-A5")


def test_admin_page_stays_logged_in_on_reload_until_log_out(open_admin: Opener) -> None:
    """The token lives in sessionStorage: a reload stays in, Log out forgets it."""
    page, _ = open_admin()
    page.log_in(FIXTURE_TOKEN)
    page.wait_live()
    page.page.reload()
    page.wait_live()
    page.page.get_by_role("button", name="Log out").click()
    expect(page.page.locator("#login")).to_be_visible()
    assert page.page.evaluate("sessionStorage.getItem('seat-booking.operator')") is None


@pytest.mark.parametrize("width", [390, 1280])
def test_admin_page_fits_the_screen_without_sideways_scrolling(
    open_admin: Opener, width: int
) -> None:
    """At 390 px and at 1280 px wide nothing sticks out sideways."""
    page, _ = open_admin(width=width, height=800)
    page.log_in(FIXTURE_TOKEN)
    page.wait_live()
    scroll_width = page.page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width


def test_admin_page_saves_a_screenshot_at_1280_by_800(open_admin: Opener) -> None:
    """The dashboard as a 1280 x 800 screen shows it (kept under test-artifacts/)."""
    page, _ = open_admin()
    page.log_in(FIXTURE_TOKEN)
    page.wait_live()
    path: Path = page.screenshot(ARTIFACTS, "admin-fixture-1280x800", full_page=False)
    print(f"screenshot: {path}")
