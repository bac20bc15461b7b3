"""JSON responses serialised with orjson, and the operator area's one refusal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

from booking_service.operator import AUTHENTICATION_REQUIRED

__all__ = ["OPERATOR_PREFIX", "is_operator_path", "json_response", "operator_refusal"]

# Every path of the operator API starts so; none answers without the operator token.
OPERATOR_PREFIX = "/api/admin"


def json_response(
    content: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """``content`` as a JSON response (``orjson.Fragment`` values are embedded as is)."""
    return Response(
        orjson.dumps(content), status_code, headers=headers, media_type="application/json"
    )


def is_operator_path(path: str) -> bool:
    """Whether ``path`` lies in the operator area (``/api/admin`` or below it)."""
    return path == OPERATOR_PREFIX or path.startswith(OPERATOR_PREFIX + "/")


def operator_refusal() -> Response:
    """The 401 every operator path gives without the operator token: the same bytes for
    a missing token, a wrong one and a path that has no route."""
    return json_response({"error": AUTHENTICATION_REQUIRED}, 401, {"WWW-Authenticate": "Bearer"})
