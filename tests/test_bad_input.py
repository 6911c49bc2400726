"""Bad input: a line per problem naming file:line, exit 2, no traceback, no report written."""

from __future__ import annotations

import re

import pytest

from conftest import EXEMPLAR, RULES, problem_lines

GOOD = EXEMPLAR.read_text()

CASES = {
    "malformed-yaml": ("system:\n  id: x\n  name: [unclosed\n", r":3: invalid YAML|:4: invalid YAML"),
    "wrong-type": (GOOD.replace("population: 1100000", "population: lots"), r":10: system\.population: 'lots' is not a number"),
    "unknown-key": (GOOD.replace("  region: Synthetic region\n", "  region: Synthetic region\n  colour: blue\n"), r":10: system: unknown key 'colour'"),
    "unknown-reference": (GOOD.replace("members: [x-acute, x-amb]", "members: [x-acute, x-nowhere]"), r":\d+: unknown organisation 'x-nowhere'"),
    "duplicate-id": (GOOD.replace("id: x-pcn-west, name", "id: x-pcn-east, name"), r":\d+: duplicate id 'x-pcn-east' \(first defined at line \d+\)"),
    "duplicate-key": (GOOD.replace("  region: Synthetic region\n", "  region: Synthetic region\n  region: Again\n"), r":10: duplicate key 'region'"),
    "unsafe-tag": ("system: !!python/object/apply:os.system ['echo hi']\n", r":1: invalid YAML: unsafe or unknown YAML tag"),
    "empty": ("", r":1: the file is empty"),
    "not-a-mapping": ("- just\n- a list\n", r":1: a system description must be a mapping"),
    "wrong-kind": (GOOD.replace("councils: [x-city]", "councils: [x-hw]"), r":\d+: 'x-hw' is a healthwatch, not a council"),
}


def _check_one_line(err: str, name: str, pattern: str) -> None:
    """The first problem reported is the one expected (one line each, file:line first; more may follow)."""
    lines = problem_lines(err, name)
    assert re.search(re.escape(name) + pattern, lines[0]), lines[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_fixture(case, run, tmp_path):
    text, pattern = CASES[case]
    bad = tmp_path / f"{case}.yaml"
    bad.write_text(text)
    out = tmp_path / "report.json"
    out.write_text("previous report\n")
    for args in (("check", bad, "-o", out, "--format", "json"), ("validate", bad)):
        code, _, err = run(*args)
        assert code == 2
        _check_one_line(err, f"{case}.yaml", pattern)
    assert out.read_text() == "previous report\n", "a failed run must not touch the report"


def test_binary_file(run, tmp_path):
    bad = tmp_path / "binary.yaml"
    bad.write_bytes(b"system:\n  id: x\n\x00\x01\x02\xff")
    code, _, err = run("check", bad, "-o", tmp_path / "r.json")
    assert code == 2
    _check_one_line(err, "binary.yaml", r":3: not a text file")
    assert not (tmp_path / "r.json").exists()


def test_not_utf8(run, tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("system:\n  name: Caf\xe9\n".encode("latin-1"))
    code, _, err = run("validate", bad)
    assert code == 2
    _check_one_line(err, "latin1.yaml", r":2: not UTF-8 text")


def test_missing_file(run, tmp_path):
    code, _, err = run("check", tmp_path / "nope.yaml")
    assert code == 2 and "no such file" in err


def _rules_copy(tmp_path):
    target = tmp_path / "rules"
    target.mkdir()
    (target / "IC-PLACE-005.yaml").write_text((RULES / "integrating-care" / "IC-PLACE-005.yaml").read_text())
    return target


RULE_CASES = {
    "unknown-fact": (("healthwatch_seat_count", "healthwatch_seats"), r":\d+: unknown fact 'healthwatch_seats'"),
    "unknown-key": (("strength: should", "strength: should\nseverity: high"), r":\d+: unknown key 'severity'"),
    "bad-op": (("op: gte", "op: about"), r":\d+: condition.*op"),
    "bad-value-type": (("value: 1}", "value: 'one'}"), r":\d+: fact 'healthwatch_seat_count' is int"),
    "bad-template": (("no Healthwatch member", "no {healthwatch} member"), r":\d+: message names unknown fact 'healthwatch'"),
    "no-examples": (("  gap:\n    - name: no Healthwatch\n      facts: {name: North, healthwatch_seat_count: 0}\n", ""), r":\d+: examples: missing required key 'gap'"),
}


@pytest.mark.parametrize("case", sorted(RULE_CASES))
def test_bad_rule_is_a_hard_error(case, run, tmp_path):
    (old, new), pattern = RULE_CASES[case]
    rules = _rules_copy(tmp_path)
    path = rules / "IC-PLACE-005.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    code, _, err = run("check", EXEMPLAR, "--rules", rules)
    assert code == 2
    _check_one_line(err, "IC-PLACE-005.yaml", pattern)


def test_rule_id_must_match_file_name(run, tmp_path):
    rules = _rules_copy(tmp_path)
    (rules / "IC-PLACE-005.yaml").rename(rules / "IC-PLACE-099.yaml")
    code, _, err = run("rules", "list", "--rules", rules)
    assert code == 2
    _check_one_line(err, "IC-PLACE-099.yaml", r":1: rule id 'IC-PLACE-005' does not match the file name")


def test_duplicate_rule_ids_across_folders(run, tmp_path):
    first = _rules_copy(tmp_path)
    second = tmp_path / "more"
    second.mkdir()
    (second / "IC-PLACE-005.yaml").write_text((first / "IC-PLACE-005.yaml").read_text())
    code, _, err = run("rules", "list", "--rules", first, "--rules", second)
    assert code == 2 and "already used" in err


def test_usage_error_exits_2(run):
    code, _, _ = run("check", "--engine", "nonsense")
    assert code == 2


def test_no_report_is_written_when_any_output_cannot_be(run, tmp_path):
    first = tmp_path / "a.html"
    code, _, err = run("check", EXEMPLAR, "--format", f"html={first}", "--format", f"csv={tmp_path / 'missing' / 'b.csv'}")
    assert code == 2 and "does not exist" in err
    assert not first.exists()
