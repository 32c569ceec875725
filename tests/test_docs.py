"""The published contract documents cannot rot: every subject is documented and the files are current."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from s3c_events import EVENT_TYPES, billing, executor, registry, scaler, subjects
from s3c_events.subjects import event_subject

ROOT = Path(__file__).resolve().parent.parent
COMMANDS_AND_QUERIES = sorted(
    {
        m.SUBJECT
        for module in (registry, executor, billing, scaler)
        for m in vars(module).values()
        if isinstance(m, type) and isinstance(getattr(m, "SUBJECT", None), str)
    }
)


def test_events_md_lists_every_subject() -> None:
    text = (ROOT / "docs" / "events.md").read_text()
    for aggregate, kind in EVENT_TYPES:
        if aggregate == "scaling":  # one pool: the subject is fixed
            assert event_subject("scaling", "pool", kind) in text, (
                f"{aggregate}.{kind} is undocumented"
            )
            continue
        assert f"{subjects.EVENTS}.{aggregate}.<" in text and f">.{kind}`" in text, (
            f"{aggregate}.{kind} is undocumented"
        )
    for subject in COMMANDS_AND_QUERIES:
        assert subject in text, f"{subject} is undocumented"


def test_asyncapi_is_generated_and_current(tmp_path: Path) -> None:
    out = tmp_path / "asyncapi.json"
    subprocess.run(
        [sys.executable, "-m", "s3c_cli", "asyncapi", "--output", str(out)],
        check=True,
        capture_output=True,
    )
    spec = json.loads(out.read_text())
    addresses = {c["address"] for c in spec["channels"].values()}
    for aggregate, kind in EVENT_TYPES:
        assert any(
            a.startswith(f"{subjects.EVENTS}.{aggregate}.") and a.endswith(f".{kind}")
            for a in addresses
        )
    for subject in COMMANDS_AND_QUERIES:
        assert subject in addresses
    schema = spec["components"]["schemas"]["FunctionState"]["properties"]
    assert {"createdAt", "updatedAt", "config"} <= set(schema)
    committed = ROOT / "docs" / "asyncapi.json"
    assert json.loads(committed.read_text()) == spec, (
        "docs/asyncapi.json is stale: run `make asyncapi`"
    )
