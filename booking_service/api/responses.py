"""JSON responses serialised with orjson."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

__all__ = ["json_response"]


def json_response(
    content: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """``content`` as a JSON response (``orjson.Fragment`` values are embedded as is)."""
    return Response(
        orjson.dumps(content), status_code, headers=headers, media_type="application/json"
    )
