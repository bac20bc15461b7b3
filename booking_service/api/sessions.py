"""Session routes: hand out the signed tokens that holds belong to, and renew them."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from starlette.responses import Response

from booking_service.api.bodies import documented_body, read_body
from booking_service.api.responses import json_response
from booking_service.services import services_of
from shared.messages import SessionRequest, SessionResumeRequest

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["sessions"])

_REPLY = "`{session_token, session_id, user_id, holder, expires_at}`"


@router.post(
    "/session",
    summary="Start a session; send its token with every write to act as it",
    description=f"Answers {_REPLY}; `expires_at` is when the token lapses (unix seconds).",
    status_code=201,
    openapi_extra=documented_body(SessionRequest, required=False),
    responses={400: {"description": "Invalid body"}, 415: {"description": "Body not JSON"}},
)
async def start_session(request: Request) -> Response:
    services = services_of(request)
    body = await read_body(
        request, SessionRequest, limit=services.settings.max_body_bytes, empty_ok=True
    )
    user_id = body.user_id or f"user-{secrets.token_hex(4)}"
    return json_response(services.signer.issue(user_id).describe(), 201)


@router.post(
    "/session/resume",
    summary="Re-sign a valid session token with a new expiry, for the same session",
    description=f"Answers {_REPLY}; a forged or expired token is a 400, start a new session.",
    openapi_extra=documented_body(SessionResumeRequest),
    responses={
        400: {"description": "Invalid body, or the token is not valid"},
        415: {"description": "Body not JSON"},
    },
)
async def resume_session(request: Request) -> Response:
    services = services_of(request)
    body = await read_body(request, SessionResumeRequest, limit=services.settings.max_body_bytes)
    identity = services.signer.verify(body.session_token)
    return json_response(services.signer.renew(identity).describe())
