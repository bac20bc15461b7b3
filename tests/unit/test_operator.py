"""The operator token: from ADMIN_TOKEN or the data directory, checked as a Bearer token."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from booking_service.errors import OperatorRequired
from booking_service.operator import OperatorToken, operator_name, token_path
from booking_service.secret_file import UnsafeSecretFile
from shared.config import BookingSettings


def test_operator_token_created_once_in_the_data_dir(tmp_path: Path) -> None:
    """Without ADMIN_TOKEN, a token is created 0600 in DATA_DIR/admin_token and kept."""
    settings = BookingSettings(data_dir=tmp_path / "data", admin_token=None)
    first = OperatorToken.from_settings(settings)
    path = token_path(settings.data_dir)
    token = path.read_text().strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first.check(f"Bearer {token}")
    OperatorToken.from_settings(settings).check(f"bearer {token}")


def test_operator_token_from_environment_wins(tmp_path: Path) -> None:
    """ADMIN_TOKEN is the token; no file is written."""
    settings = BookingSettings(data_dir=tmp_path, admin_token="a-token-of-sixteen-bytes")
    OperatorToken.from_settings(settings).check("Bearer a-token-of-sixteen-bytes")
    assert not token_path(tmp_path).exists()


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer wrong-token-wrong", "Basic a-token-of-sixteen-bytes"]
)
def test_operator_token_refuses_missing_and_wrong(header: str | None) -> None:
    """A missing header, another scheme or another token gets the one same refusal."""
    with pytest.raises(OperatorRequired, match=r"^Authentication required$"):
        OperatorToken(b"a-token-of-sixteen-bytes").check(header)


def test_operator_token_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    """A token file other users may read is refused at start, like the session secret."""
    path = token_path(tmp_path)
    path.write_text("x" * 40)
    path.chmod(0o644)
    with pytest.raises(UnsafeSecretFile, match=r"operator token .* mode"):
        OperatorToken.from_settings(BookingSettings(data_dir=tmp_path, admin_token=None))


def test_operator_token_too_short_in_environment_is_refused() -> None:
    """An ADMIN_TOKEN shorter than 16 bytes is refused when the settings are read."""
    with pytest.raises(ValueError, match="ADMIN_TOKEN"):
        BookingSettings(admin_token="short")


def test_operator_token_empty_in_environment_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty ADMIN_TOKEN (as compose passes an unset one) leaves the token file in charge."""
    monkeypatch.setenv("ADMIN_TOKEN", "")
    assert BookingSettings().admin_token is None


@pytest.mark.parametrize(
    ("given", "name"),
    [
        (None, "operator"),
        ("ada", "ada"),
        ("night shift", "night shift"),
        ("x" * 64, "x" * 64),
        ("x" * 65, None),
        ("Zoë", "Zoë"),
        ("", None),
        ("tab\there", None),
        ("line\nbreak", None),
        ("\x85", None),
    ],
)
def test_operator_name_is_one_to_64_printable_characters(
    given: str | None, name: str | None
) -> None:
    """X-Operator names who acted: absent means "operator"; anything but 1-64 printable
    characters is refused."""
    assert operator_name(given) == name
