"""The booking service on a real Redis Cluster: events spread over shards, every write
on a replica before it is acknowledged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from booking_service.events.keys import event_key
from tests.cluster import ClusterNodeServer, RedisClusterServers, events_on_every_master
from tests.event_api import event_call
from tests.seat_api import seat_call, start_session

pytestmark = pytest.mark.slow

PRICES = {"Standard": 40.0}


def _replica_has(replica: ClusterNodeServer, key: str, field: str) -> bytes | None:
    """The field as the replica holds it (READONLY: a replica answers for its master)."""
    client = replica.admin_client()
    try:
        client.execute_command("READONLY")
        value: bytes | None = client.hget(key, field)
        return value
    finally:
        client.close()


async def _book_and_order(http: httpx.AsyncClient, event_id: str) -> dict[str, Any]:
    """Book A1 tokenless and A2+A3 as one order; the order."""
    for action in ("select", "book"):
        response = await event_call(http, event_id, action, "A1", user_id="walk-in")
        assert response.status_code == 200, response.text
    token = await start_session(http, "buyer")
    headers = {"X-Session-Token": token, "Idempotency-Key": f"order-{event_id}"}
    response = await http.post(
        f"/api/events/{event_id}/holds", json={"seat_ids": ["A2", "A3"]}, headers=headers
    )
    assert response.status_code == 200, response.text
    response = await http.post(f"/api/events/{event_id}/orders", json={}, headers=headers)
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    again = await http.post(f"/api/events/{event_id}/orders", json={}, headers=headers)
    assert (again.status_code, again.json()["reference"]) == (200, order["reference"])
    found = await http.get(f"/api/orders/{order['reference']}", headers=headers)
    assert found.status_code == 200, found.text
    return order


async def test_cluster_serves_events_spread_over_every_master(
    redis_cluster: RedisClusterServers, make_client: Callable[..., Any]
) -> None:
    """Events land on different masters; seats, carts and orders work on each, and every
    acknowledged write is on the master's replica already."""
    async with make_client(redis_url=redis_cluster.url) as http:
        health = await http.get("/health")
        assert health.status_code == 200, health.text
        response = await seat_call(http, "select", "A1", user_id="seed-client")
        assert response.status_code == 200, response.text

        spread = await events_on_every_master(http, redis_cluster, PRICES)
        for port, event_id in spread.items():
            order = await _book_and_order(http, event_id)
            assert [seat["id"] for seat in order["seats"]] == ["A2", "A3"]
            master = next(node for node in redis_cluster.nodes if node.port == port)
            replica = redis_cluster.replica_of(master)
            booked = _replica_has(replica, event_key(event_id, "seats"), "A1")
            assert booked is not None
            assert b'"booked_by":"walk-in"' in booked
            stored = _replica_has(replica, event_key(event_id, "orders"), order["reference"])
            assert stored is not None
            venue = await http.get(f"/api/events/{event_id}/venue")
            states = {seat["id"]: seat["status"] for seat in venue.json()["seats"]}
            assert (states["A1"], states["A2"], states["A4"]) == (2, 2, 0)
        listed = await http.get("/api/events")
        assert set(spread.values()) <= {event["id"] for event in listed.json()}
