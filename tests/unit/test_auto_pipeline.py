"""The auto-pipeline: one round trip per event-loop turn (per master on a cluster), each
caller its own reply or error."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Any, cast

import pytest
from redis.asyncio import Redis, RedisCluster
from redis.asyncio.cluster import PipelineCommand
from redis.commands.core import AsyncScript
from redis.exceptions import (
    ClusterDownError,
    ConnectionError,
    MovedError,
    NoScriptError,
    ResponseError,
    SlotNotCoveredError,
)

from booking_service.auto_pipeline import AutoPipeline, BatchedScript, Outcome, run_script

# A fake Redis's answer to one command: a reply, or an error reply as an exception.
Answer = Callable[[tuple[Any, ...]], Any]


class FakePipeline:
    """Records the commands of one pipeline and answers them as its Redis says."""

    def __init__(self, redis: FakeRedis) -> None:
        self.redis = redis
        self.commands: list[tuple[Any, ...]] = []

    async def __aenter__(self) -> FakePipeline:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def execute_command(self, *args: Any) -> FakePipeline:
        self.commands.append(args)
        return self

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        assert raise_on_error is False
        self.redis.batches.append(self.commands)
        await asyncio.sleep(0)
        if self.redis.failure is not None:
            raise self.redis.failure
        return [self.redis.answer(command) for command in self.commands]


class FakeRedis:
    """Enough of ``redis.asyncio.Redis`` for the auto-pipeline: pipelines and SCRIPT LOAD."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.batches: list[list[tuple[Any, ...]]] = []
        self.failure: Exception | None = None
        self.loaded: list[str] = []

    def pipeline(self, *, transaction: bool) -> FakePipeline:
        assert transaction is False
        return FakePipeline(self)

    async def script_load(self, source: str) -> str:
        self.loaded.append(source)
        return "sha"


def _echo(command: tuple[Any, ...]) -> Any:
    if command[0] == "FAIL":
        return ResponseError(f"refused {command[1]}")
    return ("reply", *command[1:])


def _pipeline(answer: Answer = _echo) -> tuple[AutoPipeline, FakeRedis]:
    redis = FakeRedis(answer)
    return AutoPipeline(cast(Redis, redis)), redis


async def test_auto_pipeline_sends_one_turns_calls_as_one_batch_in_order() -> None:
    """Calls made in one event-loop turn go out as one pipeline, in the order they were made."""
    pipeline, redis = _pipeline()
    replies = await asyncio.gather(*(pipeline.execute("GET", f"k{i}") for i in range(5)))
    assert replies == [("reply", f"k{i}") for i in range(5)]
    assert redis.batches == [[("GET", f"k{i}") for i in range(5)]]


async def test_auto_pipeline_error_reply_fails_only_its_call() -> None:
    """A command Redis refuses raises in its own caller; the rest of the batch gets replies."""
    pipeline, redis = _pipeline()
    results = await asyncio.gather(
        pipeline.execute("GET", "a"),
        pipeline.execute("FAIL", "b"),
        pipeline.execute("GET", "c"),
        return_exceptions=True,
    )
    assert results[0] == ("reply", "a")
    assert isinstance(results[1], ResponseError)
    assert str(results[1]) == "refused b"
    assert results[2] == ("reply", "c")
    assert len(redis.batches) == 1


async def test_auto_pipeline_batch_failure_fails_every_call_of_that_batch_only() -> None:
    """A lost connection fails every call of its batch; the next turn's batch runs anew."""
    pipeline, redis = _pipeline()
    redis.failure = ConnectionError("connection lost")
    results = await asyncio.gather(
        pipeline.execute("GET", "a"), pipeline.execute("GET", "b"), return_exceptions=True
    )
    assert all(isinstance(result, ConnectionError) for result in results)
    redis.failure = None
    assert await pipeline.execute("GET", "c") == ("reply", "c")
    assert len(redis.batches) == 2


async def test_auto_pipeline_calls_of_later_turns_form_later_batches() -> None:
    """A call made while a batch is in flight waits for the next batch, not for a reply slot."""
    pipeline, redis = _pipeline()
    first = asyncio.ensure_future(pipeline.execute("GET", "a"))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(pipeline.execute("GET", "b"))
    assert list(await asyncio.gather(first, second)) == [("reply", "a"), ("reply", "b")]
    assert redis.batches == [[("GET", "a")], [("GET", "b")]]


async def test_auto_pipeline_cancelled_caller_leaves_the_others_their_replies() -> None:
    """A caller cancelled while its batch is in flight does not disturb the other callers."""
    pipeline, _ = _pipeline()
    gone = asyncio.ensure_future(pipeline.execute("GET", "a"))
    kept = asyncio.ensure_future(pipeline.execute("GET", "b"))
    await asyncio.sleep(0)
    gone.cancel()
    assert await kept == ("reply", "b")
    with pytest.raises(asyncio.CancelledError):
        await gone


def _script(source: str) -> AsyncScript:
    """A script registered with a client that never connects (only its encoder is used)."""
    return Redis().register_script(source)


async def test_batched_script_runs_as_evalsha_with_keys_then_args() -> None:
    """A script call is EVALSHA of its sha with the key count, the keys, then the args."""
    pipeline, redis = _pipeline()
    script = _script("return 1")
    reply = await BatchedScript(script, pipeline)(keys=["k1", "k2"], args=["a", 3])
    assert reply == ("reply", script.sha, 2, "k1", "k2", "a", 3)
    assert redis.loaded == []


async def test_batched_script_loads_an_unknown_script_and_calls_it_again() -> None:
    """On NOSCRIPT the script is loaded and the call made once more."""
    known = False

    def answer(command: tuple[Any, ...]) -> Any:
        return ("ran", command[3]) if known else NoScriptError("NOSCRIPT")

    pipeline, redis = _pipeline(answer)
    original = redis.script_load

    async def load(source: str) -> str:
        nonlocal known
        known = True
        return await original(source)

    redis.script_load = load  # type: ignore[method-assign]
    assert await BatchedScript(_script("return 2"), pipeline)(keys=["k"], args=[]) == ("ran", "k")
    assert redis.loaded == ["return 2"]
    assert len(redis.batches) == 2


async def test_auto_pipeline_with_wait_ends_each_batch_with_wait_and_tells_every_call() -> None:
    """With ``wait``, the batch's last command is WAIT, and each call gets its answer."""
    redis = FakeRedis(lambda command: 1 if command[0] == "WAIT" else ("reply", command[1]))
    pipeline = AutoPipeline(cast(Redis, redis), wait=(1, 200))
    outcomes = await asyncio.gather(*(pipeline.run("SET", f"k{i}", key=f"k{i}") for i in range(3)))
    assert outcomes == [Outcome(("reply", f"k{i}"), 1) for i in range(3)]
    assert redis.batches == [[("SET", "k0"), ("SET", "k1"), ("SET", "k2"), ("WAIT", 1, 200)]]


class FakeNode:
    """One master of a fake cluster: answers each pipeline as its cluster says."""

    def __init__(self, name: str, cluster: FakeCluster) -> None:
        self.name = name
        self.cluster = cluster

    async def execute_pipeline(self, commands: list[PipelineCommand]) -> bool:
        self.cluster.pipelines.append((self.name, [command.args for command in commands]))
        await asyncio.sleep(0)
        if self.name in self.cluster.down:
            raise ConnectionError(f"{self.name} is gone")
        for command in commands:
            command.result = self.cluster.answer(self.name, command.args)
        return False


class FakeNodesManager:
    def __init__(self, cluster: FakeCluster) -> None:
        self.cluster = cluster

    async def initialize(self) -> None:
        self.cluster.refreshes += 1


class FakeCluster(RedisCluster):
    """Enough of ``RedisCluster`` for the auto-pipeline: keys "<node>:<name>" live on
    master <node>; a node in ``uncovered`` serves no slot."""

    def __init__(self, answer: Callable[[str, tuple[Any, ...]], Any]) -> None:
        self.answer = answer
        self.pipelines: list[tuple[str, list[tuple[Any, ...]]]] = []
        self.down: set[str] = set()
        self.uncovered: set[str] = set()
        self.refreshes = 0
        self.nodes_manager = cast(Any, FakeNodesManager(self))

    async def initialize(self) -> FakeCluster:
        return self

    def get_node_from_key(self, key: str, replica: bool = False) -> Any:
        name = key.split(":")[0]
        if name in self.uncovered:
            raise SlotNotCoveredError(f"slot of {key} is not covered")
        return FakeNode(name, self)

    def get_random_node(self) -> Any:
        return FakeNode("m1", self)


def _on_node(node: str, command: tuple[Any, ...]) -> Any:
    return 1 if command[0] == "WAIT" else (node, *command[1:])


async def test_auto_pipeline_on_a_cluster_sends_one_pipeline_per_master_each_with_wait() -> None:
    """Calls are grouped by the master of their key, in order, each group with its WAIT."""
    cluster = FakeCluster(_on_node)
    pipeline = AutoPipeline(cluster, wait=(1, 100))
    keys = ["m1:a", "m2:b", "m1:c", "m3:d"]
    outcomes = await asyncio.gather(*(pipeline.run("SET", key, key=key) for key in keys))
    assert [outcome.reply for outcome in outcomes] == [
        ("m1", "m1:a"),
        ("m2", "m2:b"),
        ("m1", "m1:c"),
        ("m3", "m3:d"),
    ]
    assert {outcome.confirmed for outcome in outcomes} == {1}
    assert sorted(cluster.pipelines) == [
        ("m1", [("SET", "m1:a"), ("SET", "m1:c"), ("WAIT", 1, 100)]),
        ("m2", [("SET", "m2:b"), ("WAIT", 1, 100)]),
        ("m3", [("SET", "m3:d"), ("WAIT", 1, 100)]),
    ]
    assert cluster.refreshes == 0


async def test_auto_pipeline_on_a_cluster_a_lost_master_fails_only_its_calls() -> None:
    """A master that fails its pipeline fails those calls; the map is read again, and the
    calls to other masters, and to a slot nobody serves, get their own outcomes."""
    cluster = FakeCluster(_on_node)
    cluster.down, cluster.uncovered = {"m2"}, {"m3"}
    pipeline = AutoPipeline(cluster)
    results = await asyncio.gather(
        pipeline.execute("GET", "m1:a", key="m1:a"),
        pipeline.execute("GET", "m2:b", key="m2:b"),
        pipeline.execute("GET", "m3:c", key="m3:c"),
        return_exceptions=True,
    )
    assert results[0] == ("m1", "m1:a")
    assert isinstance(results[1], ConnectionError)
    assert isinstance(results[2], ClusterDownError)
    assert cluster.refreshes == 1


async def test_run_script_sends_again_after_moved_and_after_noscript() -> None:
    """A script refused before it ran (MOVED, then NOSCRIPT on the new master) is sent
    again, the map read again and the script loaded; then its reply comes back."""
    answers: list[Any] = [MovedError("3999 127.0.0.1:7001"), NoScriptError("NOSCRIPT")]
    cluster = FakeCluster(lambda node, command: answers.pop(0) if answers else "ran")
    loaded: list[str] = []

    async def script_load(source: str) -> str:
        loaded.append(source)
        return "sha"

    cluster.script_load = script_load  # type: ignore[method-assign]
    outcome = await run_script(AutoPipeline(cluster), _script("return 3"), ["m1:k"], ["x"])
    assert outcome == Outcome("ran")
    assert loaded == ["return 3"]
    assert len(cluster.pipelines) == 3
    assert cluster.refreshes == 1
