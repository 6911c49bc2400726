"""The bundled systems: both evaluators agree, verdicts are pinned, reports are stable."""

from __future__ import annotations

import json

import pytest

from icscheck import api
from icscheck.fixture import load_fixture
from icscheck.rules import load_rules

from conftest import ENGINE, ALL_FIXTURES, CP, EXEMPLAR, EXEMPLAR_2023, PLANTED, REAL_FIXTURES, RULES

RULEBOOK = load_rules([RULES])


def _verdicts(result):
    return [(f.rule_id, f.subject_id, f.status, f.message) for f in result.findings]


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.stem)
def test_engines_agree(path):
    fixture = load_fixture(path)
    durable = api.check_fixture(fixture, RULEBOOK, ENGINE)
    python = api.check_fixture(fixture, RULEBOOK, "python")
    assert _verdicts(durable) == _verdicts(python)
    assert durable.findings == python.findings


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.stem)
def test_one_finding_per_rule_and_subject(path):
    result = api.check_fixture(load_fixture(path), RULEBOOK, ENGINE)
    keys = [(f.rule_id, f.subject_kind, f.subject_id) for f in result.findings]
    assert len(keys) == len(set(keys))
    assert {f.rule_id for f in result.findings} == {r.id for r in RULEBOOK}


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.stem)
def test_each_finding_carries_only_the_facts_its_rule_reads(path):
    result = api.check_fixture(load_fixture(path), RULEBOOK, "python")
    examined = {r.id: r.examined for r in RULEBOOK}
    for f in result.findings:
        names = [r.name for r in f.facts]
        assert set(names) <= set(examined[f.rule_id]) and len(names) == len(set(names)), (f.rule_id, f.subject_id)


@pytest.mark.parametrize("path", [EXEMPLAR, EXEMPLAR_2023], ids=lambda p: p.stem)
def test_exemplar_passes_every_rule_in_force(path):
    result = api.check_fixture(load_fixture(path), RULEBOOK, ENGINE)
    others = [(f.rule_id, f.status, f.message) for f in result.findings if f.status != "pass"]
    assert all(status == "not_applicable" and "not in force" in message for _, status, message in others), others
    assert result.summary.readiness.verdict == "ready"
    assert {d.stage for d in result.summary.domains.values() if d.staged} == {"thriving"}
    assert result.summary.unstaged == {"coherent-population": "met"}
    assert set(result.summary.coa.values()) == {"G"}


def test_planted_gaps_are_exactly_the_planted_ones():
    result = api.check_fixture(load_fixture(PLANTED), RULEBOOK, ENGINE)
    gaps = sorted((f.rule_id, f.subject_kind, f.subject_id) for f in result.findings if f.status not in ("pass", "not_applicable"))
    assert gaps == [
        ("COA-COMM-001", "system", "planted"),
        ("IC-PC-002", "collaborative", "mh-collab"),
        ("IC-PC-003", "organisation", "x-comm"),
        ("IC-PLACE-005", "place", "west"),
        ("POP-PLACE-001", "place", "east"),
    ]
    by_rule = {f.rule_id: f for f in result.findings if f.status in ("gap", "info")}
    assert by_rule["POP-PLACE-001"].status == "info", "the place band is guidance: recorded, never a gap"
    assert by_rule["POP-PLACE-001"].message == (
        "Place 'East' has a population of 620,000; expected about 250,000 to 500,000 in the place's population"
        " (recorded: the source leaves this to local choice)"
    )
    assert by_rule["IC-PLACE-005"].expected_at, "a gap for something missing says where it was expected"
    assert by_rule["IC-PLACE-005"].expected_at[0].line > 0


def test_cp_json_report_contract(run, tmp_path):
    out = tmp_path / "cp.json"
    code, _, _ = run("check", CP, "--format", "json", "--output", out)
    assert code == 1
    report = json.loads(out.read_text())
    for key in ("schema_version", "tool", "engine", "system", "as_of", "rules", "findings", "errors", "summary"):
        assert key in report
    assert report["engine"] == ENGINE
    assert report["tool"]["name"] == "icscheck"
    assert report["system"] == {
        "id": "cambridgeshire-and-peterborough",
        "name": "Cambridgeshire and Peterborough",
        "ods_code": "QUE",
        "ons_code": "E54000021",
        "file": "fixtures/real/cambridgeshire-and-peterborough-2021.yaml",
    }
    assert report["as_of"] == "2021-03-31"
    assert {"id", "title", "source"} <= set(report["rules"][0])
    rules = {rule["id"]: rule for rule in report["rules"]}
    for finding in report["findings"]:
        assert {"rule_id", "status", "subject", "message", "evidence", "location"} <= set(finding)
        assert "source" not in finding, "a finding's source is its rule's, in the report's rules (schema 4.0)"
        assert finding["location"]["file"] == "fixtures/real/cambridgeshire-and-peterborough-2021.yaml"
        assert "paragraph" in rules[finding["rule_id"]]["source"]
    verdicts = [f for f in report["findings"] if f["status"] != "not_applicable"]
    uncited = [f["rule_id"] for f in verdicts if not f["evidence"]]
    assert not uncited, "every C&P verdict cites evidence from the source documents"
    summary = report["summary"]
    assert set(summary["maturity"]) == {"system-leadership", "system-architecture", "integrated-care-models", "track-record", "coherent-population"}
    assert len(summary["coa"]) == 7 and set(summary["coa"].values()) <= {"G", "GA", "A", "AR", "R"}
    assert summary["readiness"]["ready"] is False
    assert all(isinstance(ids, list) for ids in summary["next_stage"].values())


def test_cp_unknowns_are_reported_not_invented():
    result = api.check_fixture(load_fixture(CP), RULEBOOK, "python")
    population = next(f for f in result.findings if f.rule_id == "MM-POP-E3")
    assert population.status == "unknown", "a population the documents do not give is not evidenced, not a gap"
    assert set(population.unknown) == {"population", "registered_population"}
    assert "not evidenced" in population.message and "population" in population.message
    assert population.expected_at, "it says where in the description the missing facts belong"


def test_no_finding_that_turns_on_a_missing_fact_is_a_gap():
    for path in REAL_FIXTURES:
        result = api.check_fixture(load_fixture(path), RULEBOOK, "python")
        for f in result.findings:
            if f.status in ("gap", "info"):
                assert f.trace is not None and not f.trace.missing, (f.rule_id, f.subject_id)
                assert all(leaf.readings[0].value is not None for leaf in f.trace.deciding()), (f.rule_id, f.subject_id)
            if f.status == "unknown":
                assert f.unknown, (f.rule_id, f.subject_id)


def test_report_is_byte_identical_across_runs(run, tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    run("check", CP, "--format", "json", "-o", first)
    run("check", CP, "--format", "json", "-o", second)
    assert first.read_bytes() == second.read_bytes()
    text1, text2 = tmp_path / "a.txt", tmp_path / "b.txt"
    run("check", CP, "-o", text1)
    run("check", CP, "-o", text2)
    assert text1.read_bytes() == text2.read_bytes()


def test_exit_codes(run):
    assert run("check", EXEMPLAR)[0] == 0
    assert run("check", PLANTED)[0] == 1


def test_check_without_fixture_runs_the_bundled_example(run):
    code, out, _ = run("check", "--format", "json")
    assert code == 1
    assert json.loads(out)["system"]["id"] == "cambridgeshire-and-peterborough"


def test_python_engine_is_recorded(run):
    _, out, _ = run("check", EXEMPLAR, "--format", "json", "--engine", "python")
    assert json.loads(out)["engine"] == "python"


def test_text_report_lists_every_gap(run):
    code, out, _ = run("check", PLANTED, "--full")
    assert code == 1
    for rule_id in ("COA-COMM-001", "IC-PC-003", "IC-PLACE-005"):
        assert f"GAP   {rule_id}" in out


def test_validate(run):
    code, out, _ = run("validate", CP)
    assert code == 0 and "valid" in out


def test_rules_list_and_show(run):
    code, out, _ = run("rules", "list", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and len(listed) == len(RULEBOOK)
    assert {"id", "title", "framework", "strength", "source"} <= set(listed[0])
    code, out, _ = run("rules", "show", "IC-PLACE-005")
    assert code == 0 and "para 2.31" in out and "Healthwatch" in out
    assert run("rules", "show", "NO-SUCH-1")[0] == 2


def test_rule_not_in_force_is_not_applicable(tmp_path):
    import datetime as dt

    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    text = (RULES / "integrating-care" / "IC-PLACE-005.yaml").read_text()
    (rules_dir / "IC-PLACE-005.yaml").write_text(text.replace("effective_from: '2020-11-26'", "effective_from: '2022-07-01'"))
    rules = load_rules([rules_dir])
    before = api.check_fixture(load_fixture(PLANTED), rules, ENGINE, as_of=dt.date(2021, 9, 30))
    assert [(f.status, f.subject_id, f.message) for f in before.findings] == [
        ("not_applicable", "planted", "not in force on 2021-09-30: applies from 2022-07-01")
    ]
    after = api.check_fixture(load_fixture(PLANTED), rules, ENGINE, as_of=dt.date(2022, 7, 1))
    assert sorted((f.subject_id, f.status) for f in after.findings) == [("east", "pass"), ("west", "gap")]


def test_selector_matching_nothing_is_not_applicable(tmp_path):
    minimal = tmp_path / "minimal.yaml"
    minimal.write_text("system:\n  id: tiny\n  name: Tiny\n  assessment_date: 2021-01-01\n")
    result = api.check_fixture(load_fixture(minimal), RULEBOOK, ENGINE)
    collab = [f for f in result.findings if f.rule_id == "IC-PC-002"]
    assert [(f.status, f.message) for f in collab] == [("not_applicable", "the description has no provider collaborative")]
    trusts = [f for f in result.findings if f.rule_id == "IC-PC-001"]
    assert trusts[0].message == "the description has no organisation that this rule applies to"


@pytest.mark.parametrize("path", REAL_FIXTURES, ids=lambda p: p.stem)
def test_every_verdict_on_a_real_system_cites_evidence(path):
    result = api.check_fixture(load_fixture(path), RULEBOOK, "python")
    uncited = [(f.rule_id, f.subject_id) for f in result.findings if f.status != "not_applicable" and not f.evidence]
    assert not uncited


@pytest.mark.parametrize("path", REAL_FIXTURES, ids=lambda p: p.stem)
def test_every_claim_of_a_real_system_cites_evidence(path):
    desc = load_fixture(path).description
    claims = [("system", desc.system), *[(f"{name} {item.id}", item) for name in (
        "organisations", "places", "neighbourhoods", "collaboratives", "boards", "arrangements", "attestations", "self_assessments"
    ) for item in getattr(desc, name)]]
    claims += [(f"seat {i} of {board.id}", seat) for board in desc.boards for i, seat in enumerate(board.members)]
    if desc.system.finance:
        claims.append(("finance", desc.system.finance))
    uncited = [label for label, claim in claims if not claim.evidence]
    assert not uncited


def test_date_effective_rules_follow_the_assessment_date():
    import datetime as dt

    after = api.check_fixture(load_fixture(EXEMPLAR_2023), RULEBOOK, "python")
    ended = next(f for f in after.findings if f.rule_id == "COA-COMM-001")
    assert (ended.status, ended.message) == ("not_applicable", "not in force on 2023-03-31: applied until 2022-06-30")
    assert all(f.status == "pass" for f in after.findings if f.rule_id.startswith(("ACT-", "DF-", "PCG-")))
    # the 2021 description, assessed in 2023, meets none of the Act's ICB rules
    late = api.check_fixture(load_fixture(EXEMPLAR), RULEBOOK, "python", as_of=dt.date(2023, 3, 31))
    gaps = {f.rule_id for f in late.findings if f.status == "gap"}
    assert {"ACT-ICB-001", "ACT-ICB-002", "ACT-ICP-001", "DF-ICB-001", "DF-ICB-004"} <= gaps
    # whether each trust has a CCIO or CIO on its board is not stated: not evidenced, not a gap
    assert {f.status for f in late.findings if f.rule_id == "DIG-LTP-001"} == {"unknown"}


def test_a_system_names_its_own_local_rule_pack(run, tmp_path):
    from conftest import FIXTURES

    lsc = FIXTURES / "real" / "lancashire-and-south-cumbria-2020.yaml"
    code, out, _ = run("check", lsc, "--format", "json")
    report = json.loads(out)
    local = {f"LSC-ICP-{i:03d}" for i in range(1, 16)} | {"GOV-DOI-001", "GOV-DOI-002", "GOV-DOI-003", "GOV-RISK-001"}
    assert {r["id"] for r in report["rules"] if r["framework"] == "local"} == local
    offer = [f for f in report["findings"] if f["rule_id"] == "LSC-ICP-007"]
    # the board pack does not list each ICP's offer: not evidenced, not a gap
    assert len(offer) == 5 and {f["status"] for f in offer} == {"unknown"}
    # naming the pack again with --rules adds nothing twice
    code, out, _ = run("check", lsc, "--format", "json", "--rules", "rules", "--rules", "rules-local/lancashire-and-south-cumbria")
    assert len(json.loads(out)["rules"]) == len(report["rules"])
    bad = tmp_path / "bad.yaml"
    bad.write_text(lsc.read_text().replace("rule_packs: [lancashire-and-south-cumbria]", "rule_packs: [nowhere]"))
    code, _, err = run("check", bad)
    line = next(n for n, text in enumerate(lsc.read_text().splitlines(), start=1) if "rule_packs:" in text)
    assert code == 2 and f"bad.yaml:{line}: unknown rule pack 'nowhere'" in err


def test_a_description_is_judged_by_the_rules_in_force_on_its_date_unless_asked(run):
    import datetime as dt

    from conftest import FIXTURES

    august_2019 = FIXTURES / "real" / "cambridgeshire-and-peterborough-2019.yaml"
    result = api.check(august_2019, [RULES])
    integrating_care = [f for f in result.findings if f.rule_id.startswith("IC-")]
    assert integrating_care and all(
        f.status == "not_applicable" and "applies from" in f.message for f in integrating_care
    ), "'Integrating care' (26 November 2020) does not judge a description of August 2019"
    later = api.check(august_2019, [RULES], rulebook_date=dt.date(2021, 3, 31))
    assert later.as_of == dt.date(2019, 8, 31) and later.rulebook_date == dt.date(2021, 3, 31)
    assert any(f.status != "not_applicable" for f in later.findings if f.rule_id.startswith("IC-"))
    code, out, _ = run("check", august_2019, "--rulebook-date", "2021-03-31", "--format", "json")
    assert json.loads(out)["rulebook_date"] == "2021-03-31"
    code, out, _ = run("check", august_2019, "--rulebook-date", "2021-03-31")
    assert "those in force on 2021-03-31" in " ".join(out.split())
