"""The operator dashboard's static page: local assets by absolute path, no inline code,
labelled controls, a polite live feed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.unit.test_frontend_static import FRONTEND, Elements

ADMIN = FRONTEND / "admin" / "index.html"
ADMIN_SCRIPTS = sorted((FRONTEND / "js" / "admin").glob("*.js"))


@pytest.fixture(scope="module")
def admin() -> Elements:
    return Elements(ADMIN.read_text())


def test_admin_page_loads_local_assets_by_absolute_path(admin: Elements) -> None:
    """Every src and href is a path from the site root that frontend/ serves: the page is
    reached as /admin as well as /admin/, so relative paths would point elsewhere."""
    for _, attrs in admin.found:
        for name in ("src", "href"):
            value = attrs.get(name)
            if value is not None and not value.startswith("#"):
                assert value.startswith("/"), value
                assert not value.startswith("//"), value
                assert (FRONTEND / value.lstrip("/")).is_file(), value


def test_admin_page_has_no_inline_scripts_or_styles(admin: Elements) -> None:
    """The CSP allows only 'self' scripts and styles: no inline script, style or on* handler."""
    assert "<style" not in ADMIN.read_text()
    for tag, attrs in admin.found:
        assert "style" not in attrs, tag
        assert not [name for name in attrs if name.startswith("on")], tag
        if tag == "script":
            assert attrs.get("src"), "inline <script>"


def test_admin_page_labels_every_field(admin: Elements) -> None:
    """Every input and select has a <label for> naming it."""
    labelled = {attrs.get("for") for tag, attrs in admin.found if tag == "label"}
    fields = [attrs["id"] for tag, attrs in admin.found if tag in ("input", "select")]
    assert fields
    assert [field for field in fields if field not in labelled] == []


def test_admin_page_announces_the_feed_and_messages_politely(admin: Elements) -> None:
    """The feed of changes and the action message line are polite live regions."""
    for element_id in ("feed-list", "action-message"):
        assert admin.by_id(element_id)[1].get("aria-live") == "polite"
    assert admin.by_id("login-error")[1].get("role") == "alert"


def test_admin_page_has_its_action_buttons(admin: Elements) -> None:
    """Each action is a real <button>."""
    for element_id in (
        "login-btn",
        "logout-btn",
        "state-open",
        "state-close",
        "block-btn",
        "unblock-btn",
        "cancel-btn",
        "export-csv",
        "export-json",
    ):
        assert admin.by_id(element_id)[0] == "button", element_id


@pytest.mark.parametrize("script", ADMIN_SCRIPTS, ids=lambda path: path.name)
def test_admin_script_keeps_the_token_in_session_storage(script: Path) -> None:
    """Only credentials.js stores anything about the operator, and never in localStorage."""
    source = script.read_text()
    assert "localStorage" not in source, script.name
    if script.name not in ("credentials.js", "event-picker.js"):
        assert "sessionStorage" not in source, script.name


def test_admin_page_script_is_the_admin_app() -> None:
    """js/admin/app.js defines and starts the dashboard's controller, AdminApp."""
    source = (FRONTEND / "js" / "admin" / "app.js").read_text()
    assert re.search(r"^export class AdminApp \{", source, re.MULTILINE)
    assert "new AdminApp().start();" in source
