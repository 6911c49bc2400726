"""The one-pass reading of plain documents gives what the full, checked reading gives.

``parse_yaml`` reads a plain document straight from the parser's events and any other document
(or any document it would refuse) with the composer and constructors that give every error.
These tests hold the first to the second and to PyYAML's own safe loading: the same values of the
same types (a value an alias repeats is the same object), the same source lines, the same errors.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icscheck.errors import InputError
from icscheck.yamlsource import MAX_INT, _Loader, _parse_checked, _read_plain, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])


class _SafeLoader(yaml.CSafeLoader):
    """PyYAML's safe loader, reading exponent numbers as numbers as icscheck does."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting text that icscheck would read as a number (``0E0``)."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _typed(value, seen=None):
    """The value with the type of every part, and which collections are one object."""
    seen = {} if seen is None else seen
    if isinstance(value, (dict, list)):
        if id(value) in seen:
            return ("same as", seen[id(value)])
        seen[id(value)] = len(seen)
        if isinstance(value, dict):
            return ("dict", [(_typed(k, seen), _typed(v, seen)) for k, v in value.items()])
        return ("list", [_typed(v, seen) for v in value])
    return (type(value).__name__, repr(value))


def _plain(text: str):
    loader = _Loader(text)
    try:
        data, lines = _read_plain(loader)
    finally:
        loader.dispose()
    return data, lines


def _outcome(parse, text: str):
    try:
        data, smap = parse(text, "f.yaml")
    except InputError as exc:
        return str(exc)
    return _typed(data), smap.lines


scalars = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=8),
    st.sampled_from(["yes", "no", "on", "~", "null", "1e16", "0x1f", "017", "1:30", "<<", "=", "2021-02-30", "- a", "a: b", "#"]),
    st.integers(min_value=-MAX_INT, max_value=MAX_INT),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
)
keys = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=6), st.sampled_from(["yes", "1", "~", "<<", "="]))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=15)


@st.composite
def texts(draw) -> str:
    """A generated document, written in any style, some collections written twice (an anchor and its alias)."""
    data = draw(documents)
    if isinstance(data, list) and data and isinstance(data[0], (list, dict)) and draw(st.booleans()):
        data.append(data[0])
    if isinstance(data, dict) and draw(st.booleans()):
        shared = draw(st.lists(scalars, max_size=3))
        data["first"], data["again"] = shared, shared
    return yaml.dump(data, Dumper=_Dumper, default_flow_style=draw(st.sampled_from([False, None, True])), allow_unicode=draw(st.booleans()), width=draw(st.sampled_from([20, 80, 4096])))


@SETTINGS
@given(texts())
def test_a_plain_document_is_read_in_one_pass_as_pyyaml_reads_it(text):
    if "!!" not in text:  # no explicit tag (which the dumper writes for some text it cannot write plain)
        _plain(text)  # raises if the one-pass reading would hand the document on
    data, smap = parse_yaml(text, "f.yaml")
    assert _typed(data) == _typed(yaml.load(text, Loader=_SafeLoader))
    checked, checked_smap = _parse_checked(text, "f.yaml")
    assert _typed(data) == _typed(checked) and smap.lines == checked_smap.lines


TOKENS = [
    "2021-02-30", "!!int abc", "!!bool maybe", "!!binary aGk=", "!!set {a}", "!!omap [a: 1]", "!!python/object:os.system {}",
    ".nan", "-.inf", "1e400", str(MAX_INT + 1), "9" * 5000, '"\\ud800"', "*a", "&a [*a]", "&a 1", "{1: x}", "{[1]: x}",
    "{a: 1, a: 2}", "<<", "=", "{<<: {z: 1}}", "!!str 5", "! x", "[" * 70 + "]" * 70, "\n\t- tab", "\n---\nb: 2", "'", "{",
]


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "- d", "e"]), st.sampled_from(TOKENS)), min_size=1, max_size=4))
def test_any_document_gives_the_same_data_lines_or_error_as_the_checked_reading(parts):
    text = "x: &a [1, 2]\n" + "".join(f"{key}: {token}\n" for key, token in parts)
    assert _outcome(parse_yaml, text) == _outcome(_parse_checked, text)


@pytest.mark.parametrize(
    "path",
    sorted(p for d in ("fixtures", "rules", "tests/corpus") for p in (ROOT / d).rglob("*.yaml")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_every_shipped_file_reads_the_same_both_ways(path):
    text = path.read_text()
    assert _outcome(parse_yaml, text) == _outcome(_parse_checked, text)


def test_the_descriptions_and_rules_are_plain_documents():
    for path in sorted(p for d in ("fixtures", "rules") for p in (ROOT / d).rglob("*.yaml")):
        _plain(path.read_text())  # raises if the one-pass reading would hand it on


def test_an_alias_repeats_the_same_object_and_is_counted():
    data, lines = _plain("a: &x {k: [1, 2]}\nb: *x\nc:\n- *x\n- &y 2021-01-01\n- *y\n")
    assert data["b"] is data["a"] and data["c"][0] is data["a"] and data["c"][2] == datetime.date(2021, 1, 1)
    assert lines[("c", 0)] == 1 and lines[("c", 2)] == 5 and ("b", "k") not in lines
    bomb = "a: &a [" + ", ".join(["x"] * 100) + "]\n" + "".join(f"b{i}: *a\n" for i in range(101))
    with pytest.raises(InputError, match="aliases repeat more than 10,000 values"):
        parse_yaml(bomb, "bomb.yaml")
