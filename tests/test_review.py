"""The review of every rule against its source: one entry per rule, rendered beside the coverage table."""

from __future__ import annotations

import pytest

from icscheck import docs
from icscheck.errors import InputError
from icscheck.rules import load_rules

from conftest import ROOT, RULES

LOCAL = sorted(p for p in (ROOT / "rules-local").iterdir() if p.is_dir())
DIRS = [RULES, *LOCAL]
RULEBOOK = load_rules(DIRS)
KNOWN = {r.id for r in RULEBOOK}


def _review():
    return [e for d in DIRS for e in docs.load_review(d / "_review.yaml", KNOWN)]


def test_every_rule_is_reviewed_once():
    reviewed = [e.rule for e in _review() if e.verdict != "withdrawn"]
    assert len(reviewed) == len(set(reviewed))
    assert KNOWN - set(reviewed) == set(), "rules with no review entry"


def test_every_review_has_a_note():
    assert all(e.note.strip() for e in _review())


def test_review_page_lists_every_rule():
    pages = docs.build(RULEBOOK, [], _review())
    page = pages["review.md"]
    for rule_id in KNOWN:
        assert f"[{rule_id}]({rule_id}.md)" in page


def test_bad_review_entries_are_errors(tmp_path):
    path = tmp_path / "_review.yaml"
    path.write_text("- {rule: NO-SUCH-1, verdict: faithful, note: x}\n")
    with pytest.raises(InputError, match="unknown rule 'NO-SUCH-1'"):
        docs.load_review(path, KNOWN)
    path.write_text("- {rule: IC-PLACE-005, verdict: withdrawn, note: x}\n")
    with pytest.raises(InputError, match="withdrawn but still in the rulebook"):
        docs.load_review(path, KNOWN)
    path.write_text("- {rule: IC-PLACE-005, verdict: fine, note: x}\n")
    with pytest.raises(InputError):
        docs.load_review(path, KNOWN)
