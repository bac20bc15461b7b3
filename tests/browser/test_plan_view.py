"""The SVG plan view in Chromium, from a static harness: render time and one-element repaints."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from tests.browser.conftest import ARTIFACTS
from tests.browser.plan_harness import arena_plan, serve_harness, shipped_plan

# Speed goals are met in benchmarks; this bound only catches a map gone badly wrong.
RENDER_BOUND_MS = 5000
# Counts every mutation in the map after one seat change, once the frame has settled.
COUNT_MUTATIONS = """async (change) => {
  const touched = new Set();
  let records = 0;
  const observer = new MutationObserver((list) => {
    for (const record of list) { records += 1; touched.add(record.target); }
  });
  observer.observe(document.getElementById('seat-map'),
                   { subtree: true, attributes: true, childList: true, characterData: true });
  window.harness.apply(change);
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  observer.disconnect();
  return { elements: touched.size, records,
           ids: Array.from(touched, (el) => el.dataset?.seatId ?? el.tagName) };
}"""


@pytest.fixture(scope="module")
def harness_url() -> Iterator[str]:
    with serve_harness() as url:
        yield url


@pytest.fixture
def page(chromium: Browser, harness_url: str) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []

    def keep_error(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", keep_error)
    page.goto(harness_url)
    page.wait_for_function("window.harnessReady === true")
    yield page
    context.close()
    assert not errors, errors


def _record(name: str, text: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_text(text)


@pytest.mark.slow
def test_plan_view_draws_the_arena_within_a_generous_bound(page: Page) -> None:
    """Every seat of a ~20,000-seat arena becomes one circle; the render time is recorded."""
    plan = shipped_plan("arena")
    seats = sum(len(row["seats"]) for zone in plan["zones"] for row in zone["rows"])
    times = [page.evaluate("(plan) => window.harness.draw(plan)", plan) for _ in range(3)]
    page.screenshot(path=str(ARTIFACTS / "plan-view-arena.png"))
    _record(
        "plan-view-render.txt",
        f"{seats} seats, draw to first paint in Chromium: "
        + ", ".join(f"{ms:.0f} ms" for ms in times)
        + "\n",
    )
    assert page.locator("circle[data-seat-id]").count() == seats
    assert min(times) < RENDER_BOUND_MS, times


def test_plan_view_seat_change_touches_one_element(page: Page) -> None:
    """A SEAT_UPDATE changes the attributes of exactly one element: that seat's circle."""
    plan = shipped_plan("arena")
    page.evaluate("(plan) => window.harness.draw(plan)", plan)
    seat_id = plan["zones"][3]["rows"][2]["seats"][5]["seat_guid"]
    page.evaluate(
        "(venue) => window.harness.render(venue)", {"compact": True, "version": 1, "seats": []}
    )
    change = {
        "seat_id": seat_id,
        "version": 2,
        "seat": {"id": seat_id, "row": 2, "col": 5, "status": 1, "held_by": "x", "holder": "h"},
    }
    counted = page.evaluate(COUNT_MUTATIONS, change)
    assert counted["elements"] == 1, counted
    assert counted["ids"] == [seat_id]
    assert "held" in (page.locator(f'[data-seat-id="{seat_id}"]').get_attribute("class") or "")


def test_plan_view_compact_state_leaves_unlisted_seats_available(page: Page) -> None:
    """A compact VENUE_STATE paints its listed and booked seats and turns every other seat
    available."""
    plan = arena_plan(blocks=2, rows=2, seats=3)
    page.evaluate("(plan) => window.harness.draw(plan)", plan)
    full = {"version": 1, "seats": [{"id": "B1-1-1", "row": 0, "col": 0, "status": 2}]}
    page.evaluate("(venue) => window.harness.render(venue)", full)
    compact = {
        "compact": True,
        "version": 2,
        "seats": [],
        "booked": ["B2-1-2"],
        "blocked": ["B2-1-1"],
    }
    page.evaluate("(venue) => window.harness.render(venue)", compact)
    classes = page.evaluate(
        "Object.fromEntries(Array.from(document.querySelectorAll('[data-seat-id]'),"
        " (el) => [el.dataset.seatId, el.getAttribute('class')]))"
    )
    assert classes["B1-1-1"] == "seat available"
    assert classes["B2-1-1"] == "seat blocked"
    assert classes["B2-1-2"] == "seat booked"
    assert sum(value == "seat available" for value in classes.values()) == len(classes) - 2


@pytest.mark.parametrize("name", ["hall", "theatre"])
def test_plan_view_draws_every_seat_of_a_shipped_plan(page: Page, name: str) -> None:
    """Each shipped plan draws one circle per seat, plus its areas (the stage among them)."""
    plan = shipped_plan(name)
    seats = sum(len(row["seats"]) for zone in plan["zones"] for row in zone["rows"])
    page.evaluate("(plan) => window.harness.draw(plan)", plan)
    page.screenshot(path=str(ARTIFACTS / f"plan-view-{name}.png"))
    assert page.locator("circle[data-seat-id]").count() == seats
    assert page.locator(".areas text", has_text="Stage").count() == 1


def test_plan_view_paints_each_state_with_its_classes(page: Page) -> None:
    """Held, held by this session, booked and blocked seats each get their classes."""
    plan = shipped_plan("hall")
    ids = [
        seat["seat_guid"] for zone in plan["zones"] for row in zone["rows"] for seat in row["seats"]
    ]
    page.evaluate("(plan) => window.harness.draw(plan)", plan)
    page.evaluate("(holder) => window.harness.setHolder(holder)", "me")
    held = {"status": 1, "held_by": "u", "expires_at": 2e9}
    seats = [
        {"id": ids[0], **held, "holder": "someone"},
        {"id": ids[1], **held, "holder": "me"},
        {"id": ids[2], "status": 2, "booked_by": "u"},
        {"id": ids[3], "status": 0, "blocked": True},
    ]
    page.evaluate(
        "(venue) => window.harness.render(venue)", {"compact": True, "version": 1, "seats": seats}
    )
    page.screenshot(path=str(ARTIFACTS / "plan-view-states.png"))
    classes = [
        page.locator(f'[data-seat-id="{seat_id}"]').get_attribute("class") for seat_id in ids[:5]
    ]
    assert classes == [
        "seat held",
        "seat held mine",
        "seat booked",
        "seat blocked",
        "seat available",
    ]
