"""The session secret file: created once and atomically, private, never through a symlink."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from booking_service.session_secret import SECRET_FILE, UnsafeSecretFile, load_or_create_secret


def test_session_secret_created_once_and_reused(tmp_path: Path) -> None:
    """The first call creates a 0600 secret file; later calls return the same secret."""
    data_dir = tmp_path / "data"
    first = load_or_create_secret(data_dir)
    second = load_or_create_secret(data_dir)
    assert first == second
    assert len(first) >= 32
    assert [path.name for path in data_dir.iterdir()] == [SECRET_FILE]
    assert stat.S_IMODE(os.stat(data_dir / SECRET_FILE).st_mode) == 0o600


def test_session_secret_differs_between_data_dirs(tmp_path: Path) -> None:
    """Each data directory gets its own random secret."""
    assert load_or_create_secret(tmp_path / "a") != load_or_create_secret(tmp_path / "b")


def test_session_secret_concurrent_creation_agrees(tmp_path: Path) -> None:
    """Many starts racing on an empty data directory all get one secret, and no leftovers."""
    data_dir = tmp_path / "data"
    with ThreadPoolExecutor(max_workers=16) as pool:
        secrets = set(pool.map(lambda _: load_or_create_secret(data_dir), range(64)))
    assert len(secrets) == 1
    assert [path.name for path in data_dir.iterdir()] == [SECRET_FILE]


def test_session_secret_symlink_is_refused(tmp_path: Path) -> None:
    """A secret path that is a symlink is refused, even when its target looks right."""
    target = tmp_path / "elsewhere"
    target.write_bytes(b"x" * 64)
    target.chmod(0o600)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / SECRET_FILE).symlink_to(target)
    with pytest.raises(UnsafeSecretFile, match="symlink"):
        load_or_create_secret(data_dir)


def test_session_secret_dangling_symlink_is_refused(tmp_path: Path) -> None:
    """A symlink to nowhere is refused rather than followed to create its target."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / SECRET_FILE).symlink_to(tmp_path / "planted")
    with pytest.raises(UnsafeSecretFile, match="symlink"):
        load_or_create_secret(data_dir)
    assert not (tmp_path / "planted").exists()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o602])
def test_session_secret_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    """A secret file open to group or others is refused."""
    data_dir = tmp_path / "data"
    load_or_create_secret(data_dir)
    (data_dir / SECRET_FILE).chmod(mode)
    with pytest.raises(UnsafeSecretFile, match="mode"):
        load_or_create_secret(data_dir)


def test_session_secret_owned_by_another_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A secret file owned by another user is refused."""
    data_dir = tmp_path / "data"
    load_or_create_secret(data_dir)
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(data_dir).st_uid + 1)
    with pytest.raises(UnsafeSecretFile, match="owned"):
        load_or_create_secret(data_dir)


def test_session_secret_too_short_is_refused(tmp_path: Path) -> None:
    """A private secret file holding fewer than 32 bytes is refused."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = data_dir / SECRET_FILE
    path.write_bytes(b"short")
    path.chmod(0o600)
    with pytest.raises(UnsafeSecretFile, match="shorter"):
        load_or_create_secret(data_dir)
