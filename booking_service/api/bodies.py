"""Reading request bodies: size-limited, strictly validated, errors as clear sentences."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import Request

from booking_service.errors import InvalidRequest, PayloadTooLarge

__all__ = ["read_body"]

M = TypeVar("M", bound=BaseModel)


async def read_body(request: Request, model: type[M], *, limit: int, empty_ok: bool = False) -> M:
    """The body parsed as ``model``; raises InvalidRequest or PayloadTooLarge."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"Request body is larger than {limit} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"Request body is larger than {limit} bytes")
    if empty_ok and not body.strip():
        body = b"{}"
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidRequest(describe(exc.errors()[0])) from None


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
