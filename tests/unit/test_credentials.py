"""scripts/credentials.py: passwords made once, kept private, and the server files from them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scripts import credentials
from shared.config import MIN_SECRET_BYTES


def test_credentials_are_made_once_and_kept(tmp_path: Path) -> None:
    """A second run keeps every password; each file is 0600 in a 0700 directory."""
    first = credentials.ensure(tmp_path / "credentials")
    second = credentials.ensure(tmp_path / "credentials")
    assert first.passwords == second.passwords
    assert len(set(first.passwords.values())) == len(credentials.ACCOUNTS)
    assert (tmp_path / "credentials").stat().st_mode & 0o777 == 0o700
    for path in (tmp_path / "credentials").iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path


def test_credentials_redis_acl_holds_hashes_and_keeps_the_default_user_whole(
    tmp_path: Path,
) -> None:
    """The ACL names no password; booking lacks @dangerous; the default user can replay the AOF."""
    made = credentials.ensure(tmp_path)
    acl = (tmp_path / credentials.REDIS_ACL).read_text().splitlines()
    assert all(password not in "\n".join(acl) for password in made.passwords.values())
    default, booking = acl
    assert default.startswith("user default on #")
    assert default.endswith(" ~* &* +@all")
    assert booking.startswith("user booking on #")
    assert booking.endswith(" -@dangerous")


def test_credentials_nats_only_booking_publishes_seat_events(tmp_path: Path) -> None:
    """In the NATS users, booking may publish seats.>, events.> and operator.> and hear
    the edges' census; edge may only subscribe to changes and publish on edges.>."""
    credentials.ensure(tmp_path)
    booking, edge = (tmp_path / credentials.NATS_CONF).read_text().split("{user: ")[1:]
    assert booking.startswith("booking,")
    assert 'publish: ["seats.>", "events.>", "operator.>", "_INBOX.>"]' in booking
    assert 'subscribe: ["seats.>", "events.>", "edges.>", "operator.>", "_INBOX.>"]' in booking
    assert edge.startswith("edge,")
    assert 'publish: ["edges.>", "_INBOX.>"], ' in edge
    assert 'subscribe: ["seats.>", "events.>", "_INBOX.>"]' in edge


def test_credentials_url_names_the_account(tmp_path: Path) -> None:
    """URLs carry user and password; the admin account is Redis's default user."""
    made = credentials.ensure(tmp_path)
    edge = made.password("nats-edge")
    assert made.url("nats-edge", "h:4222") == f"nats://edge:{edge}@h:4222"
    assert made.url("redis-admin", "h:6379").startswith("redis://default:")


def test_credentials_compose_export_shares_one_session_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Booking service and edges get the same signing secret, made once, with no newline;
    the edges get no booking password."""
    monkeypatch.setattr(
        credentials, "COMPOSE_OWNERS", dict.fromkeys(credentials.COMPOSE_OWNERS, os.getuid())
    )
    store, target = tmp_path / "store", tmp_path / "compose"
    credentials.export_for_compose(credentials.ensure(store), target)
    first = (target / "edge" / credentials.SESSION_SECRET).read_bytes()
    credentials.export_for_compose(credentials.ensure(store), target)
    booking = (target / "booking-service" / credentials.SESSION_SECRET).read_bytes()
    edge = (target / "edge" / credentials.SESSION_SECRET).read_bytes()
    assert first == booking == edge
    assert len(edge) >= MIN_SECRET_BYTES
    assert not edge.endswith(b"\n")
    assert sorted(path.name for path in (target / "edge").iterdir()) == [
        "nats-edge.password",
        credentials.SESSION_SECRET,
    ]
    assert (target / "edge" / credentials.SESSION_SECRET).stat().st_mode & 0o777 == 0o600
