"""Commands packed by hiredis are the bytes redis-py would have sent."""

from __future__ import annotations

import pytest
from redis.asyncio.connection import Connection
from redis.exceptions import DataError
from redis.typing import EncodableT

from booking_service.redis_packing import HiredisPackedConnection

COMMANDS: list[tuple[EncodableT, ...]] = [
    ("EVALSHA", "a" * 40, 2, "{ev:x}:seats", "{ev:x}:version", "A1", "bench-A1", 3_600_000),
    ("SET", b"key", 1.5),
    ("GET", "clé"),
    ("CONFIG GET", "maxmemory"),
    (b"CLIENT SETNAME", b"booking"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: str(c[0]))
def test_packing_matches_redis_py(command: tuple[EncodableT, ...]) -> None:
    """Every kind of argument the service sends packs to redis-py's own bytes."""
    packed = HiredisPackedConnection().pack_command(*command)
    assert b"".join(packed) == b"".join(Connection().pack_command(*command))


def test_packing_refuses_what_redis_py_refuses() -> None:
    """An argument Redis cannot take raises redis-py's DataError, as before."""
    with pytest.raises(DataError):
        HiredisPackedConnection().pack_command("SET", "key", True)
