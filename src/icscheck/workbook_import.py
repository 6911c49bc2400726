"""System descriptions as Excel workbooks: a template to fill, an export of a description, an import.

The workbook has one sheet per part of a description, laid out from :mod:`icscheck.model`'s own
fields (so a new field gets a column): *System*, *Finance*, *Evidence*, *Organisations*,
*Places*, *Neighbourhoods*, *Collaboratives*, *Boards*, *Board members* (seats), *Board
functions*, *Declarations of interest*, *Arrangements*, *Attestations*, *Self-assessments*,
*Partial lists* and *Citations*, with a *Notes* sheet explaining every column and a *Lists*
sheet holding the values of the drop-down lists (the model's enums).

How lists are held:

* a list of ids or of values from a drop-down list is one cell, its items separated by ``;``;
* a board's seats, its functions and its declarations of interest are rows of their own sheets,
  keyed by the board's id in the ``board`` column (seats in row order, numbered in ``seat``);
* the system's finance is the one row of *Finance*, keyed by the system's id;
* ``evidence`` cites evidence items by id, separated by ``;``; a citation with the words it rests
  on (``{id, quote, locator}``) is a row of *Citations*, naming the sheet and the id (and, for a
  seat, the seat number) of what cites it.  A claim's evidence is its ``evidence`` cell's ids,
  then its *Citations* rows in row order;
* a self-assessment's stage per domain and RAG per arrangement are one column each
  (``maturity.<domain>``, ``coa.<arrangement>``).

A blank cell is not stated (unknown); for a yes/no with a default (``members_complete``) blank
is the default.  Importing reports every problem, one line each, as ``file:Sheet!C7: what is
wrong``, and writes nothing; what it writes validates and describes the same system.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import types
import warnings
import zipfile
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from pydantic import BaseModel, ValidationError

from . import __version__, model
from .errors import InputError, Location
from .fixture import COUNCIL_KINDS, Fixture, _check_references
from .validation import data_path, validate
from .workbook import CELL_LIMIT, ILLEGAL
from .yamlsource import PathKey, SourceMap, parse_yaml, read_limited

#: Document date of a blank template (a workbook needs one; this keeps it byte-identical).
TEMPLATE_DATE = dt.date(2000, 1, 1)
#: The most a workbook may expand to when read (a guard against zip bombs).
MAX_UNPACKED = 200 * 1024 * 1024
#: The largest workbook file read (a description's workbook is a few hundred kilobytes).
MAX_WORKBOOK_BYTES = 50 * 1024 * 1024
#: Rows of a template that carry the drop-down lists (at least; more when a description needs them).
VALIDATED_ROWS = 1000
NOTES, LISTS = "Notes", "Lists"


# -- the shape of a model field, read from its annotation ------------------------------------

_LITERAL_NAMES = {get_args(value): name for name, value in vars(model).items() if get_origin(value) is Literal}
#: How the lists of values are named to people (else their model names, in words).
_LIST_NAMES = {"OrgKind": "organisation kind", "Rag": "RAG level", "PartialList": "list name", "CoaKind": "operating arrangement", "Domain": "maturity domain"}


def _words(name: str) -> str:
    return _LIST_NAMES.get(name) or re.sub(r"(?<!^)([A-Z])", r" \1", name).lower()


def _a(words: str) -> str:
    return ("an " if words[:1].lower() in "aeiou" else "a ") + words


@dataclass(frozen=True)
class Shape:
    """What a cell holds: ``text``, ``id``, ``integer``, ``number``, ``yesno``, ``date``, ``choice``,
    ``list`` (of ids or choices, ``;``-separated), ``evidence``; or, never a cell, ``model``,
    ``models``, ``texts``, ``mapping`` and ``other``."""

    kind: str
    choices: tuple[str, ...] = ()
    name: str = ""
    item: Shape | None = None
    key: Shape | None = None
    model: Any = None


def _constraint(metadata: list, name: str) -> Any:
    for item in metadata:
        if getattr(item, name, None) is not None:
            return getattr(item, name)
    return None


def shape_of(annotation: Any, metadata: list | None = None) -> Shape:
    metadata = list(metadata or [])
    origin = get_origin(annotation)
    if origin is Annotated:
        annotation, *extra = get_args(annotation)
        return shape_of(annotation, metadata + extra)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return shape_of(args[0], metadata) if len(args) == 1 else Shape("other")
    if origin is Literal:
        values = get_args(annotation)
        return Shape("choice", tuple(str(v) for v in values), _words(_LITERAL_NAMES.get(values, "value")))
    if origin is list:
        item = shape_of(get_args(annotation)[0])
        if item.kind in ("id", "choice"):
            return Shape("list", item=item)
        if item.kind == "model":
            return Shape("models", model=item.model)
        return Shape("texts") if item.kind == "text" else Shape("other")
    if origin is dict:
        key, value = (shape_of(a) for a in get_args(annotation))
        return Shape("mapping", key=key, item=value) if key.kind == value.kind == "choice" else Shape("other")
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return Shape("yesno")
        if issubclass(annotation, Enum):
            return Shape("choice", tuple(str(m.value) for m in annotation), _words(annotation.__name__))
        if issubclass(annotation, BaseModel):
            return Shape("model", model=annotation)
        if issubclass(annotation, int):
            return Shape("integer")
        if issubclass(annotation, float):
            return Shape("number")
        if issubclass(annotation, dt.date) and not issubclass(annotation, dt.datetime):
            return Shape("date")
        if issubclass(annotation, str):
            return Shape("id") if _constraint(metadata, "pattern") else Shape("text")
    return Shape("other")


# -- the layout ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    header: str
    field: str | None  # the model field; None for a sheet's key columns (board, seat, ...)
    shape: Shape
    required: bool
    note: str
    key: str | None = None  # for a mapping's column: the key it holds
    default: Any = None


@dataclass(frozen=True)
class Sheet:
    name: str
    note: str
    columns: tuple[Column, ...]
    model: type[BaseModel] | None = None
    top: str | None = None  # the description's list it holds (evidence, organisations, ...)
    owner: str | None = None  # "system" or "board": the key column naming what a row belongs to

    def column(self, header: str) -> Column | None:
        return next((c for c in self.columns if c.header == header), None)


#: Fields held on a sheet of their own, not as columns.
OWN_SHEETS = {
    (model.SystemInfo, "finance"): "Finance",
    (model.Board, "functions"): "Board functions",
    (model.Board, "members"): "Board members",
    (model.Board, "declarations_of_interest"): "Declarations of interest",
}
#: Top-level keys of a description and the sheets that hold them.
TOP_SHEETS = {
    "evidence": "Evidence",
    "organisations": "Organisations",
    "places": "Places",
    "neighbourhoods": "Neighbourhoods",
    "collaboratives": "Collaboratives",
    "boards": "Boards",
    "arrangements": "Arrangements",
    "attestations": "Attestations",
    "self_assessments": "Self-assessments",
}

_NOTES = {
    "id": "Its id: lower-case letters, digits, '.', '_' or '-', unique across the whole description; other sheets name it by this id",
    "name": "Its name, as the sources give it",
    "kind": "What it is (drop-down list)",
    "ods_code": "ODS code, where the sources give it",
    "ons_code": "ONS code, where the sources give it",
    "region": "NHS England region",
    "population": "Resident population (a whole number); blank: not stated",
    "registered_population": "Registered (GP list) population; blank: not stated",
    "assessment_date": "The date the description describes the system as of",
    "title": "Its title",
    "publisher": "Who published it",
    "date": "Its date",
    "url": "Where it is published",
    "note": "A note on how it was read",
    "councils": "Ids of the councils (Organisations) that make up the place",
    "place": "Id of the place (Places sheet)",
    "pcn": "Id of the primary care network (an organisation of kind pcn)",
    "lead": "Id of the lead organisation (one of the members)",
    "status": "Delivery status (drop-down list), from none to achieved; blank: not stated",
    "collaborative": "Id of the provider collaborative (Collaboratives sheet)",
    "sits_in_public": "Does it meet in public?",
    "joint_decision_making_with_local_government": "Does it take decisions jointly with local government?",
    "scheme_of_delegation": "Does it have a scheme of delegation?",
    "risk_share_mechanism": "Does it have a risk-share mechanism?",
    "mutual_accountability": "Are its members mutually accountable through it?",
    "role": "The seat's role (drop-down list)",
    "organisation": "Id of the organisation holding the seat",
    "person": "Who holds it",
    "as_of": "The date the status or assessment is as of",
    "statement": "What the system states, in the source's words where possible",
    "criterion": "The judgement criterion attested (drop-down list)",
    "label": "How the source names this assessment",
    "in_financial_balance": "Is the system in financial balance?",
    "recovery_trajectory_agreed": "Is a financial recovery trajectory collectively agreed?",
    "control_total_plan_credible": "Is the plan to meet the control total credible?",
    "control_total_met": "Was the control total met?",
    "financial_risk_shared": "Is financial risk shared across the system?",
    "asked_each_meeting": "Are declarations of interest asked for at each meeting?",
    "recorded_in_minutes": "Are they recorded in the minutes?",
    "chair_decision_recorded": "Is the chair's decision on each recorded?",
}
_FORMAT = {
    "text": "text",
    "id": "an id",
    "integer": "a whole number",
    "number": "a number",
    "yesno": "yes or no (drop-down list)",
    "date": "a date, YYYY-MM-DD",
    "choice": "one value of the drop-down list",
    "evidence": "evidence ids separated by ';'",
}


def _note(model_class: type[BaseModel], name: str) -> str:
    described = model_class.model_fields[name].description
    return described or _NOTES.get(name, name.replace("_", " ").capitalize())


def _columns(model_class: type[BaseModel], unplaced: list[str]) -> list[Column]:
    columns: list[Column] = []
    evidence: Column | None = None
    for name, info in model_class.model_fields.items():
        if (model_class, name) in OWN_SHEETS:
            continue
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        if name == "evidence" and issubclass(model_class, model.Cited):
            note = "Evidence items cited: their ids separated by ';'; a citation with a quote or locator is a row of Citations"
            evidence = Column("evidence", name, Shape("evidence"), False, note)
            continue
        shape = shape_of(info.annotation, info.metadata)
        if shape.kind == "mapping":
            for key in shape.key.choices:  # type: ignore[union-attr]
                columns.append(Column(f"{name}.{key}", name, shape.item, False, f"{_note(model_class, name)}: {key}", key=key))  # type: ignore[arg-type]
        elif shape.kind in ("text", "id", "integer", "number", "yesno", "date", "choice", "list"):
            columns.append(Column(name, name, shape, info.is_required(), _note(model_class, name), default=default))
        else:
            unplaced.append(f"{model_class.__name__}.{name}")
    if evidence:
        columns.append(evidence)
    return columns


def _key(header: str, shape: str, note: str, required: bool = True) -> Column:
    return Column(header, None, Shape(shape), required, note)


def _layout() -> tuple[tuple[Sheet, ...], tuple[str, ...]]:
    unplaced: list[str] = []
    m = model

    def own(name: str, model_class, note: str, top: str | None = None, keys: tuple[Column, ...] = (), owner: str | None = None) -> Sheet:
        return Sheet(name, note, (*keys, *_columns(model_class, unplaced)), model_class, top, owner)

    board = _key("board", "id", "Id of the board (Boards sheet) the row belongs to")
    sheets = (
        own("System", m.SystemInfo, "The system: exactly one row."),
        own("Finance", m.Finance, "The system's financial position: at most one row; leave the sheet empty when the sources give none.",
            keys=(_key("system", "id", "The system's id (as on the System sheet)"),), owner="system"),
        own("Evidence", m.EvidenceItem, "The documents the description rests on: one row each; claims cite them by id.", "evidence"),
        own("Organisations", m.Organisation, "Organisations of the system: one row each.", "organisations"),
        own("Places", m.Place, "Places: one row each.", "places"),
        own("Neighbourhoods", m.Neighbourhood, "Neighbourhoods: one row each.", "neighbourhoods"),
        own("Collaboratives", m.Collaborative, "Provider collaboratives: one row each.", "collaboratives"),
        own("Boards", m.Board, "Boards, partnerships and groups: one row each; their seats, functions and declarations of interest are on sheets of their own.", "boards"),
        own("Board members", m.Seat, "A board's seats: one row each, keyed by the board's id, in the board's order. A board with no seat listed has an unknown membership, not an empty one.",
            keys=(board, _key("seat", "integer", "The seat's number within its board (1, 2, ...): Citations name a seat by it", required=False)), owner="board"),
        Sheet("Board functions", "Functions a board decides jointly: one row each, keyed by the board's id, in order.",
              (board, Column("function", None, Shape("text"), True, "One function it decides jointly")), owner="board"),
        own("Declarations of interest", m.DeclarationsOfInterest, "How a board handles declarations of interest: at most one row per board.",
            keys=(board,), owner="board"),
        own("Arrangements", m.Arrangement, "Plans and operating arrangements: one row each.", "arrangements"),
        own("Attestations", m.Attestation, "Judgement criteria the system attests to: one row each, with at least one evidence item.", "attestations"),
        own("Self-assessments", m.SelfAssessment, "The system's own published assessments: one row each, a column per domain and per arrangement.", "self_assessments"),
    )
    partial = shape_of(m.SystemDescription.model_fields["partial_lists"].annotation).item
    citing = tuple(s.name for s in sheets if s.column("evidence"))
    sheets += (
        Sheet("Partial lists", "Lists of this description that name only some of what the system has: counts over them are lower bounds.",
              (Column("list", None, partial, True, "The list given in part"),)),  # type: ignore[arg-type]
        Sheet("Citations", "Citations with the words a claim rests on: one row per citation, naming what cites it.", (
            Column("sheet", None, Shape("choice", citing, "citing sheet"), True, "The sheet of the claim that cites (drop-down list)"),
            _key("id", "id", "The id of the claim that cites: for System and Finance the system's id; for Board members and Declarations of interest the board's id"),
            _key("seat", "integer", "For Board members: the seat's number", required=False),
            _key("evidence", "id", "Id of the evidence item cited (Evidence sheet)"),
            Column("quote", None, Shape("text"), False, "A short verbatim passage of the document"),
            Column("locator", None, Shape("text"), False, "Where in the document: section, page, table row"),
        )),
    )
    for fld in m.SystemDescription.model_fields:
        if fld not in ("schema_version", "system", "partial_lists", *TOP_SHEETS):
            unplaced.append(f"SystemDescription.{fld}")
    return sheets, tuple(unplaced)


SHEETS, UNPLACED = _layout()
BY_NAME = {s.name: s for s in SHEETS}


def unplaced_fields() -> tuple[str, ...]:
    """Model fields the workbook has no place for (a test holds this empty)."""
    return UNPLACED


# -- writing: a template, or a description's workbook ---------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="005EB8")
HEADER_FONT = Font(bold=True, color="FFFFFF")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


def put(ws: Worksheet, row: int, column: int, value: Any):
    """Write one value: text always as a string cell (never a formula), dates with a date format."""
    cell = ws.cell(row=row, column=column)
    if value is None:
        return cell
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # '=1+1', '+x', '-x', '@x' stay text
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, dt.datetime):
        raise TypeError("write dates, not times")
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, (int, float)):
        cell.value = value
    else:
        raise TypeError(f"cannot write {type(value).__name__}")
    return cell


def save(wb: Workbook, when: dt.date, title: str) -> bytes:
    """The workbook as bytes, the same for the same content: fixed properties, and the zip archive
    rewritten with the document's date on every entry, in openpyxl's own (stable) order."""
    stamp = dt.datetime.combine(max(when, dt.date(1980, 1, 1)), dt.time())
    props = wb.properties
    props.creator = props.lastModifiedBy = f"icscheck {__version__}"
    props.title = title
    props.created = props.modified = stamp
    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()  # closes the archive; unlike save_workbook, leaves 'modified' alone
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename), compresslevel=6)
    return out.getvalue()


def _choice_sets() -> dict[str, tuple[str, ...]]:
    sets: dict[str, tuple[str, ...]] = {}
    for sheet in SHEETS:
        for column in sheet.columns:
            shape = column.shape.item if column.shape.kind == "list" else column.shape
            if shape is not None and shape.kind == "choice":
                sets.setdefault(shape.name, shape.choices)
    return sets


def _format(column: Column) -> str:
    shape = column.shape
    if shape.kind == "list":
        return f"{shape.item.name}s from the Lists sheet, separated by ';'" if shape.item.kind == "choice" else "ids separated by ';'"  # type: ignore[union-attr]
    if shape.kind == "choice":
        return f"one {shape.name} (drop-down list)"
    text = _FORMAT[shape.kind]
    if shape.kind == "yesno" and column.default is not None:
        text += f"; blank: {'yes' if column.default else 'no'}"
    return text


_WIDTH = {"text": 40, "id": 24, "integer": 14, "number": 12, "yesno": 11, "date": 13, "choice": 26, "list": 34, "evidence": 30}


def _clean(value: str, where: Location) -> str:
    bad = ILLEGAL.search(value) or re.search("\r", value)
    if bad:
        raise InputError(where, f"holds a character a workbook cannot keep (U+{ord(bad.group()):04X}); remove it to export to a workbook")
    if len(value) > CELL_LIMIT:
        raise InputError(where, f"is longer than a workbook cell can hold ({len(value)} characters, at most {CELL_LIMIT})")
    return value


def _cell_value(column: Column, value: Any, where: Location) -> Any:
    if value is None:
        return None
    kind = column.shape.kind
    if kind == "yesno":
        return "yes" if value else "no"
    if kind == "list":
        return "; ".join(str(v) for v in value) or None
    if isinstance(value, str):
        return _clean(value, where)
    if isinstance(value, float) and float("%.16g" % value) != value:
        return repr(value)  # a workbook keeps 16 digits; as text, every digit comes back
    return value


class _Rows:
    """The rows of every sheet, and the citations, of one description."""

    def __init__(self, fixture: Fixture):
        self.fixture = fixture
        self.rows: dict[str, list[list[Any]]] = {s.name: [] for s in SHEETS}

    def add(self, sheet_name: str, obj: BaseModel, path: PathKey, keys: dict[str, Any], cite_id: str, seat: int | None = None) -> None:
        sheet = BY_NAME[sheet_name]
        placed = {c.field for c in sheet.columns} | {f for (m, f) in OWN_SHEETS if isinstance(obj, m)}
        for name in type(obj).model_fields:
            if name not in placed and getattr(obj, name) not in (None, [], {}):
                where = self.fixture.source.location(path + (name,))
                raise InputError(where, f"'{name}' has no column in the workbook, so it would be lost; it cannot be exported")
        row: list[Any] = []
        for column in sheet.columns:
            if column.field is None:
                row.append(keys.get(column.header))
                continue
            where = self.fixture.source.location(path + (column.field,))
            if column.shape.kind == "evidence":
                citations = obj.citations  # type: ignore[attr-defined]
                if all(c.quote is None and c.locator is None for c in citations):
                    row.append("; ".join(c.id for c in citations) or None)
                else:
                    row.append(None)
                    for index, c in enumerate(citations):
                        at = self.fixture.source.location(path + ("evidence", index))
                        self.rows["Citations"].append(
                            [sheet_name, cite_id, seat, c.id, None if c.quote is None else _clean(c.quote, at),
                             None if c.locator is None else _clean(c.locator, at)]
                        )
                continue
            value = getattr(obj, column.field)
            if column.key is not None:
                value = value.get(column.key)
            row.append(_cell_value(column, value, where))
        self.rows[sheet_name].append(row)


def description_rows(fixture: Fixture) -> dict[str, list[list[Any]]]:
    """Every sheet's rows for a description; a value a workbook cannot hold is an InputError at its line."""
    desc = fixture.description
    out = _Rows(fixture)
    system = desc.system
    out.add("System", system, ("system",), {}, system.id)
    if system.finance is not None:
        out.add("Finance", system.finance, ("system", "finance"), {"system": system.id}, system.id)
    for key, sheet_name in TOP_SHEETS.items():
        for index, item in enumerate(getattr(desc, key)):
            path = (key, index)
            out.add(sheet_name, item, path, {}, item.id)
            if key != "boards":
                continue
            for number, seat in enumerate(item.members, start=1):
                out.add("Board members", seat, path + ("members", number - 1), {"board": item.id, "seat": number}, item.id, number)
            for f_index, function in enumerate(item.functions):
                out.rows["Board functions"].append([item.id, _clean(function, fixture.source.location(path + ("functions", f_index)))])
            if item.declarations_of_interest is not None:
                out.add("Declarations of interest", item.declarations_of_interest, path + ("declarations_of_interest",), {"board": item.id}, item.id)
    out.rows["Partial lists"] = [[name] for name in desc.partial_lists]
    return out.rows


def template_workbook(fixture: Fixture | None = None) -> bytes:
    """A workbook to fill in: every sheet with its headers, drop-down lists and notes; with a
    description, its sheets filled with it (import gives the same description back)."""
    rows = description_rows(fixture) if fixture else {s.name: [] for s in SHEETS}
    wb = Workbook()
    notes = wb.active
    notes.title = NOTES
    sets = _choice_sets()
    lists = {name: get_column_letter(i) for i, name in enumerate(sets, start=1)}
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        data = rows[sheet.name]
        for index, column in enumerate(sheet.columns, start=1):
            cell = put(ws, 1, index, column.header)
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
            width = 44 if column.header in ("name", "title", "statement", "quote", "note", "section") else _WIDTH[column.shape.kind]
            ws.column_dimensions[get_column_letter(index)].width = width
        for r, values in enumerate(data, start=2):
            for c, value in enumerate(values, start=1):
                put(ws, r, c, value).alignment = WRAP if isinstance(value, str) and len(value) > 40 else TOP
        last = max(VALIDATED_ROWS, len(data) + 1)
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            if column.shape.kind == "choice":
                values = lists[column.shape.name]
                formula = f"{LISTS}!${values}$2:${values}${len(column.shape.choices) + 1}"
                message = f"Choose {_a(column.shape.name)} from the list (the {LISTS} sheet has them all)."
            elif column.shape.kind == "yesno":
                formula, message = '"yes,no"', "Choose yes or no; leave it blank when the sources do not say."
            else:
                continue
            check = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True, errorTitle=column.header[:32], error=message[:255])  # Excel's limits
            check.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(check)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{len(data) + 1}"
    ws = wb.create_sheet(LISTS)
    for name, letter in lists.items():
        column = ws[letter + "1"].column
        cell = put(ws, 1, column, name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[letter].width = max(14, max(len(v) for v in sets[name]) + 2)
        for r, value in enumerate(sets[name], start=2):
            put(ws, r, column, value)
    ws.freeze_panes = "A2"
    _notes(notes)
    when = fixture.description.system.assessment_date if fixture else TEMPLATE_DATE
    title = f"icscheck description: {fixture.description.system.name}" if fixture else "icscheck description template"
    return save(wb, when, title)


GENERAL_NOTES = (
    ("(every sheet)", "", "", "", "Row 1 holds the column names; each row below is one item. Columns may be in any order and optional ones left out; a column or sheet the workbook does not know is an error."),
    ("(every sheet)", "", "", "", "A blank cell is not stated: unknown, never invented. A rule that needs it reports 'not evidenced', never a gap."),
    ("(every sheet)", "", "", "", "Lists of ids or of values are one cell, separated by ';'. Dates are YYYY-MM-DD (or Excel dates). yes/no cells take yes or no."),
    ("(every sheet)", "", "", "", "Evidence: a claim's 'evidence' cell lists the ids of the evidence items it cites; a citation with the words it rests on (quote, locator) is a row of Citations naming the sheet and id of the claim (and, for a seat, its number). A claim's evidence is its cell's ids, then its Citations rows in order."),
    ("(every sheet)", "", "", "", "A board's seats, functions and declarations of interest are rows of their own sheets, keyed by the board's id; the system's finance is the one row of Finance."),
    ("(every sheet)", "", "", "", "Type values, not formulas: a formula is an error. Text starting with = + - or @ is kept as text."),
    ("(every sheet)", "", "", "", "icscheck import WORKBOOK --output FILE.yaml turns the workbook into a description; every problem is reported as file:Sheet!C7, and nothing is written until there is none."),
)


def _notes(ws) -> None:
    headers = ("sheet", "column", "required", "what to write", "meaning")
    for index, (name, width) in enumerate(zip(headers, (24, 34, 10, 40, 90)), start=1):
        cell = put(ws, 1, index, name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[get_column_letter(index)].width = width
    rows: list[tuple[str, str, str, str, str]] = list(GENERAL_NOTES)
    for sheet in SHEETS:
        rows.append((sheet.name, "", "", "", sheet.note))
        for column in sheet.columns:
            rows.append((sheet.name, column.header, "yes" if column.required else "", _format(column), column.note))
    rows.append((LISTS, "", "", "", "The values of the drop-down lists, from the description schema (src/icscheck/model.py)."))
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            put(ws, r, c, value or None).alignment = WRAP if c == 5 else TOP
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:E{len(rows) + 1}"


# -- reading ---------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Where:
    """A place in the workbook: a sheet, and optionally a row and column (1-based)."""

    order: int
    row: int
    column: int
    sheet: str

    def __str__(self) -> str:
        if not self.row:
            return self.sheet
        return f"{self.sheet}!{get_column_letter(self.column) if self.column else ''}{self.row}"


class WorkbookErrors(InputError):
    """Every problem found in a workbook, each with its cell."""

    def __init__(self, file: str, problems: list[tuple[Where, str]]):
        self.problems = [f"{file}:{where}: {message}" for where, message in sorted(set(problems), key=lambda p: (p[0], p[1]))]
        first, _, rest = self.problems[0].partition(": ")
        super().__init__(first, rest)

    @property
    def lines(self) -> list[str]:
        return list(self.problems)


_ORDER = {name: i for i, name in enumerate(s.name for s in SHEETS)}
_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _Reader:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[tuple[Where, str]] = []
        self.cells: dict[PathKey, Where] = {}

    def where(self, sheet: str, row: int = 0, column: int = 0) -> Where:
        return Where(_ORDER.get(sheet, len(_ORDER)), row, column, sheet)

    def problem(self, where: Where, message: str) -> None:
        self.problems.append((where, message))

    def cell_of(self, path: PathKey) -> Where | None:
        path = tuple(path)
        while path:
            if path in self.cells:
                return self.cells[path]
            path = path[:-1]
        return None

    # one value ------------------------------------------------------------------------------
    def convert(self, shape: Shape, value: Any, where: Where) -> Any:
        kind = shape.kind
        if kind in ("text", "id", "evidence"):
            if isinstance(value, bool):
                return self.problem(where, "expected text, not a yes/no (TRUE/FALSE) value")
            if isinstance(value, dt.datetime):
                return self.problem(where, "Excel read this as a date; type it as text (start it with an apostrophe)")
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if kind == "evidence":
                return self.split(Shape("list", item=Shape("id")), str(value), where)
            return str(value)
        if kind == "integer":
            if isinstance(value, bool):
                return self.problem(where, "expected a whole number")
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, int):
                return value
            text = str(value).replace(",", "").replace(" ", "")
            if re.fullmatch(r"[+-]?\d+", text):
                return int(text)
            return self.problem(where, f"'{value}' is not a whole number")
        if kind == "number":
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
            try:
                return float(str(value).replace(",", ""))
            except ValueError:
                return self.problem(where, f"'{value}' is not a number")
        if kind == "yesno":
            if isinstance(value, bool):
                return value
            if isinstance(value, (int, float)) and value in (0, 1):
                return bool(value)
            text = str(value).lower()
            if text in _YES or text in _NO:
                return text in _YES
            return self.problem(where, f"'{value}' is not yes or no")
        if kind == "date":
            if isinstance(value, dt.datetime):
                if value.time() != dt.time():
                    return self.problem(where, "expected a date without a time")
                return value.date()
            if isinstance(value, dt.date):
                return value
            text = str(value)
            if isinstance(value, str) and _DATE.match(text):
                try:
                    return dt.date.fromisoformat(text)
                except ValueError:
                    pass
            return self.problem(where, f"'{value}' is not a date (YYYY-MM-DD)")
        if kind == "choice":
            text = str(value)
            if text in shape.choices:
                return text
            listed = ", ".join(shape.choices) if len(shape.choices) <= 12 else f"see the {LISTS} sheet"
            return self.problem(where, f"'{text}' is not {_a(shape.name)} ({listed})")
        if kind == "list":
            return self.split(shape, str(value), where)
        raise AssertionError(kind)  # pragma: no cover

    def split(self, shape: Shape, text: str, where: Where) -> list[str]:
        items = [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]
        item = shape.item
        if item is not None and item.kind == "choice":
            bad = [i for i in items if i not in item.choices]
            for value in bad:
                listed = ", ".join(item.choices) if len(item.choices) <= 12 else f"see the {LISTS} sheet"
                self.problem(where, f"'{value}' is not {_a(item.name)} ({listed})")
            items = [i for i in items if i in item.choices]
        return items


@dataclass
class _Row:
    number: int
    values: dict[str, Any]  # header -> converted value (None: blank)
    cells: dict[str, Where]
    first: Where


def _open(raw: bytes, name: str):
    if not raw:
        raise InputError(name, "the file is empty")
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise InputError(name, "not an Excel workbook (.xlsx): it is not a zip archive")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(name, f"not an Excel workbook (.xlsx): {exc}") from None
    if unpacked > MAX_UNPACKED:
        raise InputError(name, f"unpacks to {unpacked // (1024 * 1024)} MB; a description's workbook is far smaller")
    try:
        with warnings.catch_warnings():  # e.g. "Data Validation extension is not supported": not the user's problem
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(raw), data_only=False)
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl cannot read is not a workbook it can import
        raise InputError(name, f"not an Excel workbook (.xlsx) that can be read: {' '.join(str(exc).split()) or type(exc).__name__}") from None


def _sheet_rows(reader: _Reader, ws, sheet: Sheet) -> list[_Row]:
    headers: dict[int, Column] = {}
    seen: dict[str, int] = {}
    blank_headers: list[int] = []
    width = ws.max_column
    for index in range(1, width + 1):
        cell = ws.cell(row=1, column=index)
        text = cell.value.strip() if isinstance(cell.value, str) else cell.value
        where = reader.where(sheet.name, 1, index)
        if text is None or text == "":
            blank_headers.append(index)
            continue
        column = sheet.column(str(text))
        if column is None:
            known = ", ".join(c.header for c in sheet.columns)
            reader.problem(where, f"unknown column '{text}'; this sheet's columns are: {known}")
        elif column.header in seen:
            reader.problem(where, f"column '{text}' is given twice (first in column {get_column_letter(seen[column.header])})")
        else:
            seen[column.header] = index
            headers[index] = column
    absent = reader.where(sheet.name, 1, 0)
    for column in sheet.columns:
        if column.required and column.header not in seen:
            reader.problem(absent, f"no column '{column.header}' (required)")
    rows = []
    for r in range(2, ws.max_row + 1):
        values: dict[str, Any] = {}
        cells: dict[str, Where] = {}
        bad: set[str] = set()
        filled = False
        for index in range(1, width + 1):
            cell = ws.cell(row=r, column=index)
            where = reader.where(sheet.name, r, index)
            value = cell.value
            if isinstance(value, str):
                value = value.strip() or None
            if value is None:
                if index in headers:
                    cells[headers[index].header] = where
                continue
            filled = True
            if index in headers:
                cells[headers[index].header] = where
                bad.add(headers[index].header)  # until it converts
            if cell.data_type == "f":
                reader.problem(where, "holds a formula; type the value itself")
                continue
            if cell.data_type == "e":
                reader.problem(where, f"holds an error value ({value}); type the value itself")
                continue
            if index not in headers:
                if index in blank_headers:
                    reader.problem(where, "a value in a column with no name in row 1")
                continue
            column = headers[index]
            values[column.header] = reader.convert(column.shape, value, where)
            if values[column.header] is not None:
                bad.discard(column.header)  # a bad value is reported as such, not also as a missing one
        if filled:
            first = reader.where(sheet.name, r, 1)
            for column in sheet.columns:
                if column.required and column.header in seen and values.get(column.header) is None and column.header not in bad:
                    reader.problem(cells.get(column.header, first), f"'{column.header}' is required")
            for column in sheet.columns:
                if column.required and column.header not in seen:
                    cells[column.header] = absent  # reported once, for the sheet
            rows.append(_Row(r, values, cells, first))
    return rows


def _record(sheet: Sheet, row: _Row, reader: _Reader, path: PathKey) -> dict[str, Any]:
    """A row as the description's mapping (blank cells left out), its cells remembered by path."""
    record: dict[str, Any] = {}
    reader.cells[path] = row.first
    for column in sheet.columns:
        if column.field is None:
            continue
        where = row.cells.get(column.header)
        value = row.values.get(column.header)
        if column.key is not None:
            if where is not None:
                reader.cells[path + (column.field, column.key)] = where
            if value is not None:
                record.setdefault(column.field, {})[column.key] = value
            continue
        if where is not None:
            reader.cells[path + (column.field,)] = where
        if value is None or value == []:
            continue
        record[column.field] = value
        if column.shape.kind == "evidence" and where is not None:
            for index in range(len(value)):
                reader.cells[path + ("evidence", index)] = where
    return record


def read_description(path: Path | str, display_name: str | None = None) -> tuple[dict[str, Any], _Reader]:
    """A filled workbook as description data, with every problem found (not raised)."""
    path = Path(path)
    name = display_name or str(path)
    wb = _open(read_limited(path, name, MAX_WORKBOOK_BYTES, "workbook"), name)
    reader = _Reader(name)
    rows: dict[str, list[_Row]] = {}
    for ws in wb.worksheets:
        if ws.title in (NOTES, LISTS):
            continue
        sheet = BY_NAME.get(ws.title)
        if sheet is None:
            reader.problem(reader.where(ws.title), f"unknown sheet; the sheets are: {', '.join(s.name for s in SHEETS)} (and {NOTES}, {LISTS})")
            continue
        rows[sheet.name] = _sheet_rows(reader, ws, sheet)
    data: dict[str, Any] = {"schema_version": model.SCHEMA_VERSION}

    system_rows = rows.get("System", [])
    if "System" not in rows:
        reader.problem(reader.where("System"), "no such sheet: a description needs its system (id, name, assessment_date)")
    elif not system_rows:
        reader.problem(reader.where("System", 2, 1), "no row: a description needs its system (id, name, assessment_date)")
    for extra in system_rows[1:]:
        reader.problem(extra.first, "one row only: a description is of one system")
    system: dict[str, Any] = _record(BY_NAME["System"], system_rows[0], reader, ("system",)) if system_rows else {}
    data["system"] = system
    system_id = system.get("id")
    targets: dict[tuple[str, str, int | None], tuple[dict[str, Any], PathKey]] = {}
    if system_rows:
        targets[("System", str(system_id), None)] = (system, ("system",))

    for index, row in enumerate(rows.get("Finance", [])):
        if index:
            reader.problem(row.first, "one row only: the system has one financial position")
            continue
        key = row.values.get("system")
        if key is not None and system_id is not None and key != system_id:
            reader.problem(row.cells["system"], f"'{key}' is not the system's id ('{system_id}')")
        system["finance"] = _record(BY_NAME["Finance"], row, reader, ("system", "finance"))
        targets[("Finance", str(system_id), None)] = (system["finance"], ("system", "finance"))

    boards: dict[str, tuple[int, dict[str, Any]]] = {}
    for key, sheet_name in TOP_SHEETS.items():
        items = []
        for index, row in enumerate(rows.get(sheet_name, [])):
            record = _record(BY_NAME[sheet_name], row, reader, (key, index))
            items.append(record)
            rid = record.get("id")
            if isinstance(rid, str):
                targets.setdefault((sheet_name, rid, None), (record, (key, index)))
                if key == "boards":
                    boards.setdefault(rid, (index, record))
        if items:
            data[key] = items

    def board_of(row: _Row, sheet_name: str) -> tuple[int, dict[str, Any]] | None:
        key = row.values.get("board")
        if key is None:
            return None
        if key not in boards:
            reader.problem(row.cells["board"], f"no board '{key}' on the Boards sheet")
            return None
        return boards[key]

    seats: dict[str, set[int]] = {}
    for row in rows.get("Board members", []):
        found = board_of(row, "Board members")
        if found is None:
            continue
        b, board = found
        members = board.setdefault("members", [])
        seat_path = ("boards", b, "members", len(members))
        members.append(_record(BY_NAME["Board members"], row, reader, seat_path))
        number = row.values.get("seat")
        if number is not None:
            if number < 1:
                reader.problem(row.cells["seat"], "a seat number is 1 or more")
            elif number in seats.setdefault(board["id"], set()):
                reader.problem(row.cells["seat"], f"seat {number} of board '{board['id']}' is given twice")
            else:
                seats[board["id"]].add(number)
                targets[("Board members", board["id"], number)] = (members[-1], seat_path)
    for row in rows.get("Board functions", []):
        found = board_of(row, "Board functions")
        if found is None:
            continue
        b, board = found
        functions = board.setdefault("functions", [])
        reader.cells[("boards", b, "functions", len(functions))] = row.cells.get("function", row.first)
        functions.append(row.values.get("function"))
    for row in rows.get("Declarations of interest", []):
        found = board_of(row, "Declarations of interest")
        if found is None:
            continue
        b, board = found
        if "declarations_of_interest" in board:
            reader.problem(row.cells["board"], f"board '{board['id']}' already has its declarations of interest on an earlier row")
            continue
        path = ("boards", b, "declarations_of_interest")
        board["declarations_of_interest"] = _record(BY_NAME["Declarations of interest"], row, reader, path)
        targets[("Declarations of interest", board["id"], None)] = (board["declarations_of_interest"], path)

    partial = [row.values["list"] for row in rows.get("Partial lists", []) if row.values.get("list") is not None]
    for index, row in enumerate(rows.get("Partial lists", [])):
        reader.cells[("partial_lists", index)] = row.cells.get("list", row.first)
    if partial:
        data["partial_lists"] = partial

    for row in rows.get("Citations", []):
        sheet_name, rid, seat, cited = (row.values.get(k) for k in ("sheet", "id", "seat", "evidence"))
        if sheet_name is None or rid is None or cited is None:
            continue  # reported as required
        if sheet_name == "Board members" and seat is None:
            reader.problem(row.cells["seat"] if "seat" in row.cells else row.first, "a citation by a seat names its number in 'seat'")
            continue
        if sheet_name != "Board members" and seat is not None:
            reader.problem(row.cells["seat"], "only a citation by a seat (sheet Board members) names a seat")
            continue
        target = targets.get((sheet_name, rid, seat))
        if target is None:
            what = f"seat {seat} of board '{rid}'" if seat is not None else f"row with id '{rid}'" if sheet_name not in ("Finance", "Declarations of interest") else f"row for '{rid}'"
            reader.problem(row.cells["id"], f"the {sheet_name} sheet has no {what}")
            continue
        record, path = target
        evidence = record.setdefault("evidence", [])
        entry: dict[str, Any] | str = {"id": cited, **{k: row.values[k] for k in ("quote", "locator") if row.values.get(k) is not None}}
        if len(entry) == 1:
            entry = cited
        base = path + ("evidence", len(evidence))
        reader.cells[base] = row.cells["evidence"]
        for k in ("quote", "locator"):
            if k in row.cells:
                reader.cells[base + (k,)] = row.cells[k]
        evidence.append(entry)
    return data, reader


# -- checking what was read ----------------------------------------------------------------------

def _message(error: dict, path: PathKey) -> str:
    kind = error["type"]
    if kind == "missing":
        return f"'{path[-1]}' is required" if path else "a value is required"
    if kind == "extra_forbidden":
        return f"unknown key '{path[-1]}'"
    if kind == "string_pattern_mismatch":
        return "not an id: use lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
    value = error.get("input")
    shown = f"'{value}': " if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""
    return f"{shown}{error['msg']}"


def _where_for(reader: _Reader, path: PathKey) -> Where:
    found = reader.cell_of(path)
    if found is not None:
        return found
    if path and path[0] in TOP_SHEETS:
        return reader.where(TOP_SHEETS[str(path[0])])
    return reader.where("System")


def _check_schema(data: dict[str, Any], reader: _Reader) -> model.SystemDescription | None:
    """Validate against the model; every error at its cell.  Without a system row (already reported),
    each item is validated on its own."""
    if data["system"]:
        parts: list[tuple[type[BaseModel], Any, PathKey]] = [(model.SystemDescription, data, ())]
    else:
        parts = [
            (model.SystemDescription.model_fields[key].annotation.__args__[0], item, (key, index))  # type: ignore[union-attr]
            for key in TOP_SHEETS for index, item in enumerate(data.get(key, []))
        ]
    reported = {where for where, _ in reader.problems}
    for model_class, part, base in parts:
        try:
            validated = model_class.model_validate(part)
        except ValidationError as exc:
            for error in exc.errors():
                path = base + data_path(part, tuple(error["loc"]))
                where = _where_for(reader, path)
                if where not in reported:  # a bad value already reported is not also called missing
                    reader.problem(where, _message(error, path))
        else:
            if model_class is model.SystemDescription:
                return validated  # type: ignore[return-value]
    return None


_LIST_SHEET = {"system": "System", **TOP_SHEETS}


def _check_links(data: dict[str, Any], reader: _Reader) -> None:
    """Every id unique; every reference to something the workbook defines, of the right kind."""
    defined: dict[str, tuple[str, Where | None]] = {}
    system = data.get("system", {})
    if isinstance(system.get("id"), str):
        defined[system["id"]] = ("system", reader.cell_of(("system", "id")))
    for key in TOP_SHEETS:
        for index, item in enumerate(data.get(key, [])):
            rid = item.get("id")
            if not isinstance(rid, str):
                continue
            where = reader.cell_of((key, index, "id"))
            if rid in defined:
                first = defined[rid][1]
                reader.problem(_where_for(reader, (key, index, "id")), f"duplicate id '{rid}' (first at {first})")
            else:
                defined[rid] = (key, where)
    orgs = {o.get("id"): o.get("kind") for o in data.get("organisations", [])}

    def expect(ref: Any, allowed: tuple[str, ...], path: PathKey, what: str) -> None:
        if not isinstance(ref, str):
            return
        if ref not in defined:
            reader.problem(_where_for(reader, path), f"unknown {what} '{ref}'")
        elif defined[ref][0] not in allowed:
            reader.problem(_where_for(reader, path), f"'{ref}' is not {'an' if what[0] in 'aeiou' else 'a'} {what} (it is on the {_LIST_SHEET[defined[ref][0]]} sheet)")

    def cites(item: dict[str, Any], base: PathKey) -> None:
        for index, entry in enumerate(item.get("evidence", []) or []):
            expect(entry["id"] if isinstance(entry, dict) else entry, ("evidence",), base + ("evidence", index), "evidence item")

    cites(system, ("system",))
    if isinstance(system.get("finance"), dict):
        cites(system["finance"], ("system", "finance"))
    for key in TOP_SHEETS:
        for index, item in enumerate(data.get(key, [])):
            cites(item, (key, index))
    for i, org in enumerate(data.get("organisations", [])):
        for j, ref in enumerate(org.get("places", [])):
            expect(ref, ("places",), ("organisations", i, "places", j), "place")
    for i, place in enumerate(data.get("places", [])):
        for j, ref in enumerate(place.get("councils", [])):
            expect(ref, ("organisations",), ("places", i, "councils", j), "organisation")
            if ref in orgs and orgs[ref] not in COUNCIL_KINDS and isinstance(orgs[ref], str):
                reader.problem(_where_for(reader, ("places", i, "councils")), f"'{ref}' is a {orgs[ref]}, not a council")
    for i, hood in enumerate(data.get("neighbourhoods", [])):
        expect(hood.get("place"), ("places",), ("neighbourhoods", i, "place"), "place")
        pcn = hood.get("pcn")
        expect(pcn, ("organisations",), ("neighbourhoods", i, "pcn"), "organisation")
        if pcn in orgs and orgs[pcn] != "pcn" and isinstance(orgs[pcn], str):
            reader.problem(_where_for(reader, ("neighbourhoods", i, "pcn")), f"'{pcn}' is a {orgs[pcn]}, not a pcn")
    for i, collab in enumerate(data.get("collaboratives", [])):
        members = collab.get("members", [])
        for j, ref in enumerate(members):
            expect(ref, ("organisations",), ("collaboratives", i, "members", j), "organisation")
        if len(set(members)) != len(members):
            reader.problem(_where_for(reader, ("collaboratives", i, "members")), "a member is listed twice")
        lead = collab.get("lead")
        expect(lead, ("organisations",), ("collaboratives", i, "lead"), "organisation")
        if isinstance(lead, str) and lead not in members:
            reader.problem(_where_for(reader, ("collaboratives", i, "lead")), f"lead '{lead}' is not one of the members")
    for i, board in enumerate(data.get("boards", [])):
        expect(board.get("place"), ("places",), ("boards", i, "place"), "place")
        expect(board.get("collaborative"), ("collaboratives",), ("boards", i, "collaborative"), "collaborative")
        if board.get("kind") == "place_partnership_board" and board.get("place") is None:
            reader.problem(_where_for(reader, ("boards", i, "place")), "a place_partnership_board must name its place")
        if board.get("kind") == "provider_collaborative_board" and board.get("collaborative") is None:
            reader.problem(_where_for(reader, ("boards", i, "collaborative")), "a provider_collaborative_board must name its collaborative")
        for j, seat in enumerate(board.get("members", [])):
            base = ("boards", i, "members", j)
            cites(seat, base)
            expect(seat.get("organisation"), ("organisations",), base + ("organisation",), "organisation")
            for k, ref in enumerate(seat.get("represents", [])):
                expect(ref, ("places", "collaboratives"), base + ("represents", k), "place or collaborative")
        if isinstance(board.get("declarations_of_interest"), dict):
            cites(board["declarations_of_interest"], ("boards", i, "declarations_of_interest"))
    for key in ("arrangements", "attestations"):
        for i, item in enumerate(data.get(key, [])):
            expect(item.get("transcribed_from"), ("self_assessments",), (key, i, "transcribed_from"), "self-assessment")
    seen: dict[tuple[str, object], Where] = {}
    for i, attestation in enumerate(data.get("attestations", [])):
        criterion = attestation.get("criterion")
        if not isinstance(criterion, str):
            continue
        expect(attestation.get("place"), ("places",), ("attestations", i, "place"), "place")
        where = _where_for(reader, ("attestations", i, "criterion"))
        key = (criterion, attestation.get("place"))
        if key in seen:
            place = f" for place '{key[1]}'" if key[1] else ""
            reader.problem(where, f"criterion '{criterion}' is already attested{place} at {seen[key]}")
        else:
            seen[key] = where


@dataclass
class _CellMap(SourceMap):
    """A source map whose locations are workbook cells (for the description's own checks)."""

    reader: Any = None

    def location(self, path: PathKey) -> Location:
        return Location(f"{self.file}:{_where_for(self.reader, tuple(path))}")


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)


def to_yaml(data: dict[str, Any], source: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return f"# Imported from the workbook {Path(source).name} by icscheck {__version__}.\n{body}"


def import_workbook(path: Path | str, display_name: str | None = None) -> str:
    """A filled workbook as the YAML of a description that validates; every problem raised at once
    as :class:`WorkbookErrors` (one line each, ``file:Sheet!C7: what is wrong``)."""
    name = display_name or str(path)
    data, reader = read_description(path, name)
    _check_links(data, reader)
    description = _check_schema(data, reader)
    if description is not None and not reader.problems:
        try:
            _check_references(description, _CellMap(name, reader=reader))
        except InputError as exc:  # a check of the description's own that the workbook's did not make
            raise WorkbookErrors(name, [(_parse_where(exc.location.file[len(name) + 1:]), exc.message)]) from None
    if reader.problems:
        raise WorkbookErrors(name, reader.problems)
    text = to_yaml(data, name)
    yaml_data, smap = parse_yaml(text, name)
    _check_references(validate(model.SystemDescription, yaml_data, smap), smap)  # what is written validates
    return text


def _parse_where(text: str) -> Where:
    sheet, _, cell = text.partition("!")
    match = re.fullmatch(r"([A-Z]*)(\d*)", cell)
    column = column_index_from_string(match.group(1)) if match and match.group(1) else 0
    row = int(match.group(2)) if match and match.group(2) else 0
    return Where(_ORDER.get(sheet, len(_ORDER)), row, column, sheet)
