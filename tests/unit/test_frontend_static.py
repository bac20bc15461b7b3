"""The static frontend: no HTML built from strings, the page's fixed hooks, local assets only."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
SCRIPTS = sorted(FRONTEND.rglob("*.js"))
HTML_SINKS = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write")


class Elements(HTMLParser):
    """Every start tag of a document as (tag, attributes)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    def by_id(self, element_id: str) -> tuple[str, dict[str, str | None]]:
        matches = [(tag, attrs) for tag, attrs in self.found if attrs.get("id") == element_id]
        assert len(matches) == 1, f"expected one element with id {element_id!r}"
        return matches[0]


@pytest.fixture(scope="module")
def page() -> Elements:
    return Elements((FRONTEND / "index.html").read_text())


def test_frontend_has_scripts() -> None:
    """The checks below have something to check: app.js and its modules."""
    assert FRONTEND / "app.js" in SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_frontend_script_never_writes_html(script: Path) -> None:
    """No script uses an HTML sink, so server text can only ever become text."""
    source = script.read_text()
    for sink in HTML_SINKS:
        assert sink not in source, f"{script.name} uses {sink}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_frontend_script_imports_exist(script: Path) -> None:
    """Every relative ES module import points at a file that is served."""
    for target in re.findall(r"""from\s+['"](\.{1,2}/[^'"]+)['"]""", script.read_text()):
        assert (script.parent / target).resolve().is_file(), f"{script.name}: {target}"


def test_index_has_the_cart_controls(page: Elements) -> None:
    """The cart's buttons, list and forms have the ids the tests and the app rely on."""
    for element_id in ("book-btn", "checkout-btn", "best-btn"):
        assert page.by_id(element_id)[0] == "button"
    assert page.by_id("cart-seats")[0] == "ul"
    for element_id in ("best", "checkout-form"):
        assert page.by_id(element_id)[0] == "form"
    labelled = {attrs.get("for") for tag, attrs in page.found if tag == "label"}
    for element_id in ("best-quantity", "best-category", "buyer-name", "buyer-email"):
        assert element_id in labelled, element_id


def test_index_has_polite_live_region_for_messages(page: Elements) -> None:
    """Messages are announced to screen readers without stealing focus."""
    _, attrs = page.by_id("messages")
    assert attrs.get("aria-live") == "polite"


def test_index_loads_only_local_assets(page: Elements) -> None:
    """No CDN, font service or other network dependency: every src and href is relative."""
    for _, attrs in page.found:
        for name in ("src", "href"):
            value = attrs.get(name)
            if value is not None:
                assert not re.match(r"^([a-z]+:)?//", value), value
                assert value.startswith("#") or (FRONTEND / value).is_file(), value


def test_index_title_names_the_seed_page(page: Elements) -> None:
    """The page's title contains "Concert Seat Booking", as the seed's scripts expect."""
    source = (FRONTEND / "index.html").read_text()
    title = re.search(r"<title>(.*?)</title>", source, re.DOTALL)
    assert title
    assert "Concert Seat Booking" in title.group(1)


def test_stylesheet_styles_the_seat_map_the_page_uses(page: Elements) -> None:
    """styles.css has a `.seat-map` rule, and the page's map carries that class."""
    assert re.search(r"^\.seat-map\s*[{,.]", (FRONTEND / "styles.css").read_text(), re.MULTILINE)
    _, attrs = page.by_id("seat-map")
    assert "seat-map" in (attrs.get("class") or "").split()


def test_app_controller_is_the_seat_booking_app_class() -> None:
    """app.js defines and starts the page's controller as the class SeatBookingApp."""
    source = (FRONTEND / "app.js").read_text()
    assert re.search(r"^export class SeatBookingApp \{", source, re.MULTILINE)
    assert "new SeatBookingApp().start();" in source


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_frontend_never_decides_mine_from_a_user_id(script: Path) -> None:
    """No script compares a seat's held_by or booked_by with an id: "mine" is the holder tag's."""
    source = script.read_text()
    # Comparing one seat's held_by with another's (has the seat changed?) is fine.
    compared = re.findall(r"\.(held_by|booked_by)\s*[!=]==\s*([\w.#]+)", source)
    assert all(other.endswith(f".{name}") for name, other in compared), compared


OWN_SCRIPTS = [script for script in SCRIPTS if "vendor" not in script.parts]
VENDOR = FRONTEND / "vendor"


def test_vendored_files_keep_their_licence() -> None:
    """Every vendored script has its licence file beside it, and the vendor README names it."""
    readme = (VENDOR / "README.md").read_text()
    for script in VENDOR.glob("*.js"):
        stem = script.name.split(".")[0]
        assert (VENDOR / f"{stem}.LICENSE.txt").is_file(), script.name
        assert f"`{script.name}`" in readme, script.name


def test_each_vendored_module_has_one_wrapper() -> None:
    """js/zoom.js wraps the vendored Panzoom and js/admin/sales-chart.js uPlot; no other
    module imports from vendor/."""
    importers = {
        script.relative_to(FRONTEND).as_posix(): found
        for script in OWN_SCRIPTS
        if (found := re.findall(r"from\s+'(?:\.\./)+vendor/([^']+)'", script.read_text()))
    }
    assert importers == {
        "js/zoom.js": ["panzoom.es.js"],
        "js/admin/sales-chart.js": ["uPlot.esm.js"],
    }


def test_index_has_no_inline_scripts_or_styles(page: Elements) -> None:
    """The CSP allows only 'self' scripts and styles: no inline script, style or on* handler."""
    source = (FRONTEND / "index.html").read_text()
    assert "<style" not in source
    for tag, attrs in page.found:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], tag
        if tag == "script":
            assert attrs.get("src"), "inline <script>"


@pytest.mark.parametrize("script", OWN_SCRIPTS, ids=lambda path: path.name)
def test_frontend_script_never_writes_a_style_attribute(script: Path) -> None:
    """Under the CSP a style attribute is refused: scripts set styles through the CSSOM only."""
    assert not re.search(r"""setAttribute\(\s*['"]style['"]""", script.read_text()), script.name


def test_plan_view_adds_no_listener_per_seat() -> None:
    """The SVG builder attaches no listeners: the seat map delegates from its container."""
    assert "addEventListener" not in (FRONTEND / "js" / "plan-view.js").read_text()


def test_plan_view_seats_keep_the_seed_hooks() -> None:
    """Each seat is drawn with data-seat-id and the classes `seat available`."""
    source = (FRONTEND / "js" / "plan-view.js").read_text()
    assert "'data-seat-id'" in source
    assert "'seat available'" in source


def test_app_subscribes_in_the_compact_form_for_its_event() -> None:
    """SUBSCRIBE asks for the compact VENUE_STATE and names the event from the URL."""
    source = (FRONTEND / "app.js").read_text()
    assert re.search(r"compact: true", source)
    assert "data.event_id = this.#eventId" in source
    assert "new URLSearchParams(location.search).get('event')" in source


def test_index_has_zoom_buttons_and_labelled_step_through(page: Elements) -> None:
    """The map has zoom in, zoom out and fit buttons, and each step-through list has a label."""
    for element_id in ("zoom-in", "zoom-out", "zoom-fit", "step-hold"):
        assert page.by_id(element_id)[0] == "button"
    labelled = {attrs.get("for") for tag, attrs in page.found if tag == "label"}
    for element_id in ("step-block", "step-row", "step-seat"):
        assert page.by_id(element_id)[0] == "select"
        assert element_id in labelled, element_id


@pytest.mark.parametrize("script", OWN_SCRIPTS, ids=lambda path: path.name)
def test_frontend_module_stays_small(script: Path) -> None:
    """Each of the page's own modules stays under 450 lines (app.js included)."""
    assert len(script.read_text().splitlines()) < 450, script.name
