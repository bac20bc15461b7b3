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


def test_index_has_book_and_release_buttons(page: Elements) -> None:
    """The panel's buttons have the ids the tests and the app rely on."""
    assert page.by_id("book-btn")[0] == "button"
    assert page.by_id("release-btn")[0] == "button"


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
