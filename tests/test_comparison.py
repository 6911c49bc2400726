"""The comparison with a system's own self-assessment: circular agreements and why the two differ."""

from __future__ import annotations

import json

import pytest

from conftest import CP
from icscheck import api, comparison, report
from icscheck.comparison import JUDGEMENT, NOT_IN_DOCUMENTS, SHORTFALL, rule_class

ASSESSMENT = "self-assessment-nov-2020"
COPIED = ("coa-1", "coa-2", "coa-3", "coa-4", "coa-5", "coa-6", "coa-7")


@pytest.fixture(scope="module")
def cp():
    result = api.check(CP, engine="python")
    [c] = comparison.comparisons(result)
    return result, c


def _row(c, key):
    return next(r for r in c.rows if r.key == key)


def _variant(tmp_path, *edits: tuple[str, str], stage_method: str = "best-fit"):
    """The real C&P 2021 description with text edits, checked."""
    text = CP.read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / CP.name
    path.write_text(text)
    result = api.check(path, engine="python", stage_method=stage_method)
    return result, comparison.comparisons(result)[0]


def test_every_agreement_of_cp_2021_is_circular(cp):
    _, c = cp
    assert c.copied_claims == COPIED
    agreeing = [r for r in c.rows if r.relation == "agree"]
    assert len(agreeing) == 6 and all(r.circular for r in agreeing)
    for row in agreeing:
        [copied] = row.copied
        assert copied.kind == "arrangement" and copied.claim in COPIED
        assert row.without_copied is None  # set aside, the description gives no RAG of its own
    capabilities = _row(c, "coa_system_capabilities")
    assert (capabilities.copied[0].claim, capabilities.copied[0].status, capabilities.copied[0].rules) == ("coa-1", "achieved", ("COA-CAP-001",))
    assert capabilities.copied[0].words == "\u201cSystem capabilities for transformation and performance Green\u201d (Consistent ICS Operating Arrangements self assessment, row 1)"
    data = c.as_dict()
    assert (data["agreements"], data["circular_agreements"], data["independent_agreements"]) == (6, 6, 0)


def test_a_disagreement_that_rests_on_a_copied_status_says_so(cp):
    _, c = cp
    leadership = _row(c, "coa_leadership_model")
    assert (leadership.theirs, leadership.ours, leadership.relation, leadership.circular) == ("G", "GA", "icscheck lower", False)
    assert [x.claim for x in leadership.copied] == ["coa-4"] and leadership.without_copied is None
    assert leadership.classes == {SHORTFALL: ("COA-LEAD-004",), NOT_IN_DOCUMENTS: (), JUDGEMENT: ()}
    # a domain whose best-fit stage rests on a copied status: without it, developing is not determined
    care = _row(c, "integrated-care-models")
    assert [x.claim for x in care.copied] == ["coa-3"] and care.copied[0].rules == ("MM-CARE-D4",)
    assert care.ours == "developing; maturing not determined: 2 rules not evidenced"
    assert care.without_copied == "emerging; developing not determined: 1 rule not evidenced"


def test_differences_are_classed(cp):
    _, c = cp
    assert _row(c, "system-leadership").classes == {
        SHORTFALL: (),
        NOT_IN_DOCUMENTS: ("MM-LEAD-M1",),  # seat counts not stated, though the rule also reads an attestation
        JUDGEMENT: ("MM-LEAD-M2", "MM-LEAD-M4", "MM-LEAD-M5"),  # attested at too low a status, or not attested
    }
    assert _row(c, "system-architecture").classes == {SHORTFALL: ("MM-ARCH-D4",), NOT_IN_DOCUMENTS: ("MM-ARCH-D2", "MM-ARCH-D3"), JUDGEMENT: ()}
    population = _row(c, "coherent-population")
    assert population.relation == "not evidenced"
    assert population.classes == {SHORTFALL: (), NOT_IN_DOCUMENTS: ("MM-POP-E3",), JUDGEMENT: ("MM-POP-E1", "MM-POP-E2")}
    classes = c.as_dict()["classes"]
    assert {k: (v["count"], v["rows"]) for k, v in classes.items()} == {SHORTFALL: (3, 3), NOT_IN_DOCUMENTS: (4, 3), JUDGEMENT: (9, 4)}
    assert classes[SHORTFALL]["rules"] == ["COA-LEAD-004", "MM-ARCH-D4", "MM-TRACK-D3"]
    assert classes[JUDGEMENT]["label"] == "a judgement the matrix leaves to people"
    for row in c.rows:
        if row.differs:
            assert sum(len(v) for v in row.classes.values()) == len(row.reasons)
            assert all(r.kind in comparison.CLASSES for r in row.reasons)


def test_rule_class_reads_the_deciding_facts(cp):
    result, _ = cp
    of = lambda rid: rule_class([f for f in result.findings if f.rule_id == rid and f.status in ("gap", "unknown")])  # noqa: E731
    assert of("MM-LEAD-M2") == JUDGEMENT  # a gap: attested_shared_vision is agreed_on_track
    assert of("MM-LEAD-M5") == JUDGEMENT  # not evidenced: no attestation of a learning culture
    assert of("MM-ARCH-D4") == SHORTFALL  # a gap: the workforce plan is to be developed
    assert of("MM-POP-E3") == NOT_IN_DOCUMENTS  # the population is not stated
    assert of("MM-LEAD-M1") == NOT_IN_DOCUMENTS  # mixed rule, decided by structure


def test_an_agreement_independent_evidence_confirms_is_not_circular(tmp_path):
    extra = (
        "arrangements:\n",
        "arrangements:\n  - id: capabilities-own\n    kind: coa_system_capabilities\n    title: Own reading\n    status: achieved\n"
        "    as_of: 2021-03-31\n    evidence: [devplan-gap-coa]\n",
    )
    _, c = _variant(tmp_path, extra)
    row = _row(c, "coa_system_capabilities")
    assert row.relation == "agree" and [x.claim for x in row.copied] == ["coa-1"]
    assert row.without_copied == "G" and not row.circular
    data = c.as_dict()
    assert (data["circular_agreements"], data["independent_agreements"]) == (5, 1)
    md = report.comparison_markdown([c])
    assert "**5 of the 6 agreements are circular**" in md and "The other 1 agreement(s) stand without the copied claims." in md


def test_a_copied_attestation_makes_a_domain_agreement_circular(tmp_path):
    edits = (
        ("    criterion: leaders_signed_up\n", "    criterion: leaders_signed_up\n    transcribed_from: self-assessment-nov-2020\n"),
        ("      system-leadership: maturing\n", "      system-leadership: developing\n"),
    )
    # read as a best fit, developing does not rest on the one copied attestation: most of its bullets stand without it
    _, best = _variant(tmp_path, *edits)
    assert _row(best, "system-leadership").relation == "agree" and not _row(best, "system-leadership").circular
    # read strictly, every bullet counts, and the agreement rests on the copied attestation
    result, c = _variant(tmp_path, *edits, stage_method="strict")
    row = _row(c, "system-leadership")
    assert (row.theirs, result.summary.domains["system-leadership"].stage, row.relation) == ("developing", "developing", "agree")
    assert [(x.claim, x.kind, x.status) for x in row.copied] == [("att-leaders", "attestation", "delivering_milestones")]
    assert "MM-LEAD-D1" in row.copied[0].rules and row.copied[0].facts == ("attested_leaders_signed_up",)
    assert row.circular and row.without_copied != "developing"
    assert "att-leaders" in c.copied_claims


def test_nothing_is_tuned(cp):
    result, _ = cp
    before = report.to_json(result)
    comparison.comparisons(result)
    assert report.to_json(result) == before  # comparing changes no finding and no score
    fresh = api.check(CP, engine="python")
    assert fresh.summary == result.summary


def test_json_keeps_its_fields_and_adds_the_new_ones(cp):
    _, c = cp
    data = json.loads(report.comparison_json([c]))[0]
    for key in ("system", "self_assessment", "icscheck_as_of", "agreements", "disagreements", "not_evidenced", "rows"):
        assert key in data
    for key in ("copied_claims", "circular_agreements", "independent_agreements", "classes"):
        assert key in data
    for row in data["rows"]:
        assert {"kind", "key", "name", "self_assessment", "icscheck", "relation", "explanation", "reasons", "circular", "copied", "without_copied"} <= set(row)
        for reason in row["reasons"]:
            assert {"rule_id", "title", "missing", "not_met", "messages", "class", "copied"} <= set(reason)
    leadership = next(r for r in data["rows"] if r["key"] == "coa_leadership_model")
    assert leadership["without_copied"] == {"icscheck": None} and leadership["status_not_evidenced"] is False
    assert leadership["classes"] == {SHORTFALL: ["COA-LEAD-004"], NOT_IN_DOCUMENTS: [], JUDGEMENT: []}
    assert next(r for r in data["rows"] if r["key"] == "system-leadership")["without_copied"] is None


def test_markdown_says_which_agreements_are_circular_and_why_rows_differ(cp):
    _, c = cp
    md = report.comparison_markdown([c])
    assert "**6 of the 6 agreements are circular**" in md
    assert "| System capabilities for transformation and performance | G | G | agree (circular) | — |" in md
    assert "| a shortfall the documents show | 3 | 3 | COA-LEAD-004, MM-ARCH-D4, MM-TRACK-D3 |" in md
    assert "Why, by class: a shortfall the documents show: 1 rule (COA-LEAD-004)." in md
    assert "### A judgement the matrix leaves to people" in md
    assert "- arrangement `coa-4`, status achieved, read by COA-LEAD-001 (coa_leadership_model_status); \u201cLeadership Green\u201d" in md


def test_without_copied_claims_nothing_is_circular():
    result = api.check(CP.with_name("cambridgeshire-and-peterborough-2019.yaml"), engine="python")
    [c] = comparison.comparisons(result)
    assert c.copied_claims == () and not any(r.copied or r.circular for r in c.rows)
    assert comparison.without_copied(result, c.assessment) is None
    md = report.comparison_markdown([c])
    assert "copies no status from this self-assessment, so no agreement is circular" in md
    assert "without the copied claims |" not in md
