"""Stage, RAG, readiness and roadmap scoring, on known evidence only."""

from __future__ import annotations

import json

import pytest

from icscheck import api
from icscheck.errors import InputError
from icscheck.scoring import _fit
from icscheck.fixture import load_fixture
from icscheck.rules import load_rules

from conftest import CP, EXEMPLAR, RULES

RULEBOOK = load_rules([RULES])
ATTESTATION_LINE = "  - {id: att-progress-visible, criterion: progress_visible, statement: 'Exemplar attests progress visible', status: achieved, as_of: 2021-09-15, evidence: [ev-annual-review]}\n"


def _result(path, **kwargs):
    return api.check_fixture(load_fixture(path), RULEBOOK, "python", **kwargs)


def _variant(tmp_path, old, new, name="x.yaml"):
    text = EXEMPLAR.read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new))
    return path


def test_best_fit_is_a_majority_and_never_counts_not_evidenced_either_way():
    # (bullets, met, not met) -> fits; the rest are not evidenced
    assert _fit("best-fit", 4, 3, 1) is True
    assert _fit("best-fit", 4, 2, 2) is False, "half is not most"
    assert _fit("best-fit", 5, 3, 0) is True, "a majority met stands whatever the two not evidenced turn out to be"
    assert _fit("best-fit", 5, 2, 0) is None, "two met and three not evidenced: the three decide it"
    assert _fit("best-fit", 5, 2, 3) is False
    assert _fit("best-fit", 5, 1, 2) is None, "one met, two not met, two not evidenced: a majority is still possible"
    assert _fit("best-fit", 5, 0, 3) is False, "not evidenced bullets cannot lift it past two of five"
    assert _fit("best-fit", 0, 0, 0) is True, "a stage with no must-rules (the emerging starting point) fits"
    assert _fit("strict", 4, 3, 0) is None and _fit("strict", 4, 3, 1) is False and _fit("strict", 4, 4, 0) is True


def test_best_fit_stage_is_the_highest_stage_where_most_bullets_of_it_and_every_lower_stage_are_met():
    domains = _result(CP).summary.domains
    care = domains["integrated-care-models"]
    assert care.method == "best-fit"
    developing = care.stages["developing"]
    assert (developing.met, developing.not_met, len(developing.not_evidenced), developing.fits) == (3, 1, 0, True)
    assert care.stage == "developing", "three of four developing bullets met: the best fit is developing"
    assert care.stages["maturing"].fits is None and care.undetermined == "maturing"
    assert care.label == "developing; maturing not determined: 2 rules not evidenced"
    architecture = domains["system-architecture"]
    assert architecture.stage == "emerging" and architecture.undetermined == "developing"
    assert architecture.stages["developing"].failing == ("MM-ARCH-D4",)
    assert architecture.stages["developing"].not_evidenced == ("MM-ARCH-D2", "MM-ARCH-D3")
    assert architecture.stages["maturing"].fits is False
    assert domains["system-leadership"].stage == "developing"


def test_strict_stage_is_the_highest_stage_with_every_lower_must_rule_met():
    domains = _result(CP, stage_method="strict").summary.domains
    care = domains["integrated-care-models"]
    assert care.method == "strict" and care.stage == "emerging" and care.stages["developing"].fits is False
    architecture = domains["system-architecture"]
    assert architecture.stage == "emerging"
    assert architecture.stages["developing"].state == "not met"
    assert domains["system-leadership"].stage == "developing"


def test_the_population_domain_is_not_staged_and_does_not_lower_the_system_stage():
    summary = _result(CP).summary
    population = summary.domains["coherent-population"]
    assert not population.staged and population.stage is None and population.next_stage is None
    assert population.state == "not evidenced" and population.label == "not evidenced"
    assert population.stages["emerging"].not_evidenced == ("MM-POP-E1", "MM-POP-E2", "MM-POP-E3")
    assert summary.unstaged == {"coherent-population": "not evidenced"}
    assert summary.system_stage == "emerging", "the lowest stage of the four staged domains"
    assert "coherent-population" in summary.readiness.domains_below_threshold
    assert {"MM-POP-E1", "MM-POP-E2", "MM-POP-E3"} <= set(summary.readiness.blocking_not_evidenced)
    assert _result(EXEMPLAR).summary.unstaged == {"coherent-population": "met"}


def test_a_population_gap_is_not_met_and_blocks_readiness(tmp_path):
    result = _result(EXEMPLAR)
    population = next(s for s in result.subjects if s.kind == "system").facts.get("population")
    assert population and population >= 1_000_000
    text = EXEMPLAR.read_text()
    path = tmp_path / "small.yaml"
    path.write_text(text.replace(f"population: {population}", "population: 400000", 1).replace("registered_population: 1150000", "registered_population: 410000"))
    summary = _result(path).summary
    assert summary.domains["coherent-population"].state == "not met"
    assert summary.system_stage == "thriving", "the population domain does not lower the system stage"
    assert summary.readiness.verdict == "not ready" and "MM-POP-E3" in summary.readiness.blocking_gaps


def test_a_stage_held_back_only_by_rules_not_evidenced_is_not_determined(tmp_path):
    path = _variant(tmp_path, ATTESTATION_LINE, "")
    leadership = _result(path, stage_method="strict").summary.domains["system-leadership"]
    assert leadership.stage == "developing"
    assert leadership.undetermined == "maturing"
    assert leadership.stages["maturing"].not_evidenced == ("MM-LEAD-M2",) and not leadership.stages["maturing"].failing
    assert leadership.label == "developing; maturing not determined: 1 rule not evidenced"
    assert [(i.rule_id, i.action) for i in leadership.roadmap] == [("MM-LEAD-M2", "to evidence")]
    # by best fit, four of five maturing bullets met is maturing, whatever the fifth turns out to be
    best = _result(path).summary.domains["system-leadership"]
    assert best.stage == "thriving" and best.undetermined is None
    assert [(i.rule_id, i.action) for i in best.roadmap] == [("MM-LEAD-M2", "to evidence")], "still on the roadmap"


def test_roadmap_separates_what_to_do_from_what_to_evidence():
    summary = _result(CP).summary
    leadership = summary.domains["system-leadership"]
    assert [(i.rule_id, i.action, i.beyond_target) for i in leadership.roadmap] == [
        ("MM-LEAD-M2", "to do", False),
        ("MM-LEAD-M4", "to do", False),
        ("MM-LEAD-M1", "to evidence", False),
        ("MM-LEAD-M5", "to evidence", False),
        ("MM-LEAD-T1", "to evidence", True),
        ("MM-LEAD-T2", "to evidence", True),
        ("MM-LEAD-T3", "to evidence", True),
        ("MM-LEAD-T4", "to evidence", True),
        ("MM-LEAD-T5", "to evidence", True),
    ]
    assert summary.next_stage["system-leadership"] == ["MM-LEAD-M2", "MM-LEAD-M4", "MM-LEAD-M1", "MM-LEAD-M5"]
    item = summary.domains["system-architecture"].roadmap[0]
    assert (item.rule_id, item.stage, item.action) == ("MM-ARCH-D4", "developing", "to do")
    failing, _, still_open = item.messages[0].partition("(also not evidenced:")
    assert "'workforce_plan'" in failing and "'estates_plan'" not in failing, "a gap names the parts that fall short"
    assert "'estates_plan'" in still_open, "and, apart, the parts that are not evidenced"
    assert "digital_transformation_plan" not in item.messages[0], "a part that is met is not reported"


def test_bullets_beyond_the_target_are_counted_apart():
    result = _result(CP)
    summary = result.summary
    beyond = summary.beyond_target
    assert beyond.threshold == "maturing"
    assert set(beyond.rules) == {r.id for r in RULEBOOK if r.spec.framework == "maturity-matrix" and r.spec.stage == "thriving"}
    assert "MM-ARCH-T2" in beyond.rules_with_gaps and "MM-ARCH-T2" not in summary.rules_with_gaps
    everything = {s: sum(f.status == s for f in result.findings) for s in summary.totals}
    assert summary.all_totals == everything
    assert all(summary.totals[s] + beyond.totals[s] == everything[s] for s in everything)
    assert beyond.totals["gap"] > 0, "the thriving bullets with gaps of this description are left out of the headline"
    # their findings keep their status
    assert any(f.rule_id == "MM-ARCH-T2" and f.status == "gap" for f in result.findings)
    # with the target at thriving nothing is beyond it
    thriving = _result(CP, threshold="thriving").summary
    assert thriving.beyond_target.rules == () and thriving.totals == thriving.all_totals
    developing = _result(CP, threshold="developing").summary
    assert {r for r in developing.beyond_target.rules if r.startswith("MM-LEAD-M")} == {f"MM-LEAD-M{i}" for i in range(1, 6)}


def test_thriving_has_no_next_stage():
    summary = _result(EXEMPLAR).summary
    assert all(not ids for ids in summary.next_stage.values())
    assert all(d.next_stage is None for d in summary.domains.values())


def test_rag_follows_the_key_and_holds_g_back_when_rules_fail():
    coa = _result(CP).summary.arrangements
    assert coa["coa_streamlined_commissioning"].rag == "AR"
    assert coa["coa_shared_care_record"].rag == "A"
    leadership = coa["coa_leadership_model"]
    assert leadership.status == "achieved" and leadership.rag == "GA"
    assert leadership.rules_with_gaps == ("COA-LEAD-004",)
    assert coa["coa_system_capabilities"].rag == "G"


def test_rag_takes_the_best_of_two_arrangements_of_one_kind(tmp_path):
    achieved = "  - {id: arr-coa-shared-care-record, kind: coa_shared_care_record, title: 'Exemplar coa shared care record', status: achieved, as_of: 2021-09-15, evidence: [ev-annual-review]}\n"
    second = achieved + "  - {id: arr-scr-2, kind: coa_shared_care_record, title: 'A second record', status: in_discussion, as_of: 2021-09-15, evidence: [ev-annual-review]}\n"
    for name, text in (("a.yaml", second), ("b.yaml", second.replace("arr-scr-2", "aaa-scr-2"))):
        coa = _result(_variant(tmp_path, achieved, text, name)).summary.arrangements["coa_shared_care_record"]
        assert (coa.rag, coa.status) == ("G", "achieved"), name


def test_rag_without_evidence_or_description_is_not_evidenced(tmp_path):
    path = _variant(
        tmp_path,
        "  - {id: arr-coa-shared-care-record, kind: coa_shared_care_record, title: 'Exemplar coa shared care record', status: achieved, as_of: 2021-09-15, evidence: [ev-annual-review]}\n",
        "  - {id: arr-coa-shared-care-record, kind: coa_shared_care_record, title: 'Exemplar coa shared care record', status: achieved}\n",
    )
    path.write_text(path.read_text().replace(
        "  - {id: arr-coa-system-plans, kind: coa_system_plans, title: 'Exemplar coa system plans', status: achieved, as_of: 2021-09-15, evidence: [ev-annual-review]}\n",
        "",
    ))
    coa = _result(path).summary.arrangements
    assert (coa["coa_shared_care_record"].rag, coa["coa_shared_care_record"].reason) == (
        None, "not evidenced: status 'achieved' stated without an evidence item"
    )
    assert (coa["coa_system_plans"].rag, coa["coa_system_plans"].reason) == (None, "not evidenced: the description does not describe it")


def test_readiness_is_not_ready_when_a_gap_blocks_it():
    maturing = _result(CP).summary.readiness
    assert maturing.verdict == "not ready" and not maturing.ready
    assert maturing.threshold == "maturing" and maturing.method == "best-fit"
    assert "MM-ARCH-D4" in maturing.blocking_gaps and "MM-ARCH-D2" in maturing.blocking_not_evidenced
    assert "MM-CARE-D2" not in maturing.blocking_gaps, "a gap in a stage that fits by best fit does not block"
    assert "MM-CARE-D2" in _result(CP, stage_method="strict").summary.readiness.blocking_gaps
    assert maturing.domains_below_threshold == (
        "system-leadership", "system-architecture", "integrated-care-models", "track-record", "coherent-population",
    )
    emerging = _result(CP, threshold="emerging").summary.readiness
    assert emerging.domains_below_threshold == ("coherent-population",)
    assert _result(EXEMPLAR, threshold="thriving").summary.readiness.verdict == "ready"


def test_readiness_is_undetermined_when_only_missing_evidence_blocks_it(tmp_path):
    path = _variant(tmp_path, ATTESTATION_LINE, "")
    readiness = _result(path, stage_method="strict").summary.readiness
    assert readiness.verdict == "undetermined" and not readiness.ready
    assert readiness.blocking_gaps == () and readiness.blocking_not_evidenced == ("MM-LEAD-M2",)
    assert _result(path).summary.readiness.verdict == "ready", "by best fit four of five maturing bullets suffice"


def test_text_report_shows_the_domain_by_stage_table(run):
    code, out, _ = run("check", CP, "--full")
    out = " ".join(out.split())  # the terminal wraps long lines
    assert "Maturity matrix" in out and "stage (best-fit)" in out
    assert "3✓ 1✗ 0? fits" in out, "per cell the bullets met, not met and not evidenced, beside the fit"
    assert "Designation readiness: not ready" in out
    assert '"meet the attributes of a maturing ICS"' in out and "read best fit" in out
    assert "beyond the target (maturing): 6 gaps" in out
    assert "Roadmap" in out and "(thriving, beyond the target)" in out
    assert "Coherent and defined population: not evidenced" in out
    _, strict, _ = run("check", CP, "--stage-method", "strict", "--full")
    assert "stage (strict)" in strict and "read strict" in strict
    _, summary, _ = run("check", CP, "--stage-method", "strict")
    assert "stage (strict)" in summary and "3✓ 1✗ 0? no" in summary


def test_every_report_says_which_reading_it_used(run):
    for fmt, needles in (
        ("markdown", ("stage (best-fit)", "meet the attributes of a maturing ICS", "beyond the target (maturing)")),
        ("html", ("stage (best-fit)", "meet the attributes of a maturing ICS", "beyond the target (maturing)")),
    ):
        _, out, _ = run("check", CP, "--format", fmt)
        assert all(n in out for n in needles), fmt
    _, out, _ = run("check", CP, "--format", "json", "--stage-method", "strict", "--threshold", "developing")
    summary = json.loads(out)["summary"]
    assert summary["stage_method"] == "strict" and summary["readiness"]["method"] == "strict"
    assert summary["readiness"]["target"]["quote"].endswith("meet the attributes of a maturing ICS")
    assert summary["beyond_target"]["threshold"] == "developing"
    assert summary["maturity_unstaged"] == {"coherent-population": "not evidenced"}
    cell = summary["maturity_detail"]["integrated-care-models"]["stages"]["developing"]
    assert (cell["met"], cell["not_met"], cell["not_evidenced_count"], cell["fits"]) == (3, 1, 0, False)
    assert all(summary["totals"][s] + summary["beyond_target"]["totals"][s] == summary["all_findings"][s] for s in summary["totals"])


def test_api_rejects_an_unknown_stage_method():
    with pytest.raises(InputError):
        _result(CP, stage_method="average")


def test_freedoms_follow_the_system_stage():
    exemplar = _result(EXEMPLAR).summary.freedoms
    assert exemplar.stage == "thriving" and exemplar.next_stage is None
    assert "ICSs will lead the assurance of all individual organisations" in exemplar.now["oversight"]
    cp = _result(CP).summary
    assert cp.system_stage == "emerging", "the unstaged population domain does not hold the system back"
    assert cp.freedoms.next_stage == "developing" and "Intense support, regionally led and nationally coordinated" in cp.freedoms.now["support"]


def test_comparison_reads_the_stage_by_the_method_in_use():
    from icscheck.comparison import comparisons

    rows = {row.key: row for row in comparisons(_result(CP))[-1].rows}
    care = rows["integrated-care-models"]  # self-assessed maturing
    assert care.ours.startswith("developing") and care.relation == "not evidenced", "maturing is open, not refuted"
    assert {r.rule_id for r in care.reasons} == {"MM-CARE-M1", "MM-CARE-M2", "MM-CARE-M3"}
    population = rows["coherent-population"]  # self-assessed thriving: claims the bullets met
    assert (population.ours, population.relation) == ("not evidenced", "not evidenced")
    strict = {row.key: row for row in comparisons(_result(CP, stage_method="strict"))[-1].rows}
    assert strict["integrated-care-models"].relation == "icscheck lower"
    assert "MM-CARE-D2" in {r.rule_id for r in strict["integrated-care-models"].reasons}


def test_junit_counts_every_finding_it_lists(run):
    import xml.etree.ElementTree as ET

    _, out, _ = run("check", CP, "--format", "junit")
    suite = ET.fromstring(out).find("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
