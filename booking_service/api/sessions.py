"""Session route: hands out the signed tokens that holds belong to."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from starlette.responses import Response

from booking_service.api.bodies import read_body
from booking_service.api.responses import json_response
from booking_service.services import services_of
from shared.messages import SessionRequest

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["sessions"])


@router.post(
    "/session",
    summary="Start a session; send its token with every write to act as it",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": SessionRequest.model_json_schema()}},
        }
    },
    responses={400: {"description": "Invalid body"}, 415: {"description": "Body not JSON"}},
)
async def start_session(request: Request) -> Response:
    services = services_of(request)
    body = await read_body(
        request, SessionRequest, limit=services.settings.max_body_bytes, empty_ok=True
    )
    user_id = body.user_id or f"user-{secrets.token_hex(4)}"
    token, identity = services.signer.issue(user_id)
    return json_response(
        {"session_token": token, "session_id": identity.session_id, "user_id": user_id}, 201
    )
