"""Exception handlers: every failure becomes ``{"error": "<sentence>"}`` with its status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from booking_service.api.bodies import describe
from booking_service.api.responses import json_response
from booking_service.errors import BookingError
from booking_service.metrics import count_refusal

__all__ = ["install_handlers"]

logger = logging.getLogger(__name__)


async def _booking_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, BookingError)
    count_refusal(exc)
    body = {"error": str(exc)}
    if exc.seat_id is not None:
        body["seat_id"] = exc.seat_id
    return json_response(body, exc.status_code, exc.headers)


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return json_response({"error": str(exc.detail)}, exc.status_code)


async def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    message = describe(errors[0]) if errors else "Invalid request"
    return json_response({"error": message}, 400)


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.error("unhandled error", exc_info=exc, extra={"path": request.url.path})
    return json_response({"error": "Internal error; it has been logged"}, 500)


def install_handlers(app: FastAPI) -> None:
    """Answer every error the API can raise with the project's error body."""
    app.add_exception_handler(BookingError, _booking_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
