"""Every rule's own examples, run through both evaluators: no per-rule Python.

A rule's examples say what the description states (facts an example leaves out
are not stated) and which of the three outcomes follows: ``pass`` (the
condition holds), ``gap`` (it fails) or ``unknown`` (not evidenced: it cannot
be decided from what is stated).
"""

from __future__ import annotations

import pytest

from icscheck.conditions import FAILS, HOLDS, UNKNOWN
from icscheck.engine import evaluate
from icscheck.facts import Subject
from icscheck.rules import load_rules

from conftest import ENGINES_HERE, ROOT, RULES

LOCAL_PACKS = sorted(p for p in (ROOT / "rules-local").iterdir() if p.is_dir())
RULES_LOADED = load_rules([RULES, *LOCAL_PACKS])
EXPECTED = {"pass": HOLDS, "gap": FAILS, "unknown": UNKNOWN}
CASES = [
    pytest.param(rule, group, example, id=f"{rule.id}-{group}-{index}")
    for rule in RULES_LOADED
    for group, examples in (("pass", rule.spec.examples.pass_), ("gap", rule.spec.examples.gap), ("unknown", rule.spec.examples.unknown))
    for index, example in enumerate(examples)
]


def _subject(rule, example) -> Subject:
    facts = dict(example.facts)
    facts.setdefault("name", example.name)
    return Subject("example", rule.kind, str(facts["name"]), "example", facts, {})


@pytest.mark.parametrize("engine", ENGINES_HERE)
@pytest.mark.parametrize("rule,group,example", CASES)
def test_example(rule, group, example, engine):
    outcome = evaluate([rule], [_subject(rule, example)], engine)[rule.id]
    got = outcome.verdicts.get("example")
    assert got is not None, f"{rule.id}: example '{example.name}' is excluded by applies_to"
    assert got is EXPECTED[group], f"{rule.id}: {group} example '{example.name}' gave {got.value}"
