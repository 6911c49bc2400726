"""The text of every JSON report: ``json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)``
and a final newline, written by orjson where that gives the same bytes.

The standard library's encoder leaves its C accelerator behind when it indents, and then spends
most of a report's time; orjson writes the same layout (two-space indent, ``,`` and ``": "`` as
separators, ``[]`` and ``{}`` for empty containers, the same string escapes for every code point)
many times faster.  Where the two could differ, the standard library writes the text, so the result is
always what ``json.dumps`` gives — the same text, or the same exception:

* a value that is not plain JSON data (an enum, a subclass of ``str``, ``int``, ``dict`` or
  ``list``, a date, a dataclass; orjson writes some of these, the standard library refuses or
  writes them its own way) — found by :func:`_plain`;
* a float that orjson writes otherwise (``1e-05``, not ``0.00001``), and NaN and infinity (orjson
  writes ``null``; ``allow_nan=False`` refuses them) — each float is compared with ``repr``;
* what orjson refuses: a key that is not a string, an integer beyond 64 bits, a string with a lone
  surrogate, nesting deeper than 254 levels or a circular reference.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = (
    orjson.OPT_INDENT_2
    | orjson.OPT_APPEND_NEWLINE
    | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _plain(value: Any) -> bool:
    """Whether ``value`` holds only dicts, lists, tuples, strings, ints, bools, None and floats written as
    ``repr`` writes them.  Called only on a value orjson has written, so it is finite and not circular."""
    todo = [value]
    pop, extend = todo.pop, todo.extend
    while todo:
        v = pop()
        t = type(v)
        if t is str or t is int or t is bool or v is None:
            continue
        if t is dict:
            extend(v.values())  # the keys are str: orjson refuses any other key, and writes them as json does
        elif t is list or t is tuple:
            extend(v)
        elif t is not float or orjson.dumps(v) != repr(v).encode():
            return False
    return True


def dumps(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\\n"``, the same text, faster."""
    try:
        raw = orjson.dumps(value, option=_OPTIONS)
    except orjson.JSONEncodeError:
        pass
    else:
        if _plain(value):
            return raw.decode("utf-8")
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
