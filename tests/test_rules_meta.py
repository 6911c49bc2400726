"""Lint the rulebook itself: ids, sources, examples, vocabulary, wording."""

from __future__ import annotations

import re

import pytest

from icscheck.rules import load_rule, load_rules, rule_files
from icscheck.yamlsource import load_yaml

from conftest import RULES

FILES = rule_files(RULES)
RULEBOOK = load_rules([RULES])


def test_rulebook_is_not_empty():
    assert len(RULEBOOK) >= 10


def test_ids_are_unique_and_match_file_names():
    ids = [r.id for r in RULEBOOK]
    assert len(ids) == len(set(ids))
    for path in FILES:
        data, _ = load_yaml(path)
        assert data["id"] == path.stem


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_rule_is_sourced_and_exemplified(path):
    rule = load_rule(path)
    source = rule.spec.source
    assert source.document and source.publisher and source.date and source.paragraph
    assert re.search(r"\d", source.paragraph) or "section" in source.paragraph.lower() or ":" in source.paragraph, (
        "the paragraph should let a reader find the sentence"
    )
    assert rule.spec.examples.pass_ and rule.spec.examples.gap
    assert not rule.spec.title.endswith("."), "titles state the compliant state, without a full stop"
    assert "expected" in rule.spec.message, "a gap message says what was expected and where"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_strength_matches_the_quoted_wording(path):
    rule = load_rule(path)
    quote = (rule.spec.source.quote or "").lower()
    if "may flexibly" in quote or "typically" in quote:
        assert rule.spec.strength == "may"
    if rule.spec.strength == "may":
        assert rule.spec.message


def test_rule_files_are_grouped_by_framework():
    for rule in RULEBOOK:
        assert f"/{rule.spec.framework}/" in rule.file or rule.spec.framework == "local"
