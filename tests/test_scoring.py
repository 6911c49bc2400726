"""Stage, RAG, readiness and roadmap scoring, on known evidence only."""

from __future__ import annotations

from icscheck import api
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


def test_stage_is_the_highest_stage_with_every_lower_must_rule_met():
    domains = _result(CP).summary.domains
    architecture = domains["system-architecture"]
    assert architecture.stage == "emerging"
    assert architecture.stages["developing"].failing == ("MM-ARCH-D4",)
    assert architecture.stages["developing"].not_evidenced == ("MM-ARCH-D2", "MM-ARCH-D3")
    assert architecture.stages["developing"].state == "not met"
    assert domains["system-leadership"].stage == "developing"
    # the development plan gives no population or patient flows: not even emerging is determined
    population = domains["coherent-population"]
    assert population.stage is None and population.next_stage == "emerging" and population.undetermined == "emerging"


def test_a_stage_held_back_only_by_rules_not_evidenced_is_not_determined(tmp_path):
    path = _variant(tmp_path, ATTESTATION_LINE, "")
    leadership = _result(path).summary.domains["system-leadership"]
    assert leadership.stage == "developing"
    assert leadership.undetermined == "maturing"
    assert leadership.stages["maturing"].not_evidenced == ("MM-LEAD-M2",) and not leadership.stages["maturing"].failing
    assert leadership.label == "developing; maturing not determined: 1 rule not evidenced"
    assert [(i.rule_id, i.action) for i in leadership.roadmap] == [("MM-LEAD-M2", "to evidence")]


def test_roadmap_separates_what_to_do_from_what_to_evidence():
    summary = _result(CP).summary
    leadership = summary.domains["system-leadership"]
    assert [(i.rule_id, i.action) for i in leadership.roadmap] == [
        ("MM-LEAD-M2", "to do"),
        ("MM-LEAD-M4", "to do"),
        ("MM-LEAD-M1", "to evidence"),
        ("MM-LEAD-M5", "to evidence"),
    ]
    item = summary.domains["system-architecture"].roadmap[0]
    assert (item.rule_id, item.stage, item.action) == ("MM-ARCH-D4", "developing", "to do")
    failing, _, still_open = item.messages[0].partition("(also not evidenced:")
    assert "'workforce_plan'" in failing and "'estates_plan'" not in failing, "a gap names the parts that fall short"
    assert "'estates_plan'" in still_open, "and, apart, the parts that are not evidenced"
    assert "digital_transformation_plan" not in item.messages[0], "a part that is met is not reported"


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
    assert maturing.threshold == "maturing"
    assert "MM-ARCH-D4" in maturing.blocking_gaps and "MM-ARCH-D2" in maturing.blocking_not_evidenced
    assert maturing.domains_below_threshold == (
        "system-leadership", "system-architecture", "integrated-care-models", "track-record", "coherent-population",
    )
    emerging = _result(CP, threshold="emerging").summary.readiness
    assert emerging.domains_below_threshold == ("coherent-population",)
    assert _result(EXEMPLAR, threshold="thriving").summary.readiness.verdict == "ready"


def test_readiness_is_undetermined_when_only_missing_evidence_blocks_it(tmp_path):
    readiness = _result(_variant(tmp_path, ATTESTATION_LINE, "")).summary.readiness
    assert readiness.verdict == "undetermined" and not readiness.ready
    assert readiness.blocking_gaps == () and readiness.blocking_not_evidenced == ("MM-LEAD-M2",)


def test_text_report_shows_the_domain_by_stage_table(run):
    code, out, _ = run("check", CP)
    assert "Maturity matrix" in out and "stage reached" in out
    assert "Designation readiness: not ready" in out
    assert "Roadmap to the next stage" in out


def test_freedoms_follow_the_system_stage():
    exemplar = _result(EXEMPLAR).summary.freedoms
    assert exemplar.stage == "thriving" and exemplar.next_stage is None
    assert "ICSs will lead the assurance of all individual organisations" in exemplar.now["oversight"]
    cp = _result(CP).summary
    assert cp.system_stage is None  # coherent population has reached no stage
    assert cp.freedoms.next_stage == "emerging" and cp.freedoms.now == {}
