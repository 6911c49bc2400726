"""The fast JSON writer gives exactly what ``json.dumps(indent=2, ensure_ascii=False, allow_nan=False)`` gives."""

from __future__ import annotations

import collections
import datetime as dt
import enum
import json
import math

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icscheck import api, jsontext, report

from conftest import CP, EXEMPLAR


def stdlib(value):
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def outcome(write, value):
    """The text written, or the exception raised (its type and message)."""
    try:
        return write(value)
    except Exception as exc:  # noqa: BLE001 - the point is to compare whatever happens
        return (type(exc), str(exc))


SPECIAL = "\x00\x01\x08\t\n\x0b\x0c\r\x1b\x1f \"\\/\x7f\x80\x9f\xa0\xad\u2028\u2029\u202e\ufeff\ufffe\uffff\U0001f600\ud800\udfff"
texts = st.one_of(
    st.text(max_size=12),
    st.text(st.sampled_from(SPECIAL), max_size=6),  # controls, quotes, invisible characters, lone surrogates
    st.text(st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp"]), max_size=6),
)
floats = st.one_of(
    st.floats(),  # every float: NaN, infinities, subnormals, -0.0
    st.sampled_from([1e-05, 1e-07, 2.5e-05, 0.0001, 1e15, 1e16, 1e17, 1.2345678901234567e20, 5e-324, 1.7976931348623157e308]),
    st.integers(-400, 400).map(lambda e: 10.0**e if e < 309 else 1.0),
)
integers = st.one_of(st.integers(), st.integers(-(2**64) - 2, 2**64 + 2), st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1]))
scalars = st.one_of(st.none(), st.booleans(), integers, floats, texts)
keys = st.one_of(texts, texts, texts, integers, floats, st.booleans(), st.none())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=30,
)


@settings(max_examples=1500, deadline=None, derandomize=True, database=None)
@given(values)
def test_the_fast_writer_writes_what_the_standard_library_writes(value):
    assert outcome(jsontext.dumps, value) == outcome(stdlib, value)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**64 - 1), st.text(), st.floats(1e-4, 1e300)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4)),
    max_leaves=20,
))
def test_plain_data_takes_the_fast_path(value):
    """Plain data (no lone surrogates, no float written in exponent form below 1e-4) is orjson's text."""
    assert jsontext._plain(value)
    assert orjson.dumps(value, option=jsontext._OPTIONS).decode() == stdlib(value)


class Colour(enum.Enum):
    RED = 1


class Level(enum.IntEnum):
    HIGH = 3


class Kind(str, enum.Enum):
    PLACE = "place"


class Text(str):
    def __str__(self):
        return "other"


class Items(dict):
    def items(self):
        return [("shown", 1)]


def _circular():
    d: dict = {}
    d["self"] = d
    return d


def _deep(n):
    value: list = []
    for _ in range(n):
        value = [value]
    return value


@pytest.mark.parametrize(
    "value",
    [
        1e-05, 1e-07, 1e16, -0.0, [1.5, 2.5e-05], math.nan, math.inf, -math.inf, {"x": [math.nan]},  # floats
        2**64, -(2**63) - 1, 2**63, 10**400,  # integers beyond 64 bits
        {1: "a", 2.5: "b", True: "c", None: "d"}, {Text("k"): 1}, {Colour.RED: 1}, {(1, 2): 3},  # keys
        "\ud800", {"k": "a\udfffb"}, {"\ud800": 1},  # lone surrogates
        Colour.RED, Level.HIGH, Kind.PLACE, Text("v"), Items(a=2), collections.OrderedDict(b=1),  # subclasses
        (1, (2, 3)), [(), {}], dt.date(2021, 3, 31), dt.datetime(2021, 3, 31, 12, 0), object(), b"bytes",  # other types
        _circular(), _deep(300), _deep(250),  # nesting
    ],
    ids=repr,
)
def test_every_difference_between_the_two_encoders_is_handled(value):
    assert outcome(jsontext.dumps, value) == outcome(stdlib, value)


@pytest.mark.parametrize("path", [CP, EXEMPLAR], ids=lambda p: p.stem)
def test_reports_are_written_by_the_fast_path(path, monkeypatch):
    result = api.check(path, engine="python")
    data = report.report_dict(result)
    expected = stdlib(data)
    assert jsontext._plain(data)

    def refuse(*args, **kwargs):
        raise AssertionError("the standard library's encoder was used")

    monkeypatch.setattr(jsontext.json, "dumps", refuse)
    assert report.to_json(result) == expected
