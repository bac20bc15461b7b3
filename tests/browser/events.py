"""Events for the browser tests, made through the operator API of a running stack."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.script_stack import ScriptStack
from tests.servers import PROJECT_ROOT

__all__ = ["create_event", "operator_post"]


def operator_post(
    stack: ScriptStack, path: str, body: dict[str, Any], *, direct: bool = False
) -> dict[str, Any]:
    """POST ``body`` to the operator API with the token the stack keeps in its data dir.

    ``direct`` goes to the booking service itself, past NGINX's 8 KB body limit.
    """
    token = (stack.directory / "data" / "admin_token").read_text().strip()
    base = f"http://127.0.0.1:{stack.ports['BOOKING_PORT']}" if direct else stack.base_url
    response = httpx.post(
        f"{base}/api/admin/{path}",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        timeout=30,
    )
    assert response.is_success, response.text
    answer: dict[str, Any] = response.json()
    return answer


def create_event(stack: ScriptStack, plan: str, **extra: Any) -> dict[str, Any]:
    """Create an event on a shipped plan through the operator API, every category priced."""
    categories = json.loads((PROJECT_ROOT / "venues" / f"{plan}.json").read_text())["categories"]
    prices = {category["name"]: 40.0 + 15 * index for index, category in enumerate(categories)}
    body = {"name": f"{plan.title()} night", "plan": plan, "prices": prices, "currency": "EUR"}
    return operator_post(stack, "events", body | extra)
