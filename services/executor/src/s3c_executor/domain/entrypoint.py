"""Which function a JavaScript module runs: the names it declares at the top level, in order.

DESIGN section 3: `module.exports` or `exports.handler` if set; else a function named `handler`
or `main`; else the last top-level function declared. The sandbox does the first two in V8;
this scanner finds the candidates for the third without running anything.
"""

from __future__ import annotations

import re

_DECLARATION = re.compile(
    r"(?:async\s+)?function\s*\*?\s*(?P<fn>[A-Za-z_$][\w$]*)"
    r"|(?:const|let|var)\s+(?P<var>[A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?"
    r"(?:function\b|\([^()]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)"
)
_IDENT = re.compile(r"[\w$]")
# After these characters a '/' starts a regular expression literal, not a division.
_REGEX_PREFIX = set("(,=:[!&|?{};+-*%<>~^")


def _skip_string(code: str, i: int, quote: str) -> int:
    i += 1
    while i < len(code) and code[i] != quote:
        i += 2 if code[i] == "\\" else 1
    return i + 1


def _skip_template(code: str, i: int) -> int:
    i += 1
    while i < len(code) and code[i] != "`":
        if code[i] == "\\":
            i += 2
        elif code.startswith("${", i):
            depth, i = 1, i + 2
            while i < len(code) and depth:
                depth += {"{": 1, "}": -1}.get(code[i], 0)
                i += 1
        else:
            i += 1
    return i + 1


def _skip_regex(code: str, i: int) -> int:
    i += 1
    in_class = False
    while i < len(code) and code[i] != "\n":
        c = code[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            return i + 1
        i += 1
    return i


def top_level_functions(code: str) -> list[str]:
    """Names bound to functions at the top level, in source order (a redeclared name counts last)."""
    names: list[str] = []
    depth = 0
    i = 0
    last_significant = ""
    while i < len(code):
        c = code[i]
        if code.startswith("//", i):
            end = code.find("\n", i)
            i = len(code) if end < 0 else end
            continue
        if code.startswith("/*", i):
            end = code.find("*/", i + 2)
            i = len(code) if end < 0 else end + 2
            continue
        if c in "'\"":
            i = _skip_string(code, i, c)
            last_significant = "a"
            continue
        if c == "`":
            i = _skip_template(code, i)
            last_significant = "a"
            continue
        if c == "/" and (last_significant in _REGEX_PREFIX or last_significant == ""):
            i = _skip_regex(code, i)
            last_significant = "a"
            continue
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth = max(0, depth - 1)
        elif depth == 0 and (i == 0 or not _IDENT.match(code[i - 1])):
            match = _DECLARATION.match(code, i)
            if match:
                name = match.group("fn") or match.group("var")
                if name in names:
                    names.remove(name)
                names.append(name)
        if not c.isspace():
            last_significant = c
        i += 1
    return names
