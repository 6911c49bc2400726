"""Workbooks of a check and of a region, re-read with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import zipfile

import openpyxl
import pytest

from icscheck import api, workbook
from icscheck.findings import STATUS_LABEL
from icscheck.fixture import load_fixture
from icscheck.frameworks import MATRIX_DOMAINS, OPERATING_ARRANGEMENTS
from icscheck.rules import load_rules

from conftest import CP, FIXTURES, PLANTED, REAL_FIXTURES, RULES

RULEBOOK = load_rules([RULES])


def _result(path):
    return api.check_fixture(load_fixture(path), RULEBOOK, "python")


def _open(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_check_workbook_summary_and_findings():
    result = _result(PLANTED)
    wb = _open(workbook.check_workbook(result))
    assert wb.sheetnames == ["Summary", "Findings"]
    summary = {row[0]: row[1:] for row in wb["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["system id"][0] == "planted"
    assert summary["assessment date"][0] == dt.datetime(2021, 9, 30)
    assert summary["designation readiness (threshold: maturing)"][0] == result.summary.readiness.verdict
    for domain in result.summary.domains.values():
        assert summary[domain.name][:2] == (domain.stage or "not yet emerging", domain.label)
    for arrangement in result.summary.arrangements.values():
        assert summary[arrangement.name][0] == (arrangement.rag or "—")
    assert summary["gap"][:4] == (1, 3, 0, 4)  # must, should, may, total
    assert summary["not evidenced"][3] == 0

    ws = wb["Findings"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:T{len(result.findings) + 1}"
    assert ws.column_dimensions["P"].width == 80
    rows = _rows(ws)
    assert len(rows) == len(result.findings)
    assert {(r["system_id"], r["system_name"], r["ods_code"], r["as_of"]) for r in rows} == {
        ("planted", "Planted-gaps ICS (synthetic)", "XQA", dt.datetime(2021, 9, 30))
    }
    for row, finding in zip(rows, result.findings, strict=True):
        assert (row["rule_id"], row["subject_id"], row["status"], row["message"]) == (
            finding.rule_id, finding.subject_id, STATUS_LABEL[finding.status], finding.message
        )
    gap = next(r for r in rows if r["rule_id"] == "IC-PLACE-005" and r["status"] == "gap")
    assert gap["framework"] and gap["strength"] == "should" and "para 2.31" in gap["source"]
    status_column = list(rows[0]).index("status") + 1
    fills = {ws.cell(row=i, column=status_column).value: ws.cell(row=i, column=status_column).fill.fgColor.rgb for i in range(2, ws.max_row + 1)}
    assert fills["gap"].endswith("FFC7CE") and fills["pass"].endswith("C6EFCE")


def test_not_evidenced_is_shown_as_such_and_evidence_is_listed():
    result = _result(CP)
    rows = _rows(_open(workbook.check_workbook(result))["Findings"])
    assert "unknown" not in {r["status"] for r in rows}
    unknown = [r for r in rows if r["status"] == "not evidenced"]
    assert len(unknown) == result.summary.all_totals["unknown"] > 0  # every finding, beyond the target too
    assert any(r["evidence"] and r["evidence"].startswith("devplan-") for r in rows)
    ws = _open(workbook.check_workbook(result))["Findings"]
    column = [c.value for c in ws[1]].index("status") + 1
    amber = {ws.cell(row=i, column=column).fill.fgColor.rgb[-6:] for i in range(2, ws.max_row + 1) if ws.cell(row=i, column=column).value == "not evidenced"}
    assert amber == {"FFEB9C"}  # the colour; the leading alpha byte is the writer's, and ignored by Excel


def test_text_is_never_a_formula(tmp_path):
    text = (FIXTURES / "synthetic" / "planted-gaps.yaml").read_text()
    tricky = tmp_path / "tricky.yaml"
    tricky.write_text(text.replace("name: Planted-gaps ICS (synthetic)", "name: \"=HYPERLINK('http://x','y')\"").replace(
        "{id: east, name: East,", "{id: east, name: \"+East\",").replace("{id: west, name: West,", "{id: west, name: \"@West\",").replace(
        "{id: x-comm, name: Exemplar Community NHS Trust,", "{id: x-comm, name: \"-1+2\","))
    result = _result(tricky)
    data = workbook.check_workbook(result)
    wb = _open(data)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    summary = {row[0].value: row[1] for row in wb["Summary"].iter_rows() if row[0].value}
    assert (summary["system name"].value, summary["system name"].data_type) == ("=HYPERLINK('http://x','y')", "s")
    ws = wb["Findings"]
    names = {ws.cell(row=1, column=c).value: c for c in range(1, ws.max_column + 1)}
    for column, text in (("system_name", "=HYPERLINK('http://x','y')"), ("subject_name", "+East"), ("subject_name", "@West"), ("subject_name", "-1+2")):
        cells = [ws.cell(row=r, column=names[column]) for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=names[column]).value == text]
        assert cells and {c.data_type for c in cells} == {"s"}, (column, text)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
            assert b"<f>" not in archive.read(name)


def test_control_characters_do_not_break_the_workbook():
    assert workbook.clean_text("a\x07b") == "a\ufffdb"
    assert len(workbook.clean_text("x" * 40000)) == workbook.CELL_LIMIT


def test_regional_workbook():
    results = [_result(path) for path in REAL_FIXTURES]
    wb = _open(workbook.regional_workbook(results, "maturing"))
    assert wb.sheetnames == ["Systems", "Domains", "Arrangements", "Common gaps", "Findings"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    systems = _rows(wb["Systems"])
    assert [s["system_id"] for s in systems] == [r.fixture.description.system.id for r in results]
    assert [s["gaps"] for s in systems] == [r.summary.totals["gap"] for r in results]
    domains = _rows(wb["Domains"])
    for row, result in zip(domains, results, strict=True):
        assert [row[name] for name in MATRIX_DOMAINS.values()] == [result.summary.domains[k].label for k in MATRIX_DOMAINS]
    arrangements = _rows(wb["Arrangements"])
    for row, result in zip(arrangements, results, strict=True):
        assert [row[name] for name in OPERATING_ARRANGEMENTS.values()] == [result.summary.coa[k] or "—" for k in OPERATING_ARRANGEMENTS]
    common = _rows(wb["Common gaps"])
    counts = [row["systems with a gap"] for row in common]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 2
    for row in common:
        named = row["systems with a gap (named)"].split("\n")
        assert len(named) == row["systems with a gap"]
        expected = [f"{r.fixture.description.system.name} ({r.as_of.isoformat()})" for r in results
                    if r.summary.by_rule.get(row["rule_id"], {}).get("gap")]
        assert named == expected
    findings = _rows(wb["Findings"])
    assert len(findings) == sum(len(r.findings) for r in results)
    assert {type(f["as_of"]) for f in findings} == {dt.datetime} and wb["Findings"]["D2"].number_format == "yyyy-mm-dd"
    assert all(isinstance(s["gaps"], int) and not isinstance(s["gaps"], bool) for s in systems)
    assert {f["system_id"] for f in findings} == {"cambridgeshire-and-peterborough", "lancashire-and-south-cumbria"}


def _fill(cell):
    return cell.fill.fgColor.rgb[-6:] if cell.fill.patternType == "solid" else None


def test_regional_workbook_colours():
    results = [_result(path) for path in REAL_FIXTURES]
    wb = _open(workbook.regional_workbook(results, "maturing"))
    for ws in wb.worksheets:
        header = ws["A1"]
        assert (_fill(header), header.font.b, header.font.color.rgb[-6:]) == ("005EB8", True, "FFFFFF")
    systems, domains, arrangements = wb["Systems"], wb["Domains"], wb["Arrangements"]
    for index, result in enumerate(results, start=2):
        readiness = systems.cell(row=index, column=6)
        assert readiness.value == result.summary.readiness.verdict
        assert _fill(readiness) == workbook.READINESS_COLOURS[result.summary.readiness.verdict][0]
        assert _fill(systems.cell(row=index, column=7)) == workbook.STAGE_COLOURS[result.summary.system_stage][0]
        for column, key in enumerate(MATRIX_DOMAINS, start=5):
            cell = domains.cell(row=index, column=column)
            assert _fill(cell) == workbook.STAGE_COLOURS[result.summary.domains[key].stage][0] and cell.alignment.wrap_text
        for column, key in enumerate(OPERATING_ARRANGEMENTS, start=5):
            cell = arrangements.cell(row=index, column=column)
            assert (_fill(cell), cell.font.color.rgb[-6:]) == workbook.RAG_COLOURS[result.summary.coa[key]]
        assert _fill(systems.cell(row=index, column=1)) is None
    assert arrangements.row_dimensions[1].height == 45


SCRIPT = """
import sys
from icscheck import api, workbook
from icscheck.fixture import load_fixture
from icscheck.rules import load_rules
rules = load_rules([sys.argv[1]])
results = [api.check_fixture(load_fixture(p), rules, "python") for p in sys.argv[2:]]
sys.stdout.buffer.write(workbook.check_workbook(results[0]) + workbook.regional_workbook(results, "maturing"))
"""


def test_workbooks_are_byte_identical_across_runs():
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(RULES), *map(str, REAL_FIXTURES)], env=env, capture_output=True, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    result = _result(PLANTED)
    data = workbook.check_workbook(result)
    assert workbook.check_workbook(result) == data
    results = [_result(path) for path in REAL_FIXTURES]
    assert workbook.regional_workbook(results, "maturing") == workbook.regional_workbook(results, "maturing")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}  # fixed, never the time of the run
        core = archive.read("docProps/core.xml").decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2021-09-30T00:00:00Z</dcterms:created>" in core
    assert "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2021-09-30T00:00:00Z</dcterms:modified>" in core
    assert "<dc:creator>icscheck " in core and "<dc:title>icscheck: Planted-gaps ICS (synthetic), 2021-09-30</dc:title>" in core


def test_check_writes_a_workbook_only_to_a_file(run, tmp_path):
    out = tmp_path / "planted.xlsx"
    code, _, err = run("check", PLANTED, "--format", "xlsx", "-o", out)
    assert code == 1, err
    assert _open(out.read_bytes()).sheetnames == ["Summary", "Findings"]
    code, _, err = run("check", PLANTED, "--format", f"xlsx={tmp_path / 'b.xlsx'}", "--format", "json")
    assert code == 1 and (tmp_path / "b.xlsx").read_bytes() == out.read_bytes()
    for args in (("--format", "xlsx"), ("--format", "xlsx", "-o", "-")):
        code, _, err = run("check", PLANTED, *args)
        assert code == 2 and err.strip() == "icscheck: --format: xlsx needs a file: --format xlsx=FILE or --output FILE"
    out.write_bytes(b"previous")
    code, _, err = run("check", PLANTED, "--format", f"xlsx={out}", "--format", f"csv={tmp_path / 'missing' / 'r.csv'}")
    assert code == 2 and out.read_bytes() == b"previous"


@pytest.mark.parametrize("name", ["regional.xlsx"])
def test_batch_writes_the_regional_workbook(run, tmp_path, name):
    code, out, err = run("batch", FIXTURES / "real", "-o", tmp_path)
    assert code in (0, 1), err
    wb = _open((tmp_path / name).read_bytes())
    assert len(_rows(wb["Systems"])) == len(REAL_FIXTURES)
