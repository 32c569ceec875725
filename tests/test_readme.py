"""The README's "Try it" examples run, in order, against a real stack: the docs cannot rot."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from helpers import Stack

ROOT = Path(__file__).resolve().parent.parent
MARK = "=====S3C-BLOCK====="


def json_values(text: str) -> list[Any]:
    """Every JSON value in `text` (several curls in one block print them back to back)."""
    decoder, values, i = json.JSONDecoder(), [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        value, i = decoder.raw_decode(text, i)
        values.append(value)
    return values


def try_it_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Try it", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


def test_the_readme_examples_work(stack: Stack) -> None:
    blocks = try_it_blocks()
    assert len(blocks) >= 10
    script = ["set -euo pipefail"]
    for block in blocks:
        script += [block.replace("http://localhost:5000", stack.url), f"echo; echo {MARK}"]
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    outputs = [o.strip() for o in done.stdout.split(MARK)][: len(blocks)]
    assert len(outputs) == len(blocks)
    for block, out in zip(blocks, outputs, strict=True):
        if "/metrics/prometheus" in block:
            assert "s3c_executions" in out
        elif "/fn/add" in block:
            assert json.loads(out) == 5
        else:
            for body in json_values(out):
                assert body["success"] is True, (block, body)
