"""HttpProtocol: uvicorn's httptools protocol, writing through a ``CorkedTransport``."""

from __future__ import annotations

import asyncio
from typing import cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from booking_service.corked_transport import CorkedTransport

__all__ = ["HttpProtocol"]


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools HTTP/1.1 protocol writing through a ``CorkedTransport``."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        corked = CorkedTransport(cast(asyncio.Transport, transport), asyncio.get_running_loop())
        super().connection_made(corked)
