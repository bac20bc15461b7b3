"""A real Redis Cluster for tests: 3 masters and 3 replicas on free ports.

Six ``redis-server --cluster-enabled yes`` processes in one directory, each with its
append-only file (fsynced before every answer) and the stack's ACL users from one shared
credentials directory (replicas sync from their master as the default user), joined by
``redis-cli --cluster create --cluster-replicas 1``. ``start()`` returns once every node
reports ``cluster_state:ok`` and a write on every master reaches its replica, so
``WAIT 1`` holds from the first write. A node killed with ``kill9()`` and started again
rejoins from its own ``nodes.conf``, as a replica of whoever took over its slots.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import redis
from redis.crc import key_slot

from booking_service.events.keys import event_key
from tests.event_api import OPERATOR, grid_plan_json
from tests.servers import (
    START_TIMEOUT,
    RedisServer,
    ServerError,
    find_binary,
    free_port,
    wait_until,
)

__all__ = ["ClusterNodeServer", "RedisClusterServers", "Shard", "events_on_every_master"]

# Events created at most before their hash tags cover every master (3 masters: the
# chance that 24 random ids miss one is below one in 10,000).
MAX_EVENTS = 24
CREATE_ATTEMPTS = 3
# How long a master may be silent before the others count it as failed; the replica
# is promoted about this long (plus an election) after its master dies.
NODE_TIMEOUT_MS = 1000


class ClusterNodeServer(RedisServer):
    """One cluster node: a RedisServer with its cluster bus on a second free port."""

    def __init__(self, directory: Path, *, credentials_dir: Path) -> None:
        super().__init__(directory, appendonly=True, credentials_dir=credentials_dir)
        self.bus_port = free_port()
        self.argv += [
            "--cluster-enabled", "yes",
            "--cluster-config-file", str(directory / "nodes.conf"),
            "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
            "--cluster-port", str(self.bus_port),
            # The other shards go on serving while one fails over.
            "--cluster-require-full-coverage", "no",
            # A replica (re)joining gets its copy at once, not after the default 5 s.
            "--repl-diskless-sync-delay", "0",
            "--masteruser", "default",
            "--masterauth", self.credentials.password("redis-admin"),
        ]  # fmt: skip

    def info(self, section: str) -> dict[str, Any]:
        """``INFO <section>`` as redis-py parses it (``"cluster"``: ``CLUSTER INFO``)."""
        client = self.admin_client()
        try:
            if section == "cluster":
                reply: dict[str, Any] = client.cluster("INFO")
            else:
                reply = client.info(section)
            return reply
        finally:
            client.close()

    def answers(self) -> bool:
        """Whether the node is up and reports ``cluster_state:ok``."""
        if not self.alive:
            return False
        with contextlib.suppress(redis.RedisError, OSError):
            return self.info("cluster").get("cluster_state") == "ok"
        return False


@dataclass(frozen=True)
class Shard:
    """A master and the slot ranges it serves, as one node sees them now."""

    master: ClusterNodeServer
    slots: list[tuple[int, int]]

    def serves(self, slot: int) -> bool:
        return any(low <= slot <= high for low, high in self.slots)


class RedisClusterServers:
    """Three masters with one replica each, every node on its own free ports."""

    def __init__(self, directory: Path, *, masters: int = 3) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        shared = directory / "credentials"
        self.nodes = [
            ClusterNodeServer(directory / f"node-{n}", credentials_dir=shared)
            for n in range(2 * masters)
        ]
        self.credentials = self.nodes[0].credentials

    @property
    def url(self) -> str:
        """The booking service's ``REDIS_URL``: every node, user ``booking``."""
        return ",".join(node.url for node in self.nodes)

    def start(self) -> RedisClusterServers:
        try:
            for node in self.nodes:
                node.start()
            self._create()
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _create(self) -> None:
        argv = [find_binary("redis-cli"), "--cluster", "create"]
        argv += [node.address for node in self.nodes]
        argv += ["--cluster-replicas", "1", "--cluster-yes"]
        env = {**os.environ, "REDISCLI_AUTH": self.credentials.password("redis-admin")}
        result = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=START_TIMEOUT, check=False
        )
        if result.returncode != 0:
            raise ServerError(f"redis-cli --cluster create failed:\n{result.stdout}{result.stderr}")

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until every live node says the cluster is ok and every master has a
        replica online."""

        def healthy() -> bool:
            live = [node for node in self.nodes if node.alive]
            if not all(node.answers() for node in live):
                return False
            return all(self._confirms_writes(shard) for shard in self.shards())

        wait_until(healthy, timeout=timeout, what="the Redis cluster to be ok with replicas")

    def _confirms_writes(self, shard: Shard) -> bool:
        """Whether a write on the shard's master reaches a replica (WAIT 1) at once."""
        key = next(f"probe-{n}" for n in count() if shard.serves(key_slot(f"probe-{n}".encode())))
        with contextlib.suppress(redis.RedisError, OSError):
            client = shard.master.admin_client()
            try:
                client.set(key, "1")
                return int(client.wait(1, 200)) >= 1
            finally:
                client.close()
        return False

    def replicas_online(self, master: ClusterNodeServer) -> int:
        """How many replicas of ``master`` are in sync with it now (0 if it is down)."""
        with contextlib.suppress(redis.RedisError, OSError):
            info = master.info("replication")
            return sum(
                1
                for key, value in info.items()
                if key.startswith("slave")
                and isinstance(value, dict)
                and value["state"] == "online"
            )
        return 0

    def masters(self) -> list[ClusterNodeServer]:
        """The live nodes that report the master role right now."""
        found = []
        for node in self.nodes:
            if not node.alive:
                continue
            with contextlib.suppress(redis.RedisError, OSError):
                if node.info("replication").get("role") == "master":
                    found.append(node)
        return found

    def shards(self) -> list[Shard]:
        """Every master serving slots and its ranges, by ``CLUSTER SLOTS`` of a live node."""
        by_port = {node.port: node for node in self.nodes}
        viewer = next(node for node in self.nodes if node.alive)
        client = viewer.admin_client()
        try:
            ranges = client.execute_command("CLUSTER SLOTS")
        finally:
            client.close()
        shards: dict[int, list[tuple[int, int]]] = {}
        for low, high, master, *_ in ranges:
            shards.setdefault(int(master[1]), []).append((int(low), int(high)))
        return [Shard(by_port[port], slots) for port, slots in sorted(shards.items())]

    def keyslot(self, key: str) -> int:
        """``CLUSTER KEYSLOT`` of ``key``, as the cluster computes it."""
        viewer = next(node for node in self.nodes if node.alive)
        client = viewer.admin_client()
        try:
            return int(client.execute_command("CLUSTER KEYSLOT", key))
        finally:
            client.close()

    def master_of(self, key: str) -> ClusterNodeServer:
        """The master that serves ``key``'s slot now."""
        slot = self.keyslot(key)
        return next(shard.master for shard in self.shards() if shard.serves(slot))

    def replica_of(self, master: ClusterNodeServer) -> ClusterNodeServer:
        """The node replicating ``master``."""
        port = int(master.info("replication")["slave0"]["port"])
        return next(node for node in self.nodes if node.port == port)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


async def _create(
    http: httpx.AsyncClient, name: str, plan: dict[str, Any], prices: dict[str, float]
) -> dict[str, Any]:
    """Create the event, again under a fresh id while its write is not confirmed (503):
    on a busy machine a replica may take longer than the WAIT timeout, now and then."""
    for _ in range(CREATE_ATTEMPTS):
        body = {"name": name, "plan": plan, "prices": prices, "currency": "EUR"}
        response = await http.post("/api/admin/events", json=body, headers=OPERATOR)
        if response.status_code != 503:
            break
    assert response.status_code == 201, response.text
    event: dict[str, Any] = response.json()
    return event


async def events_on_every_master(
    http: httpx.AsyncClient,
    cluster: RedisClusterServers,
    prices: dict[str, float],
    *,
    rows: int = 2,
    cols: int = 4,
) -> dict[int, str]:
    """Create grid-hall events through the operator API until each master serves one;
    master port -> event id."""
    spread: dict[int, str] = {}
    masters = len(cluster.shards())
    for n in range(MAX_EVENTS):
        event = await _create(http, f"Show {n}", grid_plan_json(rows, cols), prices)
        port = cluster.master_of(event_key(event["id"], "seats")).port
        spread.setdefault(port, event["id"])
        if len(spread) == masters:
            return spread
    raise AssertionError(f"{MAX_EVENTS} events landed on only {len(spread)} masters")
