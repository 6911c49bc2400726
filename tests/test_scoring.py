"""Stage, RAG, readiness and roadmap scoring."""

from __future__ import annotations

from icscheck import api
from icscheck.fixture import load_fixture
from icscheck.rules import load_rules

from conftest import CP, EXEMPLAR, RULES

RULEBOOK = load_rules([RULES])


def _result(path, **kwargs):
    return api.check_fixture(load_fixture(path), RULEBOOK, "python", **kwargs)


def test_stage_is_the_highest_stage_with_every_lower_must_rule_met():
    detail = _result(CP).summary["maturity_detail"]
    architecture = detail["system-architecture"]
    assert architecture["stage"] == "emerging"
    assert architecture["stages"]["developing"]["failing"] == ["MM-ARCH-D2", "MM-ARCH-D3", "MM-ARCH-D4"]
    assert detail["system-leadership"]["stage"] == "developing"
    # a domain whose first stage fails has reached no stage
    assert detail["coherent-population"]["stage"] is None
    assert detail["coherent-population"]["next_stage"] == "emerging"


def test_roadmap_lists_the_next_stage_rules_that_do_not_pass():
    summary = _result(CP).summary
    assert summary["next_stage"]["system-leadership"] == ["MM-LEAD-M1", "MM-LEAD-M2", "MM-LEAD-M3", "MM-LEAD-M4", "MM-LEAD-M5"]
    item = summary["maturity_detail"]["system-architecture"]["roadmap"][1]
    assert (item["rule_id"], item["stage"]) == ("MM-ARCH-D3", "developing")
    assert "financial_plan" in item["messages"][0]
    assert "financial_drivers_understood" not in item["messages"][0], "only the failing part of a rule is reported"


def test_thriving_has_no_next_stage():
    summary = _result(EXEMPLAR).summary
    assert all(not ids for ids in summary["next_stage"].values())
    assert all(info["next_stage"] is None for info in summary["maturity_detail"].values())


def test_rag_follows_the_key_and_holds_g_back_when_rules_fail():
    coa = _result(CP).summary["coa_detail"]
    assert coa["coa_streamlined_commissioning"]["rag"] == "AR"
    assert coa["coa_shared_care_record"]["rag"] == "A"
    leadership = coa["coa_leadership_model"]
    assert leadership["status"] == "achieved" and leadership["rag"] == "GA"
    assert leadership["rules_with_gaps"] == ["COA-LEAD-002", "COA-LEAD-003", "COA-LEAD-004"]
    assert coa["coa_system_capabilities"]["rag"] == "GA"  # no chief executive or finance lead seat is described


def test_rag_without_evidence_or_description_is_r(tmp_path):
    text = EXEMPLAR.read_text()
    text = text.replace(
        "  - {id: arr-coa-shared-care-record, kind: coa_shared_care_record, title: 'Exemplar coa shared care record', status: achieved, as_of: 2021-09-15, evidence: [ev-annual-review]}\n",
        "  - {id: arr-coa-shared-care-record, kind: coa_shared_care_record, title: 'Exemplar coa shared care record', status: achieved}\n",
    )
    text = text.replace(
        "  - {id: arr-coa-system-plans, kind: coa_system_plans, title: 'Exemplar coa system plans', status: achieved, as_of: 2021-09-15, evidence: [ev-annual-review]}\n",
        "",
    )
    path = tmp_path / "x.yaml"
    path.write_text(text)
    coa = _result(path).summary["coa_detail"]
    assert (coa["coa_shared_care_record"]["rag"], coa["coa_shared_care_record"]["reason"]) == ("R", "status stated without an evidence item")
    assert (coa["coa_system_plans"]["rag"], coa["coa_system_plans"]["reason"]) == ("R", "not described")


def test_readiness_threshold_is_a_setting():
    maturing = _result(CP).summary["readiness"]
    assert maturing == {
        "threshold": "maturing",
        "ready": False,
        "domains_below_threshold": ["system-leadership", "system-architecture", "integrated-care-models", "track-record", "coherent-population"],
    }
    emerging = _result(CP, threshold="emerging").summary["readiness"]
    assert emerging["domains_below_threshold"] == ["coherent-population"]
    assert _result(EXEMPLAR, threshold="thriving").summary["readiness"]["ready"] is True


def test_text_report_shows_the_domain_by_stage_table(run):
    code, out, _ = run("check", CP)
    assert "Maturity matrix" in out and "stage reached" in out
    assert "Designation readiness: not ready" in out
    assert "Roadmap to the next stage" in out


def test_freedoms_follow_the_system_stage():
    exemplar = _result(EXEMPLAR).summary["freedoms"]
    assert exemplar["stage"] == "thriving" and exemplar["next_stage"] is None
    assert "ICSs will lead the assurance of all individual organisations" in exemplar["now"]["oversight"]
    cp = _result(CP).summary
    assert cp["system_stage"] is None  # coherent population has reached no stage
    assert cp["freedoms"]["next_stage"] == "emerging" and cp["freedoms"]["now"] == {}
