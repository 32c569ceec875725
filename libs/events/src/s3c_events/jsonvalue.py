"""What a JSON value may hold to cross into the system: finite numbers, integers that fit in 64
bits, text UTF-8 can carry, object keys the store keeps as sent, and at most `MAX_JSON_DEPTH`
levels of nesting.

Pure functions. The gateway checks function inputs with them at the door; the executor can check
outputs the same way. Why each rule: a lone surrogate (`"\\ud800"`) cannot be encoded as UTF-8,
so the value cannot be published or stored; NaN and Infinity are not JSON (Python's parser
accepts them, the sandbox turned them into null); the store refuses keys holding U+0000 and
integers beyond 64 bits (a read model that cannot store a record stops there), and it reads
keys beginning with `$` as its own (`{"$date": 5}` comes back as a date); nesting past 100 levels
is refused by MongoDB, and every recursive encoder on the way has a limit of its own.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_JSON_DEPTH = 64  # arrays and objects inside one another: `[]` is 1 level, `[[]]` 2
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # the integers the store keeps
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# A step down from a value: an object key or an array index, linked to the steps above it. Kept
# as a chain and rendered only for an error, so a large valid value costs no path strings.
_Path = tuple["_Path | None", str | int] | None


class JsonValueError(ValueError):
    """A value that may not cross. `field` says where (`input.items[2]`), `problem` what."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def path_to(root: str, *steps: str | int) -> str:
    """`input`, `input.a`, `input[2]`, `input["a b"]`: a key that is not a plain name is quoted
    as a JSON string with every non-ASCII character escaped, so the path is always safe to print."""
    out = root
    for step in steps:
        if isinstance(step, int):
            out += f"[{step}]"
        elif _PLAIN_KEY.fullmatch(step):
            out += f".{step}" if out else step
        else:
            out += f"[{json.dumps(step)}]"
    return out


def _render(root: str, path: _Path) -> str:
    steps: list[str | int] = []
    while path is not None:
        path, step = path
        steps.append(step)
    return path_to(root, *reversed(steps))


def _lone_surrogate(text: str) -> str | None:
    """The first code point UTF-8 cannot encode, as `\\udXXX`, or None."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"\\u{ord(text[exc.start]):04x}"
    return None


def _key_problem(key: str) -> str | None:
    shown = json.dumps(key)
    surrogate = _lone_surrogate(key)
    if surrogate:
        return f"the key {shown} holds a lone surrogate ({surrogate}), which UTF-8 cannot carry"
    if "\x00" in key:
        return f"the key {shown} contains U+0000, which the store refuses in keys"
    if key.startswith("$"):
        return f"the key {shown} starts with '$', which the store reserves for its operators"
    return None


def _number_name(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def check(value: Any, root: str = "input", max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise `JsonValueError` naming the first part of `value` (a parsed JSON value) that may not
    cross; return None when all of it may. Iterative, so any depth is safe to check."""
    stack: list[tuple[Any, _Path, int]] = [(value, None, 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict | list | tuple):
            if depth >= max_depth:
                raise JsonValueError(root, f"nested deeper than {max_depth} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    if not isinstance(key, str):
                        raise JsonValueError(_render(root, path), f"the key {key!r} is not text")
                    here: _Path = (path, key)
                    problem = _key_problem(key)
                    if problem:
                        raise JsonValueError(_render(root, here), problem)
                    stack.append((child, here, depth + 1))
            else:
                stack.extend(((child, (path, i), depth + 1) for i, child in enumerate(item)))
        elif isinstance(item, str):
            surrogate = _lone_surrogate(item)
            if surrogate:
                raise JsonValueError(
                    _render(root, path),
                    f"the text holds a lone surrogate ({surrogate}), which UTF-8 cannot carry",
                )
        elif item is None or isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                raise JsonValueError(
                    _render(root, path),
                    "the integer does not fit in 64 bits (-2^63 to 2^63-1); "
                    "send a larger one as a string, or with an exponent (1e20)",
                )
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise JsonValueError(
                    _render(root, path),
                    f"{_number_name(item)} is not a JSON number (numbers must be finite)",
                )
        else:
            raise JsonValueError(_render(root, path), f"a {type(item).__name__} is not JSON")


def parse(raw: bytes | str, root: str = "input") -> Any:
    """JSON text (UTF-8, as RFC 8259 asks) to a value, or `JsonValueError`. It only parses:
    `check` says whether the value may cross (`loads` does both)."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonValueError(
                root, f"the body is not UTF-8 (byte 0x{raw[exc.start]:02x} at {exc.start})"
            ) from None
    else:
        text = raw
    try:
        return json.loads(text)
    except RecursionError:
        # Far deeper than the limit: the parser's own recursion guard stopped it.
        raise JsonValueError(root, f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:
        raise JsonValueError(root, f"malformed JSON: {exc}") from None


def loads(raw: bytes | str, root: str = "input") -> Any:
    """Parse JSON text and check the value: what may cross, or `JsonValueError` naming the part
    that may not (`input: nested deeper than 64 levels`, `input.x: NaN is not a JSON number`)."""
    value = parse(raw, root)
    check(value, root)
    return value
