"""Request bodies: size-limited, strictly validated, errors as clear sentences."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request

from booking_service.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType

__all__ = [
    "check_length",
    "describe",
    "documented_body",
    "parse_body",
    "read_body",
    "require_json",
]

M = TypeVar("M", bound=BaseModel)


def documented_body(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """A route's ``openapi_extra``: its JSON body is ``model`` (routes read their bodies
    themselves, so FastAPI cannot see them)."""
    return {
        "requestBody": {
            "required": required,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


def check_length(declared: str | bytes | None, received: int, *, limit: int) -> None:
    """Raise PayloadTooLarge when the declared or received length exceeds ``limit``."""
    if (declared is not None and declared.isdigit() and int(declared) > limit) or received > limit:
        raise PayloadTooLarge(f"Request body is larger than {limit} bytes")


def require_json(content_type: str | bytes | None) -> None:
    """Raise UnsupportedMediaType unless the media type is ``application/json``.

    Parameters such as ``; charset=utf-8`` are allowed. Every write call demands it: a
    page on another site can only send such a body after a CORS preflight, which this
    service never grants, so it cannot make its visitors' browsers hold or book seats.
    """
    text = content_type.decode("latin-1") if isinstance(content_type, bytes) else content_type
    if text is None or text.partition(";")[0].strip().lower() != "application/json":
        raise UnsupportedMediaType("Content-Type must be application/json")


def parse_body(model: type[M], body: bytes, *, empty_ok: bool = False) -> M:
    """The body parsed as ``model``; raises InvalidRequest with a sentence naming the field."""
    if empty_ok and not body.strip():
        body = b"{}"
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidRequest(describe(exc.errors()[0])) from None


async def read_body(request: Request, model: type[M], *, limit: int, empty_ok: bool = False) -> M:
    """A framework request's body, size-limited, declared as JSON, parsed as ``model``.

    With ``empty_ok``, a request without any body needs no content type and parses as ``{}``.
    """
    declared = request.headers.get("content-length")
    check_length(declared, 0, limit=limit)
    body = b""
    async for chunk in request.stream():
        body += chunk
        check_length(None, len(body), limit=limit)
    if body or not empty_ok:
        require_json(request.headers.get("content-type"))
    return parse_body(model, body, empty_ok=empty_ok)


def describe(error: ErrorDetails) -> str:
    """One validation error as a sentence a client developer can act on."""
    field = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "json_invalid":
        return "Request body is not valid JSON"
    if kind in ("model_type", "model_attributes_type"):
        return "Request body must be a JSON object"
    if kind == "missing":
        return f"Field '{field}' is required"
    if kind == "extra_forbidden":
        return f"Unknown field '{field}'"
    if kind == "string_type":
        return f"Field '{field}' must be a string"
    if kind == "string_pattern_mismatch":
        return f"Field '{field}' has an invalid format"
    return f"Field '{field}': {error['msg']}"
