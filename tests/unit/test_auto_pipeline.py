"""The auto-pipeline: one round trip per event-loop turn, each caller its own reply or error."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Any, cast

import pytest
from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError, NoScriptError, ResponseError

from booking_service.auto_pipeline import AutoPipeline, BatchedScript

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
