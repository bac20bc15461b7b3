"""The Redis keys of an event, all sharing the event's hash tag so they live on one slot.

``event:{<id>}:<name>`` for every name of ``KEY_NAMES``; the set ``events`` (``EVENTS_KEY``)
names every event. The seat scripts receive ``script_keys(event_id)`` as their KEYS.
"""

from __future__ import annotations

__all__ = ["EVENTS_KEY", "KEY_NAMES", "ORDERS_KEY", "SCRIPT_KEY_NAMES", "event_key", "script_keys"]

EVENTS_KEY = "events"
# The keys every seat script receives, in KEYS order (see booking_service/lua/_prelude.lua).
SCRIPT_KEY_NAMES = (
    "seats", "holds", "expiry", "version", "counts", "cooldown", "digest", "state", "carts",
)  # fmt: skip
KEY_NAMES = (
    *SCRIPT_KEY_NAMES, "info", "plan", "marks", "orders", "idempotency", "owner_orders",
    "order_counts", "audit",
)  # fmt: skip
# The global hash: order reference -> event id (a shortcut; each event keeps its orders).
ORDERS_KEY = "orders"


def event_key(event_id: str, name: str) -> str:
    """The key ``name`` (one of ``KEY_NAMES``) of the event ``event_id``."""
    if name not in KEY_NAMES:
        raise ValueError(f"no event key named {name!r}")
    return f"event:{{{event_id}}}:{name}"


def script_keys(event_id: str) -> list[str]:
    """The KEYS of every seat script for the event ``event_id``, in order."""
    return [event_key(event_id, name) for name in SCRIPT_KEY_NAMES]
