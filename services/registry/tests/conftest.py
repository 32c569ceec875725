"""The registry's unit tests import their fakes as `registry_fakes`: pytest's importlib mode puts
no test folder on sys.path, and a bare `fakes` could be another service's."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _load(name: str, path: Path) -> None:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


if "registry_fakes" not in sys.modules:
    _load("registry_fakes", Path(__file__).with_name("fakes.py"))
