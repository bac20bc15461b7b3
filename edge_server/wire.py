"""Server frames as the bytes a WebSocket carries them in, built once for every watcher.

A server frame is unmasked and compression is off, so a message is the same bytes on
every connection: RFC 6455's two to ten header bytes (FIN, opcode, payload length),
then the payload. The hub writes those bytes straight to each connection's transport.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

__all__ = ["text_frame", "text_frames"]

_FIN_TEXT = 0x81


def text_frame(payload: bytes) -> bytes:
    """One unfragmented text frame carrying ``payload`` (UTF-8)."""
    length = len(payload)
    if length < 126:
        return bytes((_FIN_TEXT, length)) + payload
    if length < 1 << 16:
        return struct.pack("!BBH", _FIN_TEXT, 126, length) + payload
    return struct.pack("!BBQ", _FIN_TEXT, 127, length) + payload


def text_frames(payloads: Iterable[bytes]) -> bytes:
    """One text frame per payload, in order, as one piece to write."""
    return b"".join(text_frame(payload) for payload in payloads)
