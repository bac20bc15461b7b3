"""Fixtures: one stack started by ``./start-all.sh`` for the whole e2e module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.script_stack import ScriptStack


@pytest.fixture(scope="module")
def script_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptStack]:
    stack = ScriptStack(tmp_path_factory.mktemp("stack"))
    try:
        yield stack.start()
    finally:
        stack.stop()
