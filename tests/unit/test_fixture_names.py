"""Test modules never shadow a conftest fixture: one name, one meaning, everywhere."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]


def _fixtures(path: Path) -> set[str]:
    """The names of the functions ``path`` decorates with ``@pytest.fixture``."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if ast.unparse(target) == "pytest.fixture":
                    names.add(node.name)
    return names


def _conftest_fixtures(module: Path) -> set[str]:
    """Fixtures of every conftest.py from the tests folder down to ``module``'s folder."""
    names: set[str] = set()
    folder = module.parent
    while folder.is_relative_to(TESTS):
        conftest = folder / "conftest.py"
        if conftest.exists():
            names |= _fixtures(conftest)
        folder = folder.parent
    return names


@pytest.mark.parametrize(
    "module", sorted(TESTS.rglob("test_*.py")), ids=lambda path: str(path.relative_to(TESTS))
)
def test_test_module_fixtures_do_not_shadow_conftest(module: Path) -> None:
    """No test module redefines a fixture that a conftest.py above it already provides."""
    assert not _fixtures(module) & _conftest_fixtures(module)
