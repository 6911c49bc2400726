"""Descriptions as workbooks: the template, the export of a description, and the import back."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import openpyxl
import pytest

from icscheck import api, model, workbook_import
from icscheck.fixture import load_fixture
from icscheck.rules import load_rules

from conftest import ALL_FIXTURES, PLANTED, RULES

RULEBOOK = load_rules([RULES])
LINE = re.compile(r"^icscheck: (?P<file>[^:]+\.xlsx):(?P<sheet>[^!:]+)(!(?P<cell>[A-Z]*\d+))?: (?P<message>.+)$")


def _findings(path):
    loaded = load_fixture(path)
    rules = load_rules(api.rule_dirs_for(loaded, [RULES]))
    return [(f.rule_id, f.subject_kind, f.subject_id, f.status, f.message) for f in api.check_fixture(loaded, rules, "python").findings]


def _workbook(path, tmp_path, name="system.xlsx"):
    target = tmp_path / name
    target.write_bytes(workbook_import.template_workbook(load_fixture(path)))
    return target


def test_every_model_field_has_a_place_in_the_workbook():
    assert workbook_import.unplaced_fields() == ()


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.stem)
def test_every_bundled_description_round_trips(path, tmp_path, run):
    book = _workbook(path, tmp_path)
    out = tmp_path / "imported.yaml"
    code, _, err = run("import", book, "--output", out)
    assert code == 0, err
    code, _, err = run("validate", out)
    assert code == 0, err
    assert _findings(out) == _findings(path)
    original, imported = load_fixture(path).description, load_fixture(out).description
    assert imported == original  # every value, and every citation with its quote and locator
    for a, b in zip(original.boards, imported.boards, strict=True):
        assert [s.citations for s in a.members] == [s.citations for s in b.members]


def test_template_sheets_lists_and_notes(run, tmp_path):
    out = tmp_path / "blank.xlsx"
    code, _, err = run("template", "--output", out)
    assert code == 0, err
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Notes", *(s.name for s in workbook_import.SHEETS), "Lists"]
    lists = {col[0].value: [c.value for c in col[1:] if c.value is not None] for col in wb["Lists"].iter_cols()}
    assert lists["organisation kind"] == [k.value for k in model.OrgKind]
    assert lists["role"] == [k.value for k in model.Role]
    assert lists["status"] == [k.value for k in model.Status]
    assert lists["criterion"] == [k.value for k in model.Criterion]
    for sheet in workbook_import.SHEETS:
        ws = wb[sheet.name]
        assert [c.value for c in ws[1]] == [c.header for c in sheet.columns]
        assert ws.freeze_panes == "A2" and ws.max_row == 1
    boards = wb["Board members"]
    validations = {str(v.sqref): v.formula1 for v in boards.data_validations.dataValidation}
    role = [c.header for c in workbook_import.BY_NAME["Board members"].columns].index("role") + 1
    letter = openpyxl.utils.get_column_letter(role)
    formula = validations[f"{letter}2:{letter}1000"]
    start, end = re.fullmatch(r"Lists!\$([A-Z]+)\$2:\$\1\$(\d+)", formula).groups()
    assert [c.value for c in wb["Lists"][start]][1:int(end)] == [r.value for r in model.Role]
    assert any(v.formula1 == '"yes,no"' for v in wb["Boards"].data_validations.dataValidation)
    notes = {(r[0], r[1]) for r in wb["Notes"].iter_rows(min_row=2, values_only=True)}
    for sheet in workbook_import.SHEETS:
        for column in sheet.columns:
            assert (sheet.name, column.header) in notes
    code, _, err = run("template", "--output", out)
    assert code == 2 and "already exists" in err
    assert run("template", "--output", out, "--force")[0] == 0


def test_workbooks_of_descriptions_are_deterministic():
    fixture = load_fixture(PLANTED)
    assert workbook_import.template_workbook(fixture) == workbook_import.template_workbook(load_fixture(PLANTED))
    assert workbook_import.template_workbook() == workbook_import.template_workbook()


def test_lists_citations_and_seats(tmp_path):
    cp = next(p for p in ALL_FIXTURES if p.stem == "cambridgeshire-and-peterborough-2021")
    wb = openpyxl.load_workbook(_workbook(cp, tmp_path))
    citations = list(wb["Citations"].iter_rows(min_row=2, values_only=True))
    assert ("System", "cambridgeshire-and-peterborough", None, "icb-reference", None, None) in citations
    assert any(r[0] == "Finance" and r[3] == "devplan-challenges" and r[4].startswith("We had a historic deficit") for r in citations)
    seats = list(wb["Board members"].iter_rows(min_row=2, values_only=True))
    assert seats and all(isinstance(s[1], int) for s in seats)
    planted = openpyxl.load_workbook(_workbook(PLANTED, tmp_path, "planted.xlsx"))
    collab = {r[0]: r for r in planted["Collaboratives"].iter_rows(min_row=2, values_only=True)}
    assert collab["acute-collab"][3] == "x-acute; x-amb"


def _edit(path, edits):
    wb = openpyxl.load_workbook(path)
    for sheet, cell, value in edits:
        target = wb[sheet][cell]
        target.value = value
        if isinstance(value, str) and not value.startswith("="):
            target.data_type = "s"
    wb.save(path)


def _column(sheet: str, header: str) -> str:
    index = [c.header for c in workbook_import.BY_NAME[sheet].columns].index(header) + 1
    return openpyxl.utils.get_column_letter(index)


def test_every_problem_is_reported_with_its_cell_and_nothing_is_written(run, tmp_path):
    book = _workbook(PLANTED, tmp_path, "bad.xlsx")
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("Scratch")
    wb["Organisations"].cell(row=1, column=20, value="colour")
    wb.save(book)
    o, p = (lambda h: _column("Organisations", h)), (lambda h: _column("Places", h))
    _edit(book, [
        ("Organisations", f"{o('kind')}3", "hospital"),
        ("Organisations", f"{o('id')}3", "Exemplar Trust"),
        ("Organisations", f"{o('name')}5", "=1+1"),
        ("Organisations", f"{o('id')}4", "x-ccg"),
        ("Places", f"{p('population')}2", "lots"),
        ("Places", f"{p('councils')}3", "x-nowhere"),
        ("Board members", f"{_column('Board members', 'board')}3", "no-such-board"),
        ("Board members", f"{_column('Board members', 'attendance')}4", "sometimes"),
        ("Arrangements", f"{_column('Arrangements', 'as_of')}2", "31/02/2021"),
        ("Boards", f"{_column('Boards', 'sits_in_public')}2", "perhaps"),
    ])
    out = tmp_path / "out.yaml"
    out.write_text("previous\n")
    code, stdout, err = run("import", book, "--output", out, "--force")
    assert code == 2 and stdout == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    got = {(m["sheet"], m["cell"]): m["message"] for m in parsed}
    assert got[("Organisations", f"{o('kind')}3")].startswith("'hospital' is not an organisation kind")
    assert got[("Organisations", f"{o('id')}3")].startswith("not an id")
    assert got[("Organisations", f"{o('name')}5")] == "holds a formula; type the value itself"
    assert got[("Organisations", f"{o('id')}4")].startswith("duplicate id 'x-ccg' (first at Organisations!A2)")
    assert got[("Organisations", "T1")].startswith("unknown column 'colour'")
    assert got[("Places", f"{p('population')}2")] == "'lots' is not a whole number"
    assert got[("Places", f"{p('councils')}3")] == "unknown organisation 'x-nowhere'"
    assert got[("Board members", f"{_column('Board members', 'board')}3")] == "no board 'no-such-board' on the Boards sheet"
    assert got[("Board members", f"{_column('Board members', 'attendance')}4")].startswith("'sometimes' is not an attendance (member, in_attendance, as_needed)")
    assert got[("Arrangements", f"{_column('Arrangements', 'as_of')}2")] == "'31/02/2021' is not a date (YYYY-MM-DD)"
    assert got[("Boards", f"{_column('Boards', 'sits_in_public')}2")] == "'perhaps' is not yes or no"
    assert got[("Scratch", None)].startswith("unknown sheet")
    assert len(lines) == len(got) == 12
    assert out.read_text() == "previous\n"


def test_citations_must_point_at_a_claim(run, tmp_path):
    book = _workbook(PLANTED, tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["Citations"]
    ws.append(["Places", "nowhere", None, "ev-place-tor", "a quote", None])
    ws.append(["Board members", "spb", None, "ev-place-tor", None, None])
    ws.append(["Board members", "spb", 99, "ev-place-tor", None, None])
    ws.append(["Places", "east", None, "ev-missing", None, None])
    wb.save(book)
    code, _, err = run("import", book)
    assert code == 2
    messages = [LINE.match(line)["message"] for line in err.strip().splitlines()]
    assert messages == [
        "the Places sheet has no row with id 'nowhere'",
        "a citation by a seat names its number in 'seat'",
        "the Board members sheet has no seat 99 of board 'spb'",
        "unknown evidence item 'ev-missing'",
    ]


def test_values_as_excel_types_them(tmp_path):
    """Dates as Excel dates or text, whole numbers as floats, yes/no as TRUE/FALSE, lists with spaces."""
    book = _workbook(PLANTED, tmp_path)
    p, b = (lambda h: _column("Places", h)), (lambda h: _column("Boards", h))
    wb = openpyxl.load_workbook(book)
    wb["Places"][f"{p('population')}2"] = 620000.0
    wb["Places"][f"{p('councils')}2"] = " x-city ;"
    wb["Boards"][f"{b('sits_in_public')}2"] = True
    wb["System"][f"{_column('System', 'assessment_date')}2"] = "2021-09-30"
    wb["System"][f"{_column('System', 'population')}2"] = "1,100,000"
    wb.save(book)
    text = workbook_import.import_workbook(book)
    assert "population: 620000\n" in text and "assessment_date: 2021-09-30\n" in text and "population: 1100000\n" in text
    imported = tmp_path / "imported.yaml"
    imported.write_text(text)
    assert load_fixture(imported).description == load_fixture(PLANTED).description


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    text = PLANTED.read_text()
    tricky = tmp_path / "tricky.yaml"
    tricky.write_text(
        text.replace("name: Planted-gaps ICS (synthetic)", 'name: "=1+1"')
        .replace("{id: east, name: East,", '{id: east, name: "+East",')
        .replace("{id: west, name: West,", '{id: west, name: "-West",')
        .replace("title: Exemplar ICS system financial plan 2021/22 (synthetic)", 'title: "@plan 2021-04-30"')
    )
    book = _workbook(tricky, tmp_path)
    wb = openpyxl.load_workbook(book)
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    imported = tmp_path / "imported.yaml"
    imported.write_text(workbook_import.import_workbook(book))
    assert load_fixture(imported).description == load_fixture(tricky).description
    assert load_fixture(imported).description.system.name == "=1+1"


def test_a_value_a_workbook_cannot_hold_is_refused_with_its_line(run, tmp_path):
    text = PLANTED.read_text()
    bad = tmp_path / "bell.yaml"
    bad.write_text(text.replace("name: Planted-gaps ICS (synthetic)", 'name: "Planted\\aICS"'))
    code, _, err = run("template", "--from", bad, "--output", tmp_path / "bell.xlsx")
    assert code == 2 and re.fullmatch(r"icscheck: \S*bell\.yaml:7: holds a character a workbook cannot keep \(U\+0007\).*\n", err), err
    assert not (tmp_path / "bell.xlsx").exists()


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"system:\n  id: x\n", "not an Excel workbook (.xlsx): it is not a zip archive"),
    (b"PK\x03\x04broken", "not an Excel workbook"),
])
def test_not_a_workbook(run, tmp_path, content, message):
    book = tmp_path / "x.xlsx"
    book.write_bytes(content)
    code, _, err = run("import", book, "-o", tmp_path / "x.yaml")
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "x.yaml").exists()


def test_missing_workbook_and_existing_output(run, tmp_path):
    code, _, err = run("import", tmp_path / "none.xlsx")
    assert code == 2 and "no such file" in err
    book = _workbook(PLANTED, tmp_path)
    out = tmp_path / "planted.yaml"
    out.write_text("keep\n")
    code, _, err = run("import", book, "-o", out)
    assert code == 2 and "already exists" in err and out.read_text() == "keep\n"


def test_blank_template_says_what_is_missing(run, tmp_path):
    out = tmp_path / "blank.xlsx"
    out.write_bytes(workbook_import.template_workbook())
    code, _, err = run("import", out)
    assert code == 2
    assert err.strip() == f"icscheck: {out}:System!A2: no row: a description needs its system (id, name, assessment_date)"


def test_a_workbook_with_only_some_sheets(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "System"
    ws.append(["id", "name", "assessment_date"])
    ws.append(["tiny", "Tiny ICS", dt.datetime(2021, 1, 1)])
    places = wb.create_sheet("Places")
    places.append(["name", "id"])
    places.append(["North", "north"])
    data = io.BytesIO()
    wb.save(data)
    book = tmp_path / "tiny.xlsx"
    book.write_bytes(data.getvalue())
    text = workbook_import.import_workbook(book)
    assert "places:\n  - id: north\n    name: North\n" in text


def test_the_descriptions_own_checks_still_apply_with_cells(tmp_path, monkeypatch):
    """A check the workbook's own do not make is still made, by the description's, and named by cell."""
    book = _workbook(PLANTED, tmp_path)
    _edit(book, [("Places", f"{_column('Places', 'councils')}3", "x-nowhere")])
    monkeypatch.setattr(workbook_import, "_check_links", lambda data, reader: None)
    with pytest.raises(workbook_import.WorkbookErrors) as caught:
        workbook_import.import_workbook(book, "system.xlsx")
    assert caught.value.lines == [f"system.xlsx:Places!{_column('Places', 'councils')}3: unknown organisation 'x-nowhere'"]


def test_each_unknown_sheet_is_named(run, tmp_path):
    book = _workbook(PLANTED, tmp_path)
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("Scratch")
    wb.create_sheet("Other")
    wb.save(book)
    code, _, err = run("import", book)
    assert code == 2
    assert [LINE.match(line)["sheet"] for line in err.strip().splitlines()] == ["Other", "Scratch"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("stem", ["planted-gaps", "cambridgeshire-and-peterborough-2021"])
def test_a_workbook_saved_by_a_spreadsheet_imports_the_same(tmp_path, stem):
    """Opened and saved again by LibreOffice Calc (shared strings, its own dates and styles), a
    description's workbook still imports to the same description."""
    path = next(p for p in ALL_FIXTURES if p.stem == stem)
    book = _workbook(path, tmp_path)
    resaved = tmp_path / "resaved"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(resaved), str(book)],
        check=True, capture_output=True, timeout=300,
    )
    imported = tmp_path / "imported.yaml"
    imported.write_text(workbook_import.import_workbook(resaved / book.name))
    assert load_fixture(imported).description == load_fixture(path).description


def test_a_number_keeps_every_digit(tmp_path):
    text = PLANTED.read_text()
    assert "productivity_growth_pct: 1.6" in text
    precise = tmp_path / "precise.yaml"
    precise.write_text(text.replace("productivity_growth_pct: 1.6", "productivity_growth_pct: 0.30000000000000004"))
    book = _workbook(precise, tmp_path)
    imported = tmp_path / "imported.yaml"
    imported.write_text(workbook_import.import_workbook(book))
    assert load_fixture(imported).description.system.finance.productivity_growth_pct == 0.1 + 0.2


def test_a_missing_column_is_reported_once(run, tmp_path):
    book = _workbook(PLANTED, tmp_path)
    wb = openpyxl.load_workbook(book)
    wb["Organisations"].delete_cols(3)  # kind
    wb["Boards"]["B3"].value = None  # a board's name
    wb.save(book)
    code, _, err = run("import", book)
    assert code == 2
    assert [line.split(":", 2)[2] for line in err.strip().splitlines()] == [
        "Organisations!1: no column 'kind' (required)",
        "Boards!B3: 'name' is required",
    ]
