"""A stand-in operator server inside the browser: Playwright routes answer the operator
REST calls and the live socket from a fixed DASHBOARD of the shipped theatre plan.

It lets the page's rendering be checked (behind a real NGINX, under its CSP) without a
booking service: the token ``FIXTURE_TOKEN`` is accepted, any other gets the API's 401.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Page, Route, WebSocketRoute

from tests.browser.plan_harness import shipped_plan

__all__ = ["FIXTURE_EVENT", "FIXTURE_TOKEN", "FixtureServer", "dashboard"]

FIXTURE_TOKEN = "fixture-token"
FIXTURE_EVENT = "theatre-night-1a2b"
PRICES = {"Stalls": 45.0, "Circle": 60.0, "Box": 120.0}
UNAUTHORIZED = {"error": "Authentication required"}


def _info(state: str = "on_sale") -> dict[str, Any]:
    return {
        "id": FIXTURE_EVENT,
        "name": "Theatre night",
        "state": state,
        "starts_at": None,
        "hold_seconds": 30.0,
        "currency": "EUR",
        "prices": PRICES,
        "plan_name": "Theatre",
        "seats_total": 1184,
    }


def dashboard(*, state: str = "on_sale", lapse_in: float = 25.0) -> dict[str, Any]:
    """A busy DASHBOARD data object: rows of the stalls sold, some held, a few blocked."""
    plan = shipped_plan("theatre")
    seats = [
        (zone["name"], seat["seat_guid"], seat["category"])
        for zone in plan["zones"]
        for row in zone["rows"]
        for seat in row["seats"]
    ]
    occupancy: dict[str, str] = {}
    for index, (_, seat_id, _) in enumerate(seats):
        if index % 3 == 0 and index < 700:
            occupancy[seat_id] = "booked"
        elif index % 17 == 0:
            occupancy[seat_id] = "held"
    for seat_id in ("CIR-A1", "CIR-A2", "CIR-A3"):
        occupancy[seat_id] = "blocked"
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    minutes = [now - timedelta(minutes=29 - n) for n in range(30)]
    held = [seat_id for seat_id, status in occupancy.items() if status == "held"]
    return {
        "event": _info(state),
        "version": 812,
        "totals": _counts([seat_id for _, seat_id, _ in seats], occupancy),
        "sections": [
            {"name": name, **_counts([s for zone, s, _ in seats if zone == name], occupancy)}
            for name in ("Stalls", "Circle", "Boxes")
        ],
        "categories": [
            {
                "name": name,
                "price": price,
                **_counts([s for _, s, category in seats if category == name], occupancy),
            }
            for name, price in PRICES.items()
        ],
        "revenue": sum(
            PRICES[category] for _, seat_id, category in seats if occupancy.get(seat_id) == "booked"
        ),
        "orders": {"confirmed": 118, "cancelled": 3},
        "sales_per_minute": [
            {"minute": minute.isoformat().replace("+00:00", "Z"), "seats": (n * 7) % 23}
            for n, minute in enumerate(minutes)
        ],
        "lapsing_holds": [
            {
                "seat_id": seat_id,
                "expires_at": time.time() + lapse_in + n,
                "seconds_left": lapse_in + n,
            }
            for n, seat_id in enumerate(held[:5])
        ],
        "connected": {"people": 1532, "watching": 1210, "edges": 2},
        "occupancy": occupancy,
        "changes": [
            {
                "event_type": ("booked", "held", "released", "auto_released")[n % 4],
                "seat_id": seats[n][1],
                "user_id": f"u-{n:04x}",
                "status": (2, 1, 0, 0)[n % 4],
                "timestamp": (now - timedelta(seconds=n)).isoformat().replace("+00:00", "Z"),
                "version": 812 - n,
            }
            for n in range(12)
        ],
        "audit": [
            {
                "at": (now - timedelta(minutes=2)).isoformat().replace("+00:00", "Z"),
                "who": "alex",
                "address": "10.0.0.7",
                "action": "block",
                "detail": {"seat_ids": ["CIR-A1", "CIR-A2", "CIR-A3"]},
            },
            {
                "at": (now - timedelta(minutes=9)).isoformat().replace("+00:00", "Z"),
                "who": "alex",
                "address": "10.0.0.7",
                "action": "state",
                "detail": {"state": "on_sale"},
            },
        ],
    }


def _counts(seat_ids: list[str], occupancy: dict[str, str]) -> dict[str, int]:
    """How many of ``seat_ids`` there are, and how many in each state."""
    states = Counter(occupancy.get(seat_id, "available") for seat_id in seat_ids)
    return {"seats": len(seat_ids)} | {
        name: states[name] for name in ("available", "held", "booked", "blocked")
    }


class FixtureServer:
    """Routes one page's operator calls and live socket to fixed answers.

    ``sockets`` counts the live connections opened; ``frames`` keeps what the page sent
    on them, ``operators`` the ``X-Operator`` of each REST call.
    """

    def __init__(
        self, page: Page, data: dict[str, Any] | None = None, *, plan_failures: int = 0
    ) -> None:
        """``plan_failures``: how many plan requests answer 503 before one succeeds."""
        self.data = data or dashboard()
        self.plan_failures = plan_failures
        self.sockets: list[WebSocketRoute] = []
        self.frames: list[dict[str, Any]] = []
        self.operators: list[str | None] = []
        page.route("**/api/admin/**", self._rest)
        page.route(f"**/api/events/{FIXTURE_EVENT}/plan", self._plan)
        page.route_web_socket("**/api/admin/live", self._live)

    def push(self, data: dict[str, Any]) -> None:
        """Send a DASHBOARD with ``data`` on the newest socket."""
        self.data = data
        self.sockets[-1].send(
            json.dumps({"type": "DASHBOARD", "event_id": FIXTURE_EVENT, "data": data})
        )

    def _rest(self, route: Route) -> None:
        self.operators.append(route.request.headers.get("x-operator"))
        if route.request.headers.get("authorization") != f"Bearer {FIXTURE_TOKEN}":
            route.fulfill(
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
                content_type="application/json",
                body=json.dumps(UNAUTHORIZED),
            )
            return
        body = [{**_info(), "counts": self.data["totals"]}]
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    def _plan(self, route: Route) -> None:
        if self.plan_failures > 0:
            self.plan_failures -= 1
            route.fulfill(status=503, content_type="application/json", body='{"error": "Busy"}')
            return
        body = json.dumps(shipped_plan("theatre"))
        route.fulfill(status=200, content_type="application/json", body=body)

    def _live(self, socket: WebSocketRoute) -> None:
        self.sockets.append(socket)

        def on_message(message: str | bytes) -> None:
            frame: dict[str, Any] = json.loads(message)
            self.frames.append(frame)
            if frame.get("type") == "AUTH":
                if frame.get("token") != FIXTURE_TOKEN:
                    socket.send(json.dumps({"type": "ERROR", **UNAUTHORIZED}))
                    socket.close(code=1008, reason="Authentication required")
                    return
                socket.send(json.dumps({"type": "WELCOME", "events": [_info()]}))
            elif frame.get("type") == "WATCH":
                event = {"type": "DASHBOARD", "event_id": FIXTURE_EVENT, "data": self.data}
                socket.send(json.dumps(event))

        socket.on_message(on_message)
