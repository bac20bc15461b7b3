"""The stack's Redis and NATS credentials: generated once, kept 0600 in a data directory.

    python scripts/credentials.py DIR             # create what is missing; prints nothing
    python scripts/credentials.py DIR --url redis-booking 127.0.0.1:6379

``DIR`` (created 0700) keeps one password per account and the two server files built
from them: ``redis-users.acl`` (Redis ACL: the ``booking`` user, and the default user as
the operator's account behind the ``redis-admin`` password) and ``nats-auth.conf``
(nats-server users ``booking``, who may publish ``seats.>`` and ``events.>``, and
``edge``, who may only subscribe to them and publish its census on ``edges.>``).
Passwords are made once and never change afterwards, so a restarted stack keeps its
accounts; the server files are rewritten from them each time. ``--url`` prints one
account's URL for a script to capture; nothing else ever prints a password.

``--compose DIR`` is for docker compose: it also makes the session-signing secret
(``session-secret``, once, like the passwords) and copies each service only what it
needs into ``DIR/<service>/`` (owned by that service's user), so an edge never holds
the booking service's password, yet signs and verifies sessions with the same secret
as the booking service.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ACCOUNTS",
    "SESSION_SECRET",
    "Credentials",
    "ensure",
    "ensure_session_secret",
    "export_for_compose",
    "main",
    "nats_config",
    "redis_acl",
]

ACCOUNTS = ("redis-booking", "redis-admin", "nats-booking", "nats-edge")
REDIS_ACL = "redis-users.acl"
NATS_CONF = "nats-auth.conf"
# Read raw by the edges (SESSION_SECRET_FILE) and by the booking service (SESSION_SECRET
# from the file's text): no trailing newline, so both sign with the same bytes.
SESSION_SECRET = "session-secret"
# What the booking service runs on Redis: its scripts, reads and PING. CONFIG, DEBUG,
# KEYS, FLUSHALL, SHUTDOWN, ACL and the like (@dangerous) stay with the operator.
BOOKING_REDIS_RULES = "~* &* +@all -@dangerous"
# The user ids inside a compose container (see the Dockerfile and the official images).
COMPOSE_OWNERS = {"redis": 999, "nats": 0, "booking-service": 10001, "edge": 10001}


@dataclass(frozen=True)
class Credentials:
    """The passwords of one stack, by account name (see ``ACCOUNTS``)."""

    directory: Path
    passwords: dict[str, str]

    def password(self, account: str) -> str:
        return self.passwords[account]

    def url(self, account: str, address: str) -> str:
        """``redis://`` or ``nats://`` URL of ``account`` (e.g. ``nats-edge``) at host:port."""
        scheme, user = account.split("-", 1)
        if account == "redis-admin":
            user = "default"
        return f"{scheme}://{user}:{self.passwords[account]}@{address}"


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600, atomically (temp file, fsync, rename)."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _read_password(path: Path) -> str | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    with os.fdopen(fd) as handle:
        value = handle.read().strip()
    return value or None


def redis_acl(credentials: Credentials) -> str:
    """The ACL file: ``booking`` with its rules; the default user behind the admin password.

    The default user stays on with every permission: Redis 7.0 replays the AOF's
    MULTI/EXEC blocks with the default user's rights, so a default user that is off
    (or restricted) silently drops committed bookings on restart. Passwords appear only
    as SHA-256 hashes (``#<hex>``), so the file reveals none.
    """

    def hashed(account: str) -> str:
        return "#" + hashlib.sha256(credentials.password(account).encode()).hexdigest()

    return (
        f"user default on {hashed('redis-admin')} ~* &* +@all\n"
        f"user booking on {hashed('redis-booking')} {BOOKING_REDIS_RULES}\n"
    )


def nats_config(credentials: Credentials) -> str:
    """nats-server ``authorization``: only ``booking`` may publish seat changes, of the
    default event (``seats.>``) and of every other (``events.>``), and audit notices
    (``operator.>``); edges subscribe to the changes and publish only their census
    (``edges.>``), which the booking service subscribes to with the changes."""
    booking = credentials.password("nats-booking")
    edge = credentials.password("nats-edge")
    return (
        "authorization {\n"
        "  users = [\n"
        f'    {{user: booking, password: "{booking}", permissions: {{\n'
        '      publish: ["seats.>", "events.>", "operator.>", "_INBOX.>"],\n'
        '      subscribe: ["seats.>", "events.>", "edges.>", "operator.>", "_INBOX.>"]}}\n'
        f'    {{user: edge, password: "{edge}", permissions: {{\n'
        '      publish: ["edges.>", "_INBOX.>"], subscribe: ["seats.>", "events.>", "_INBOX.>"]}}\n'
        "  ]\n"
        "}\n"
    )


def ensure(directory: Path) -> Credentials:
    """Create the missing passwords in ``directory`` and (re)write the server files."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    passwords = {}
    for account in ACCOUNTS:
        path = directory / f"{account}.password"
        value = _read_password(path)
        if value is None:
            # Letters and digits only: safe in URLs and in both servers' config syntax.
            value = secrets.token_hex(24)
            _write_private(path, value + "\n")
        passwords[account] = value
    credentials = Credentials(directory, passwords)
    _write_private(directory / REDIS_ACL, redis_acl(credentials))
    _write_private(directory / NATS_CONF, nats_config(credentials))
    return credentials


def ensure_session_secret(directory: Path) -> None:
    """Create the session-signing secret in ``directory`` unless it is there."""
    if _read_password(directory / SESSION_SECRET) is None:
        _write_private(directory / SESSION_SECRET, secrets.token_hex(32))


def export_for_compose(credentials: Credentials, target: Path) -> None:
    """Give each compose service its own directory with only the files it needs."""
    ensure_session_secret(credentials.directory)
    needs = {
        "redis": [REDIS_ACL],
        "nats": [NATS_CONF],
        "booking-service": ["redis-booking.password", "nats-booking.password", SESSION_SECRET],
        "edge": ["nats-edge.password", SESSION_SECRET],
    }
    for service, names in needs.items():
        folder = target / service
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in names:
            _write_private(folder / name, (credentials.directory / name).read_text())
            os.chown(folder / name, COMPOSE_OWNERS[service], COMPOSE_OWNERS[service])
        os.chown(folder, COMPOSE_OWNERS[service], COMPOSE_OWNERS[service])


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Create the stack's Redis and NATS accounts.")
    parser.add_argument("directory", type=Path, help="where the passwords live (0700)")
    parser.add_argument(
        "--url", nargs=2, metavar=("ACCOUNT", "HOST:PORT"), help="print one account's URL"
    )
    parser.add_argument("--compose", type=Path, help="copy each compose service its files")
    args = parser.parse_args(argv)
    credentials = ensure(args.directory)
    if args.compose is not None:
        export_for_compose(credentials, args.compose)
    if args.url is not None:
        account, address = args.url
        if account not in ACCOUNTS:
            parser.error(f"unknown account {account!r}; one of {', '.join(ACCOUNTS)}")
        sys.stdout.write(credentials.url(account, address) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
