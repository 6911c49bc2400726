"""Explain, waivers, diff, batch and graph export."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from conftest import CP, EXEMPLAR, PLANTED, error_lines, problem_lines

WAIVERS = """waivers:
  - rule: IC-PLACE-005
    subject: west
    justification: Healthwatch joins the West partnership from its next meeting
    approver: Regional director of strategy
    granted: 2021-06-01
    expires: 2021-12-31
  - rule: IC-PC-003
    subject: "*"
    justification: The community trust joins the collaborative next quarter
    approver: Regional director of strategy
    granted: 2020-01-01
    expires: 2021-03-31
"""


def test_explain_reads_as_plain_english(run):
    code, out, _ = run("explain", PLANTED, "IC-PLACE-005", "west")
    assert code == 0
    out = " ".join(out.split())  # the text wraps at the terminal's width (100 columns elsewhere)
    for text in (
        "Every place partnership includes Healthwatch",
        "para 2.31",
        "Place 'West'",
        "has a gap",
        "healthwatch_seat_count",
        "is at least 1? It is 0: not met",
        "planted-gaps.yaml:",
        "Where to add what is missing",
    ):
        assert text in out, text
    code, out, _ = run("explain", PLANTED, "IC-PLACE-005")
    assert "Place 'East'" in out and "passes" in out


def test_explain_bad_arguments(run):
    assert run("explain", PLANTED, "NO-SUCH-9")[0] == 2
    code, _, err = run("explain", PLANTED, "IC-PLACE-005", "nowhere")
    assert code == 2 and "east, west" in err


def test_waivers(run, tmp_path):
    path = tmp_path / "waivers.yaml"
    path.write_text(WAIVERS)
    code, out, _ = run("check", PLANTED, "--format", "json", "--waivers", path)
    report = json.loads(out)
    west = next(f for f in report["findings"] if f["rule_id"] == "IC-PLACE-005" and f["subject"]["id"] == "west")
    assert west["status"] == "waived" and west["waiver"]["approver"] == "Regional director of strategy"
    comm = next(f for f in report["findings"] if f["rule_id"] == "IC-PC-003" and f["subject"]["id"] == "x-comm")
    assert comm["status"] == "gap" and "waiver expired on 2021-03-31" in comm["message"]
    assert report["summary"]["totals"]["waived"] == 1
    code, out, _ = run("check", PLANTED, "--format", "json", "--waivers", path, "--no-waivers")
    assert json.loads(out)["summary"]["totals"]["waived"] == 0
    code, out, _ = run("check", PLANTED, "--waivers", path, "--full")
    out = " ".join(out.split())
    assert "WAIVED IC-PLACE-005" in out and "waived: Healthwatch joins" in out


def test_all_gaps_waived_exits_0(run, tmp_path):
    path = tmp_path / "waivers.yaml"
    lines = ["waivers:"]
    for rule, subject in (("COA-COMM-001", "planted"), ("IC-PC-002", "mh-collab"), ("IC-PC-003", "x-comm"), ("IC-PLACE-005", "west")):
        lines += [f"  - {{rule: {rule}, subject: {subject}, justification: agreed, approver: board, granted: 2021-01-01, expires: 2022-01-01}}"]
    path.write_text("\n".join(lines) + "\n")
    assert run("check", PLANTED, "--waivers", path)[0] == 0


@pytest.mark.parametrize(
    "text,pattern",
    [
        ("waivers:\n  - rule: IC-PLACE-005\n    subject: west\n", r"waivers\.yaml:\d+: .*missing required key"),
        ("waivers:\n  - {rule: NO-SUCH-1, subject: x, justification: j, approver: a, granted: 2021-01-01, expires: 2022-01-01}\n", r"waivers\.yaml:2: unknown rule 'NO-SUCH-1'"),
        ("waivers:\n  - {rule: IC-PLACE-005, subject: x, justification: j, approver: a, granted: 2022-01-01, expires: 2021-01-01}\n", r"waivers\.yaml:2: .*expires is before granted"),
        ("waivers: [\n", r"waivers\.yaml:\d+: invalid YAML"),
    ],
)
def test_malformed_waiver_file_is_invalid_input(run, tmp_path, text, pattern):
    import re

    path = tmp_path / "waivers.yaml"
    path.write_text(text)
    out = tmp_path / "r.json"
    code, _, err = run("check", PLANTED, "--waivers", path, "-o", out)
    assert code == 2 and re.search(pattern, problem_lines(err, "waivers.yaml")[0]), err
    assert not out.exists()


def test_diff_of_two_fixtures(run):
    code, _, err = run("diff", PLANTED, EXEMPLAR, "--format", "json")
    assert code == 2 and "--allow-different-systems" in err and len(err.strip().splitlines()) == 1
    code, out, _ = run("diff", PLANTED, EXEMPLAR, "--format", "json", "--allow-different-systems")
    assert code == 0
    d = json.loads(out)
    assert {g["rule_id"] for g in d["gaps"]["closed"]} == {"COA-COMM-001", "IC-PC-002", "IC-PC-003", "IC-PLACE-005"}
    assert d["gaps"]["new"] == [] and d["gaps"]["unchanged"] == []
    streamlined = next(a for a in d["arrangements"] if a["arrangement"] == "coa_streamlined_commissioning")
    assert (streamlined["old"], streamlined["new"], streamlined["change"]) == ("GA", "G", "↑")
    assert all(row["change"] == "↔" for row in d["domains"])


def test_diff_of_two_json_reports(run, tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    run("check", EXEMPLAR, "--format", f"json={old}")
    run("check", PLANTED, "--format", f"json={new}")
    code, out, _ = run("diff", old, new, "--allow-different-systems")
    assert code == 0 and "4 new, 0 closed" in out and "↓" in out
    code, out, _ = run("diff", old, new, "--format", "markdown", "--allow-different-systems")
    assert "| Streamlined commissioning arrangements | G | GA | ↓ |" in out


def test_diff_reads_a_3_0_report_beside_a_4_0_one(run, tmp_path):
    from conftest import FIXTURES

    old, new, old_3 = tmp_path / "old.json", tmp_path / "new.json", tmp_path / "old-3.0.json"
    run("check", FIXTURES / "real" / "cambridgeshire-and-peterborough-2019.yaml", "--format", f"json={old}")
    run("check", FIXTURES / "real" / "cambridgeshire-and-peterborough-2021.yaml", "--format", f"json={new}")
    report = json.loads(old.read_text())
    assert report["schema_version"] == "4.0"
    sources = {rule["id"]: rule["source"] for rule in report["rules"]}
    report["schema_version"] = "3.0"  # a 3.0 report copied its rule's source into each finding
    report["findings"] = [{**f, "source": sources[f["rule_id"]]} for f in report["findings"]]
    old_3.write_text(json.dumps(report, indent=2))
    code, out, _ = run("diff", old, new, "--format", "json")
    code_3, out_3, _ = run("diff", old_3, new, "--format", "json")
    assert code == code_3 == 0 and out == out_3 and json.loads(out)["gaps"]["closed"]


def test_diff_rejects_a_file_that_is_not_a_report(run, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a report"}')
    code, _, err = run("diff", bad, bad)
    assert code == 2 and "not an icscheck JSON report" in err
    bad.write_text("{nope")
    code, _, err = run("diff", bad, bad)
    assert code == 2 and "bad.json:1" in err


def test_batch_writes_reports_and_a_regional_summary(run, tmp_path):
    folder = tmp_path / "systems"
    folder.mkdir()
    for path in (EXEMPLAR, PLANTED, CP):
        (folder / path.name).write_text(path.read_text())
    out = tmp_path / "out"
    code, stdout, _ = run("batch", folder, "-o", out)
    assert code == 1 and "3 systems" in stdout
    names = {p.name for p in out.iterdir()}
    assert {"exemplar-ics.md", "planted-gaps.json", "regional.md", "regional.json"} <= names
    regional = json.loads((out / "regional.json").read_text())
    assert [s["id"] for s in regional["systems"]] == ["cambridgeshire-and-peterborough", "exemplar", "planted"]
    assert regional["systems"][1]["maturity"]["system-leadership"] == "thriving"
    md = (out / "regional.md").read_text()
    assert "not averaged" in md and "| Exemplar ICS (synthetic) |" in md


def test_batch_checks_the_valid_descriptions_and_lists_the_invalid_ones(run, tmp_path):
    folder = tmp_path / "systems"
    folder.mkdir()
    (folder / "a.yaml").write_text(EXEMPLAR.read_text())
    (folder / "b.yaml").write_text("system: [\n")
    (folder / "c.yaml").write_text(PLANTED.read_text().replace("assessment_date: 2021-09-30", "assessment_date: 2021-02-30"))
    out = tmp_path / "out"
    code, stdout, err = run("batch", folder, "-o", out)
    assert code == 2 and "Traceback" not in err
    lines = error_lines(err)
    assert len(lines) == 2 and "b.yaml:2: invalid YAML" in lines[0] and "c.yaml:" in lines[1] and "2021-02-30" in lines[1]
    assert "1 systems" in stdout and "2 invalid" in stdout
    assert {p.name for p in out.iterdir()} == {"a.json", "a.md", "a.txt", "a.html", "regional.json", "regional.md", "regional.xlsx", "regional.html"}
    assert [s["id"] for s in json.loads((out / "regional.json").read_text())["systems"]] == ["exemplar"]


@pytest.mark.parametrize(
    "names,says",
    [
        (("x.yaml", "x.yml"), "would write the same reports"),
        (("a.yaml", "b.yaml"), "describes the same system ('exemplar') on the same date (2021-09-30)"),
        (("regional.yaml",), "its report regional.html would replace another report of this batch"),
    ],
)
def test_batch_never_writes_two_systems_over_each_other(run, tmp_path, names, says):
    folder = tmp_path / "systems"
    folder.mkdir()
    for name in names:
        (folder / name).write_text(EXEMPLAR.read_text())
    (folder / "planted.yaml").write_text(PLANTED.read_text())
    out = tmp_path / "out"
    code, stdout, err = run("batch", folder, "-o", out)
    assert code == 2
    lines = error_lines(err)
    assert len(lines) == len(names) and all(says in line for line in lines), err
    assert {p.name for p in out.iterdir()} == {"planted.json", "planted.md", "planted.txt", "planted.html", "regional.json", "regional.md", "regional.xlsx", "regional.html"}


def test_batch_refuses_a_description_whose_reports_would_replace_anothers(run, tmp_path):
    folder = tmp_path / "systems"
    folder.mkdir()
    (folder / "cp.yaml").write_text(CP.read_text())  # it carries a self-assessment: cp.comparison.json
    (folder / "cp.comparison.yaml").write_text(EXEMPLAR.read_text())
    out = tmp_path / "out"
    code, _, err = run("batch", folder, "-o", out)
    assert code == 2 and "would replace another report of this batch" in err and len(error_lines(err)) == 1
    assert len(json.loads((out / "regional.json").read_text())["systems"]) == 1


def test_graph_export(run, tmp_path):
    graphml = tmp_path / "g.graphml"
    assert run("graph", PLANTED, "--format", "graphml", "-o", graphml)[0] == 0
    g = nx.read_graphml(graphml)
    assert g.nodes["west"]["type"] == "place"
    assert g.nodes["west"]["location"].startswith("fixtures/synthetic/planted-gaps.yaml:") or g.nodes["west"]["location"].endswith(".yaml:62")
    code, out, _ = run("graph", PLANTED, "--format", "dot")
    assert code == 0 and out.startswith("digraph") and '"west" [label="West"' in out and 'type="place"' in out


def test_dot_export_quotes_every_name(run, tmp_path):
    """A name that would end a DOT string or start an edge stays inside its quotes."""
    text = PLANTED.read_text()
    hostile = 'West" ]; "x" -> "y"; "z\\'
    path = tmp_path / "hostile.yaml"
    path.write_text(text.replace("{id: west, name: West,", f"{{id: west, name: '{hostile}',", 1))
    code, out, _ = run("graph", path, "--format", "dot")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith('  "west" ['))
    assert 'label="West\\" ]; \\"x\\" -> \\"y\\"; \\"z\\\\"' in line
    assert out.count(" -> ") == sum(1 for line in out.splitlines() if " -> " in line and line.rstrip().endswith("];"))


@pytest.mark.parametrize("name", ["cambridgeshire-and-peterborough-2019", "cambridgeshire-and-peterborough-2021", "lancashire-and-south-cumbria-2020"])
def test_every_command_works_on_the_real_systems(run, tmp_path, name):
    from conftest import FIXTURES

    fixture = FIXTURES / "real" / f"{name}.yaml"
    outputs = {fmt: tmp_path / f"{name}.{fmt}" for fmt in ("html", "sarif", "junit", "csv", "markdown", "json")}
    code, _, err = run("check", fixture, *[x for fmt, path in outputs.items() for x in ("--format", f"{fmt}={path}")])
    assert code == 1, err
    assert all(path.stat().st_size for path in outputs.values())
    code, out, _ = run("explain", fixture, "IC-PLACE-001")
    assert code == 0 and "para 2.31" in out
    code, out, _ = run("graph", fixture, "--format", "dot")
    assert code == 0 and "digraph" in out
    code, out, _ = run("diff", outputs["json"], fixture)
    assert code == 0 and "0 new, 0 closed" in out


def test_cp_diff_between_its_two_dates(run):
    from conftest import FIXTURES

    old = FIXTURES / "real" / "cambridgeshire-and-peterborough-2019.yaml"
    new = FIXTURES / "real" / "cambridgeshire-and-peterborough-2021.yaml"
    code, out, _ = run("diff", old, new, "--format", "json")
    d = json.loads(out)
    leadership = next(row for row in d["domains"] if row["domain"] == "system-leadership")
    assert (leadership["old"], leadership["new"], leadership["change"]) == ("emerging", "developing", "↑")
    assert d["gaps"]["closed"] and d["gaps"]["unchanged"]


def test_a_rule_parameter_can_be_set_per_run(run):
    code, out, _ = run("check", EXEMPLAR, "--format", "json", "--param", "FIN-002.min_productivity_growth_pct=1.7")
    report = json.loads(out)
    assert code == 1
    gap = next(f for f in report["findings"] if f["rule_id"] == "FIN-002")
    assert gap["status"] == "gap" and "expected at least 1.7% a year" in gap["message"]
    assert next(r for r in report["rules"] if r["id"] == "FIN-002")["parameters"] == {"min_productivity_growth_pct": 1.7}
    assert run("check", EXEMPLAR, "--param", "FIN-002.min_productivity_growth_pct=1.6")[0] == 0


@pytest.mark.parametrize(
    "param,says",
    [
        ("FIN-002.min_productivity_growth_pct=abc", "takes a float like 1.1"),
        ("FIN-002.rate=1", "has no parameter 'rate'"),
        ("NOPE-1.x=1", "no rule NOPE-1"),
        ("nonsense", "is not RULE.NAME=VALUE"),
    ],
)
def test_bad_parameters_are_invalid_input(run, param, says):
    code, _, err = run("check", EXEMPLAR, "--param", param)
    assert code == 2 and says in err and len(err.strip().splitlines()) == 1
