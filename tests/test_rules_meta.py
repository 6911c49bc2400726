"""Lint the rulebook itself: ids, sources, examples, vocabulary, wording."""

from __future__ import annotations

import re

import pytest

from icscheck.conditions import message_templates
from icscheck.rules import load_rule, load_rules, rule_files
from icscheck.yamlsource import load_yaml

from conftest import ROOT, RULES

LOCAL_PACKS = sorted(p for p in (ROOT / "rules-local").iterdir() if p.is_dir())
FILES = rule_files(RULES) + [f for pack in LOCAL_PACKS for f in rule_files(pack)]
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
    says_expected = "expected" in rule.spec.message or (
        message_templates(rule.condition) and all("expected" in message for message in message_templates(rule.condition))
    )
    assert says_expected, "a gap message (or each part's message) says what was expected and where"


TRIGGERS = {
    "must": ("must", "will", "expect", "essential", "need to", "duty", "require"),
    "should": ("should",),
    "may": ("may", "likely", "typically", "flexibly", "circa"),
}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_strength_matches_the_quoted_wording(path):
    """Strength follows the source's words, or the rationale says how it was read."""
    rule = load_rule(path)
    spec = rule.spec
    quote = (spec.source.quote or "").lower()
    if spec.framework == "maturity-matrix":
        if spec.stage == "emerging" and spec.domain != "coherent-population":
            assert spec.strength == "may", "emerging bullets describe the starting point: informational"
        else:
            assert spec.strength == "must", "a stage's bullets are what reaching the stage needs"
        return
    if "may flexibly" in quote:
        assert spec.strength == "may"
    words_fit = any(word in quote for word in TRIGGERS[spec.strength])
    explained = f"read as {spec.strength}" in spec.rationale.lower() or spec.framework in (
        "design-framework",
        "health-and-care-act",
        "provider-collaboratives",
    )
    assert words_fit or explained, f"strength '{spec.strength}' is not in the quoted words: {quote!r}"


def test_every_maturity_cell_and_arrangement_has_rules():
    from icscheck.frameworks import MATRIX_DOMAINS, OPERATING_ARRANGEMENTS, STAGES

    for domain in MATRIX_DOMAINS:
        for stage in STAGES:
            cell = [r for r in RULEBOOK if r.spec.domain == domain and r.spec.stage == stage]
            if domain == "coherent-population" and stage != "emerging":
                continue  # the same bullets at every stage, encoded once at the first
            assert cell, f"no rule for {domain} x {stage}"
    for arrangement in OPERATING_ARRANGEMENTS:
        assert [r for r in RULEBOOK if r.spec.arrangement == arrangement], arrangement


def test_maturity_rules_name_a_known_domain():
    from icscheck.frameworks import MATRIX_DOMAINS, OPERATING_ARRANGEMENTS

    for rule in RULEBOOK:
        if rule.spec.framework == "maturity-matrix":
            assert rule.spec.domain in MATRIX_DOMAINS
        if rule.spec.arrangement:
            assert rule.spec.arrangement in OPERATING_ARRANGEMENTS


def test_fact_catalogue_fits_the_engine():
    from icscheck.facts import MAX_ATTRIBUTES, RESERVED, catalogue

    for kind, specs in catalogue().items():
        assert len(specs) + len(RESERVED) + 1 < MAX_ATTRIBUTES, kind


def test_rule_files_are_grouped_by_framework():
    for rule in RULEBOOK:
        assert f"/{rule.spec.framework}/" in rule.file or rule.spec.framework == "local"


ALL_RULES = load_rules([RULES, *LOCAL_PACKS])


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_a_rule_whose_facts_can_be_missing_has_an_unknown_example(rule):
    """A rule that reads facts a description can leave unstated shows what 'not evidenced' looks like."""
    from icscheck.facts import ALWAYS_STATED

    if set(rule.examined) - ALWAYS_STATED:
        assert rule.spec.examples.unknown, f"{rule.id} has no unknown (not evidenced) example"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_every_rule_is_dated_and_superseded_rules_name_successors(rule):
    import datetime as dt

    spec = rule.spec
    assert spec.effective_from, "effective_from is required"
    by_id = {r.id: r for r in ALL_RULES}
    for successor in spec.successors:
        assert successor in by_id, f"{rule.id}: successor {successor} is not a rule"
        assert by_id[successor].spec.effective_from <= spec.effective_to + dt.timedelta(days=1), (
            f"{rule.id}: successor {successor} must be in force the day after {spec.effective_to}"
        )


def test_integrating_care_rules_apply_from_its_publication():
    import datetime as dt

    for rule in ALL_RULES:
        if rule.spec.source.document.startswith("Integrating care"):
            assert rule.spec.effective_from >= dt.date(2020, 11, 26), rule.id


def test_effective_to_needs_superseded_by(tmp_path):
    from icscheck.errors import InputError

    text = (RULES / "operating-arrangements" / "COA-COMM-001.yaml").read_text()
    bad = tmp_path / "COA-COMM-001.yaml"
    import yaml

    data = yaml.safe_load(text)
    del data["superseded_by"], data["successors"]
    bad.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError, match="effective_to needs superseded_by"):
        load_rule(bad)


def test_a_source_has_a_quote_or_a_paraphrase_not_both(tmp_path):
    from icscheck.errors import InputError

    text = (RULES / "integrating-care" / "IC-PLACE-005.yaml").read_text()
    bad = tmp_path / "IC-PLACE-005.yaml"
    bad.write_text(text.replace("  quote:", "  paraphrase: Healthwatch on every place partnership.\n  quote:", 1))
    with pytest.raises(InputError, match="a quote .* or a paraphrase, not both"):
        load_rule(bad)
    bad.write_text(text.replace("effective_from: '2020-11-26'\n", ""))
    with pytest.raises(InputError, match="effective_from"):
        load_rule(bad)
