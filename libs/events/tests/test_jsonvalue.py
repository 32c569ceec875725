"""What a JSON value may hold to cross the door (`s3c_events.jsonvalue`): valid values cross
unchanged, a bad part anywhere is refused with its path named, depth is capped, and no input
makes the parser fail with anything but `JsonValueError`."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from s3c_events.jsonvalue import (
    INT64_MAX,
    INT64_MIN,
    MAX_JSON_DEPTH,
    JsonValueError,
    check,
    loads,
    path_to,
)

TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
KEYS = TEXT.filter(lambda k: "\x00" not in k and not k.startswith("$"))
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(INT64_MIN, INT64_MAX)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)
STEPS = st.lists(st.one_of(KEYS, st.integers(0, 3)), max_size=8)

# A bad part, what its error says, and whether the part is a key (its path then ends in it).
POISONS: list[tuple[Any, str, str | None]] = [
    (math.nan, "NaN is not a JSON number", None),
    (math.inf, "Infinity is not a JSON number", None),
    (-math.inf, "-Infinity is not a JSON number", None),
    ("ok \ud800", "lone surrogate (\\ud800)", None),
    (2**63, "does not fit in 64 bits", None),
    (-(2**63) - 1, "does not fit in 64 bits", None),
    ({"a\x00b": 1}, 'the key "a\\u0000b" contains U+0000', "a\x00b"),
    ({"$date": 5}, "the key \"$date\" starts with '$'", "$date"),
    ({"\udfff": 1}, 'the key "\\udfff" holds a lone surrogate (\\udfff)', "\udfff"),
]


def nest(value: Any, steps: list[str | int], filler: Any) -> Any:
    """`value` placed at `steps` inside new containers; every other member is `filler`."""
    for step in reversed(steps):
        if isinstance(step, int):
            value = [filler] * step + [value, filler]
        else:
            value = {step: value}
    return value


def depth(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


@given(VALUES)
def test_valid_values_cross_unchanged(value: Any) -> None:
    check(value)
    assert loads(json.dumps(value)) == value
    assert loads(json.dumps(value).encode()) == value


@given(st.sampled_from(POISONS), STEPS, SCALARS | st.just([]))
def test_a_bad_part_anywhere_is_refused_and_named(
    poison: tuple[Any, str, str | None], steps: list[str | int], filler: Any
) -> None:
    bad, problem, key = poison
    with pytest.raises(JsonValueError) as caught:
        check(nest(bad, steps, filler))
    where = path_to("input", *steps, *([key] if key is not None else []))
    assert caught.value.field == where
    assert problem in caught.value.problem
    assert str(caught.value) == f"{where}: {caught.value.problem}"
    str(caught.value).encode("utf-8")  # the message itself can always be sent


@pytest.mark.parametrize(
    ("raw", "field", "literal"),
    [
        (b"[NaN]", "input[0]", "NaN"),
        (b'{"a": {"b": Infinity}}', "input.a.b", "Infinity"),
        (b'{"x y": -Infinity}', 'input["x y"]', "-Infinity"),
        (b"[1e999]", "input[0]", "Infinity"),
    ],
)
def test_non_finite_literals_are_refused_by_name(raw: bytes, field: str, literal: str) -> None:
    with pytest.raises(JsonValueError) as caught:
        loads(raw)
    assert caught.value.field == field
    assert caught.value.problem == f"{literal} is not a JSON number (numbers must be finite)"


@given(st.integers(0, MAX_JSON_DEPTH))
def test_values_nested_up_to_the_limit_cross(levels: int) -> None:
    check(depth(levels))


@given(st.integers(MAX_JSON_DEPTH + 1, 3 * MAX_JSON_DEPTH))
def test_values_nested_past_the_limit_are_refused(levels: int) -> None:
    with pytest.raises(JsonValueError) as caught:
        check(depth(levels))
    assert str(caught.value) == f"input: nested deeper than {MAX_JSON_DEPTH} levels"


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 300, 100_000])
def test_deep_json_text_is_refused_however_deep(levels: int) -> None:
    for raw in (b"[" * levels + b"]" * levels, b'{"a":' * levels + b"1" + b"}" * levels):
        with pytest.raises(JsonValueError) as caught:
            loads(raw, "input")
        assert str(caught.value) == f"input: nested deeper than {MAX_JSON_DEPTH} levels"


JSONISH = st.text(alphabet='[]{}",:0123456789.eE+-tfnrulNaIiy\\ \x00\ud800', max_size=40)


@given(st.binary(max_size=64) | JSONISH)
def test_any_bytes_or_text_give_a_value_that_crosses_or_a_json_value_error(raw: Any) -> None:
    try:
        value = loads(raw)
    except JsonValueError as exc:
        str(exc).encode("utf-8")
    else:
        check(value)
        json.dumps(value).encode("utf-8")


def test_text_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(JsonValueError, match=r"^input: the body is not UTF-8 \(byte 0xff at 1\)"):
        loads(b'"\xff"')
    with pytest.raises(JsonValueError, match=r"^input: malformed JSON"):
        loads('{"a":1}'.encode("utf-16-le"))


def test_paths_quote_keys_that_are_not_plain_names() -> None:
    assert path_to("input", "a", 2, "b_c") == "input.a[2].b_c"
    assert path_to("input", "a.b", "1x", "") == 'input["a.b"]["1x"][""]'
    assert path_to("", "input", 0) == "input[0]"
    assert path_to("", "$x") == '["$x"]'
