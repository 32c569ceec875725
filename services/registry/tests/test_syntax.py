"""The `CodeChecker` adapter: real V8 (mini-racer) and Python compile checks, in process."""

from __future__ import annotations

import pytest
from s3c_events.registry import Runtime
from s3c_registry.syntax import CodeCompiler


@pytest.mark.parametrize(
    ("runtime", "code"),
    [
        ("javascript", "function add(a, b) { return a + b; }"),
        ("javascript", "module.exports = async (x) => x;"),
        ("python", "def add(a, b):\n    return a + b\n"),
    ],
)
async def test_code_that_compiles_passes(runtime: Runtime, code: str) -> None:
    assert await CodeCompiler().error(runtime, code) is None


@pytest.mark.parametrize(
    ("runtime", "code", "error"),
    [
        ("javascript", "function add(a, b) { return a + ; }", "SyntaxError: Unexpected token ';'"),
        ("python", "def add(a, b) return a + b", "SyntaxError: expected ':' (line 1)"),
        # Checked for its own runtime: JavaScript is no Python.
        ("python", "function add(a, b) { return a + b; }", "SyntaxError: invalid syntax (line 1)"),
    ],
)
async def test_code_that_does_not_compile_gets_the_compilers_message(
    runtime: Runtime, code: str, error: str
) -> None:
    assert await CodeCompiler().error(runtime, code) == error


async def test_compiling_never_runs_the_code() -> None:
    # A loop that would never end if run: compiling it answers at once.
    assert await CodeCompiler().error("javascript", "while (true) {}") is None
    assert await CodeCompiler().error("python", "while True:\n    pass\n") is None
