"""Fuzzing: mutated system descriptions never crash icscheck, and both engines agree on every valid one.

Each example starts from the synthetic exemplar and applies a few mutations — a key or item
dropped, a line duplicated (a duplicate key or item), a value retyped (random text with control
characters, numbers tiny and huge, NaN, dates, lists, mappings), a value replaced by a raw YAML
token (``2021-02-30``, ``!!int abc``, ``yes``, ``1e16``), or a number changed to another of its
type.  Every mutant gives exit 0, 1 or 2 without a traceback; exit 2 names ``file:line``; and on
every valid mutant durable-rules and the Python evaluator give identical findings.  The run is
derandomised and bounded, so it is the same few seconds on every machine.
"""

from __future__ import annotations

import functools
import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from icscheck import api, resources, rules
from icscheck.fixture import load_fixture

from conftest import DURABLE, EXEMPLAR, problem_lines

BASE = yaml.safe_load(EXEMPLAR.read_text())
RAW_TOKENS = [
    "2021-02-30", "2021-13-01", "!!int abc", "!!bool maybe", "!!timestamp x", "!!binary aGk=", "!!set {a}",
    "yes", "on", "'100000'", "1.0", "1e16", "0.00001", "-1e-300", ".nan", "-.inf", "9" * 5000, "*nowhere",
    "&a [*a]", "{", "[", "'", '"\\e[2J\\u202e"', "null", "~", "[]", "{}", "2021-09-30 10:00:00",
]
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, path + (index,))


def _parent(data, path):
    node = data
    for part in path[:-1]:
        node = node[part]
    return node


scalars = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e20, max_value=1e20).filter(lambda x: x == 0 or abs(x) > 1e-30),
    st.booleans(),
    st.none(),
    st.dates(),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=6), scalars, max_size=2))


TEXT_KEYS = ("name", "title", "statement", "section", "person", "note", "label", "region", "quote", "locator")
BENIGN = ["number", "number", "flip", "text", "drop"]
HOSTILE = ["drop", "retype", "duplicate", "token", "number", "text"]


@st.composite
def mutants(draw) -> str:
    """A mutated exemplar: half the time only changes a valid description may have, half the time anything."""
    data = yaml.safe_load(yaml.safe_dump(BASE, sort_keys=False))
    hostile = draw(st.booleans())
    text_ops = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        op = draw(st.sampled_from(HOSTILE if hostile else BENIGN))
        paths = [p for p in _paths(data) if p]
        if op in ("duplicate", "token"):
            text_ops.append((op, draw(st.integers(min_value=0, max_value=10**6)), draw(st.sampled_from(RAW_TOKENS))))
            continue
        kinds = {"number": (int, float), "flip": (bool,), "text": (str,)}
        if op in kinds:
            chosen = [p for p in paths if type(_parent(data, p)[p[-1]]) in kinds[op] and (op != "text" or p[-1] in TEXT_KEYS)]
            path = draw(st.sampled_from(chosen))
            old = _parent(data, path)[path[-1]]
            if op == "number" and isinstance(old, int):
                new = draw(st.integers(min_value=-1 if hostile else 0, max_value=10**15))
            elif op == "number":
                new = draw(st.one_of(st.floats(min_value=-1e300, max_value=1e300), st.sampled_from([1e-5, 1e16, 5e-324, 1.1, 1.6, 1.0999999999999999])))
            elif op == "flip":
                new = draw(st.sampled_from([not old, None]))
            else:
                new = draw(st.text(min_size=1, max_size=16).filter(str.strip))
            _parent(data, path)[path[-1]] = new
            continue
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        if op == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(values)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    lines = text.splitlines()
    for op, index, token in text_ops:
        index %= len(lines)
        if op == "duplicate":
            lines.insert(index, lines[index])
        else:
            candidates = [i for i, line in enumerate(lines) if re.match(r"^\s*(- )?[\w-]+: \S", line)]
            i = candidates[index % len(candidates)]
            lines[i] = re.sub(r"^(\s*(?:- )?[\w-]+: ).*$", lambda m: m.group(1) + token, lines[i])
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=None)
def _rulebook(dirs: tuple[str, ...]):
    return rules.load_rules([Path(d) for d in dirs])


def _findings(result):
    return [(f.rule_id, f.subject_id, f.status, f.message) for f in result.findings]


@SETTINGS
@given(text=mutants())
def test_mutated_descriptions_never_crash_and_the_engines_agree(run, monkeypatch, text):
    monkeypatch.setattr(api, "load_rules", lambda dirs, parameters=None: _rulebook(tuple(str(d) for d in dirs)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutant.yaml"
        path.write_text(text, encoding="utf-8")
        code, out, err = run("check", path, "--format", "json")
        assert code in (0, 1, 2), err
        assert "Traceback" not in err
        if code == 2:
            lines = problem_lines("\n".join(line for line in err.splitlines() if "durable-rules cannot be imported" not in line))
            assert all(re.search(r"mutant\.yaml:\d+: ", line) for line in lines), err
            return
        fixture = load_fixture(path)
        rulebook = _rulebook(tuple(str(d) for d in api.rule_dirs_for(fixture, [resources.rules_dir()])))
        python = api.check_fixture(fixture, rulebook, "python")
        if DURABLE:  # where durable-rules imports, it agrees with the Python evaluator on every valid mutant
            assert _findings(api.check_fixture(fixture, rulebook, "durable")) == _findings(python)
        assert code == (1 if python.has_gaps else 0)
