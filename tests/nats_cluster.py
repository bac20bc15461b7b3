"""NatsCluster: three real ``nats-server`` nodes joined by routes, on free ports.

Each node runs with the stack's users (``scripts/credentials.py``: ``booking`` may
publish, ``edge`` may only listen), a route to both others and its monitoring port,
whose ``/connz`` tells which node a client is connected to. ``start()`` returns once
every node has routes to the two others, so a message published on any node reaches a
subscriber on any other. ``url`` and ``edge_url`` list all three nodes, as the services'
comma-separated ``NATS_URL`` takes them. Nodes do not advertise each other to clients: a
client knows the cluster from its own ``NATS_URL``, whose entries carry the password an
advertised address would lack.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.servers import START_TIMEOUT, NatsServer, ServerError, free_port, wait_until

__all__ = ["NatsCluster", "NatsNode"]

CLUSTER_NAME = "seats"
NODES = 3


class NatsNode(NatsServer):
    """One node of a cluster: a NatsServer with a route port, routes and monitoring."""

    def __init__(
        self, directory: Path, *, credentials_dir: Path, cluster_port: int, peers: list[int]
    ) -> None:
        super().__init__(directory, credentials_dir=credentials_dir)
        self.cluster_port = cluster_port
        self.monitor_port = free_port()
        routes = ",".join(f"nats://127.0.0.1:{port}" for port in peers)
        self.argv += [
            "--cluster_name", CLUSTER_NAME,
            "--cluster", f"nats://127.0.0.1:{cluster_port}",
            "--routes", routes,
            "--no_advertise",
            "-m", str(self.monitor_port),
        ]  # fmt: skip

    def monitor(self, endpoint: str) -> dict[str, object]:
        """A monitoring endpoint's JSON (``routez``, ``connz`` …)."""
        response = httpx.get(f"http://127.0.0.1:{self.monitor_port}/{endpoint}", timeout=1)
        response.raise_for_status()
        body: dict[str, object] = response.json()
        return body

    def route_count(self) -> int:
        """How many routes to other nodes are up."""
        count = self.monitor("routez").get("num_routes", 0)
        return count if isinstance(count, int) else 0

    def client_names(self) -> list[str]:
        """The names of the clients connected to this node right now."""
        connections = self.monitor("connz").get("connections") or []
        assert isinstance(connections, list)
        return [str(entry.get("name", "")) for entry in connections]


class NatsCluster:
    """Three routed nodes; ``stop()`` stops whichever are still running."""

    def __init__(self, directory: Path) -> None:
        cluster_ports = [free_port() for _ in range(NODES)]
        self.nodes = [
            NatsNode(
                directory / f"node-{index + 1}",
                credentials_dir=directory / "credentials",
                cluster_port=port,
                peers=[peer for peer in cluster_ports if peer != port],
            )
            for index, port in enumerate(cluster_ports)
        ]

    @property
    def url(self) -> str:
        """The booking service's ``NATS_URL``: every node, as user ``booking``."""
        return ",".join(node.url for node in self.nodes)

    @property
    def edge_url(self) -> str:
        """An edge's ``NATS_URL``: every node, as user ``edge``."""
        return ",".join(node.edge_url for node in self.nodes)

    def start(self) -> NatsCluster:
        """Start every node that is not running (so a killed one comes back on its ports)
        and wait until each has routes to the two others."""
        for node in self.nodes:
            if not node.alive:
                node.start()

        def routed() -> bool:
            for node in self.nodes:
                node.ensure_alive()
                try:
                    if node.route_count() < NODES - 1:
                        return False
                except httpx.HTTPError:
                    return False
            return True

        wait_until(routed, timeout=START_TIMEOUT, what="the NATS cluster's routes")
        return self

    def stop(self) -> None:
        """Stop every node still running. Idempotent."""
        for node in self.nodes:
            node.stop()

    def node_of(self, client_name: str) -> NatsNode:
        """The running node the client named ``client_name`` is connected to."""
        for node in self.nodes:
            if node.alive and client_name in node.client_names():
                return node
        raise ServerError(f"no running NATS node has a client named {client_name!r}")
