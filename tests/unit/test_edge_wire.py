"""Wire frames: the bytes the hub writes are the frames the WebSocket library would send."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from edge_server.wire import text_frame, text_frames


def library_frame(payload: bytes) -> bytes:
    return Frame(Opcode.TEXT, payload).serialize(mask=False, extensions=[])


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 200_000])
def test_wire_text_frame_matches_the_library(size: int) -> None:
    """Every length form (7-bit, 16-bit, 64-bit) is encoded as the library encodes it."""
    payload = b"x" * size
    assert text_frame(payload) == library_frame(payload)


def test_wire_text_frames_are_the_frames_in_order() -> None:
    assert text_frames([b"a", b"bb"]) == library_frame(b"a") + library_frame(b"bb")
