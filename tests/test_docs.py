"""Generated rule documentation and the coverage table."""

from __future__ import annotations

import yaml

from icscheck import docs
from icscheck.rules import load_rules

from conftest import ROOT, RULES

LOCAL = sorted(p for p in (ROOT / "rules-local").iterdir() if p.is_dir())
DIRS = [RULES, *LOCAL]
RULEBOOK = load_rules(DIRS)


def _coverage():
    known = {r.id for r in RULEBOOK}
    return [e for d in DIRS for e in docs.load_coverage(d / "_coverage.yaml", known)]


def test_committed_docs_are_current(run, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run("rules", "docs", "--check")
    assert code == 0, err + " (run: icscheck rules docs)"


def test_every_rule_is_in_the_coverage_table():
    listed = {rule_id for entry in _coverage() for rule_id in entry.rules}
    assert {r.id for r in RULEBOOK} - listed == set()


def test_coverage_entries_name_rules_or_a_reason():
    for entry in _coverage():
        assert bool(entry.rules) != bool(entry.not_checkable)


def test_every_integrating_care_paragraph_of_section_2_is_mapped():
    refs = " ".join(e.ref for e in _coverage() if e.document == "integrating-care")
    import re

    covered: set[int] = set()
    for match in re.finditer(r"2\.(\d+)(?:-2\.(\d+)|-(\d+))?", refs):
        start = int(match.group(1))
        end = int(match.group(2) or match.group(3) or start)
        covered.update(range(start, end + 1))
    assert set(range(1, 73)) - covered == set()


def test_every_matrix_bullet_is_mapped():
    matrix_rules = [r for r in RULEBOOK if r.spec.framework == "maturity-matrix"]
    bullets = {e.text for e in _coverage() if e.document == "maturity-matrix"}
    for rule in matrix_rules:
        assert rule.spec.source.quote in bullets


def test_bad_coverage_entry_is_an_error(tmp_path):
    import pytest

    from icscheck.errors import InputError

    path = tmp_path / "_coverage.yaml"
    path.write_text(yaml.safe_dump([{"document": "x", "ref": "y", "text": "z", "rules": ["NO-SUCH-1"]}]))
    with pytest.raises(InputError, match=r":\d+: unknown rule 'NO-SUCH-1'"):
        docs.load_coverage(path, {"IC-PLACE-001"})
    path.write_text(yaml.safe_dump([{"document": "x", "ref": "y", "text": "z"}]))
    with pytest.raises(InputError, match="either rules or not_checkable"):
        docs.load_coverage(path, set())


def test_facts_command_lists_the_vocabulary(run):
    code, out, _ = run("facts")
    assert code == 0 and "healthwatch_seat_count (int)" in out
