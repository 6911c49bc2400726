"""Every rule's own examples, run through both evaluators: no per-rule Python."""

from __future__ import annotations

import pytest

from icscheck.engine import evaluate
from icscheck.facts import Subject
from icscheck.rules import load_rules

from conftest import ROOT, RULES

LOCAL_PACKS = sorted(p for p in (ROOT / "rules-local").iterdir() if p.is_dir())
RULES_LOADED = load_rules([RULES, *LOCAL_PACKS])
CASES = [
    pytest.param(rule, group, example, id=f"{rule.id}-{group}-{index}")
    for rule in RULES_LOADED
    for group, examples in (("pass", rule.spec.examples.pass_), ("gap", rule.spec.examples.gap))
    for index, example in enumerate(examples)
]


def _subject(rule, example) -> Subject:
    facts = dict(example.facts)
    facts.setdefault("name", example.name)
    return Subject("example", rule.kind, str(facts["name"]), "example", facts, {})


@pytest.mark.parametrize("engine", ["durable", "python"])
@pytest.mark.parametrize("rule,group,example", CASES)
def test_example(rule, group, example, engine):
    outcome = evaluate([rule], [_subject(rule, example)], engine)[rule.id]
    assert "example" in outcome.applicable, f"{rule.id}: example '{example.name}' is not selected by applies_to"
    passed = "example" in outcome.passing
    assert passed == (group == "pass"), f"{rule.id}: {group} example '{example.name}' gave {'pass' if passed else 'gap'}"
