"""Excel workbooks of a check: one system's (``check --format xlsx``) and a region's (``batch``).

A system's workbook has a *Summary* sheet (readiness, stage per domain with its label, RAG per
operating arrangement, findings by status and strength) and a *Findings* sheet, one row per
finding with the system's id, name, ODS code and assessment date on every row.  The regional
workbook has *Systems*, *Domains* (systems x domains), *Arrangements* (systems x arrangements),
*Common gaps* (rule x the systems with a gap there, named) and every system's *Findings*.

Every workbook is deterministic: the same inputs give byte-identical files.  The document
properties carry the assessment date (never the time of the run) and the zip archive is
rewritten with fixed entry timestamps, in openpyxl's own (stable) order.  Text from a
description is always written as text: a value starting with ``=``, ``+``, ``-`` or ``@`` is a
string cell, never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from copy import copy
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from . import __version__
from .api import Result
from .findings import STATUS_LABEL
from .frameworks import MATRIX_DOMAINS, OPERATING_ARRANGEMENTS, STAGES
from .report import COLUMNS, STRENGTHS, counts_by_strength, readiness_sentence, rulebook_note
from .scoring import MET, NOT_EVIDENCED, NOT_MET

#: The most characters a cell can hold (Excel's limit).
CELL_LIMIT = 32767
#: Characters XML 1.0 (and so a workbook) cannot hold.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
DATE_FORMAT = "yyyy-mm-dd"

# fills and fonts: Excel's own "bad", "neutral" and "good" cell styles, and a few more
_RED, _AMBER, _GREEN = ("FFC7CE", "9C0006"), ("FFEB9C", "9C5700"), ("C6EFCE", "006100")
_GREY, _BLUE, _PURPLE = ("EDEDED", "595959"), ("DDEBF7", "1F4E78"), ("E4DFEC", "5B2C6F")
STATUS_COLOURS = {
    "gap": _RED,
    "error": ("C00000", "FFFFFF"),
    "waived": _PURPLE,
    "unknown": _AMBER,
    "info": _BLUE,
    "pass": _GREEN,
    "not_applicable": _GREY,
}
STATE_COLOURS = {MET: _GREEN, NOT_MET: _RED, NOT_EVIDENCED: _AMBER}
READINESS_COLOURS = {"ready": _GREEN, "not ready": _RED, "undetermined": _AMBER}
RAG_COLOURS = {
    "G": ("00B050", "FFFFFF"),
    "GA": ("92D050", "000000"),
    "A": ("FFC000", "000000"),
    "AR": ("F4B183", "000000"),
    "R": ("FF0000", "FFFFFF"),
    None: _GREY,
}
STAGE_COLOURS = {None: _RED, "emerging": ("F8CBAD", "833C0B"), "developing": _AMBER, "maturing": _GREEN, "thriving": ("00B050", "FFFFFF")}
HEADER_FILL = PatternFill("solid", fgColor="005EB8")
HEADER_FONT = Font(bold=True, color="FFFFFF")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


# -- writing cells safely and deterministically ---------------------------------------------

def clean_text(value: str) -> str:
    """Text a cell can hold: characters XML cannot carry replaced by U+FFFD, cut at Excel's limit."""
    value = ILLEGAL.sub("\ufffd", value)
    if len(value) > CELL_LIMIT:
        value = value[: CELL_LIMIT - 12] + " [truncated]"
    return value


def put(ws: Worksheet, row: int, column: int, value: Any, *, number_format: str | None = None):
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
        cell.number_format = DATE_FORMAT
    elif isinstance(value, (int, float)):
        cell.value = value
    else:
        raise TypeError(f"cannot write {type(value).__name__}")
    if number_format:
        cell.number_format = number_format
    return cell


def put_text(ws: Worksheet, row: int, column: int, value: str | None):
    return put(ws, row, column, None if value is None else clean_text(value))


def colour(cell, pair: tuple[str, str]) -> None:
    fill, font = pair
    cell.fill = PatternFill("solid", fgColor=fill)
    cell.font = Font(color=font, bold=cell.font.bold if cell.font else False)


def header_row(ws: Worksheet, headers: Sequence[str], widths: Sequence[float], row: int = 1) -> None:
    """A header row in bold on blue, with the columns' widths."""
    for index, (name, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = put(ws, row, index, name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        ws.column_dimensions[get_column_letter(index)].width = width


class _Styles:
    """Cell styles made once and copied to each cell: openpyxl re-indexes a style object on every
    assignment, which dominates the time of a sheet of thousands of rows."""

    def __init__(self, ws: Worksheet) -> None:
        self._ws = ws
        self._made: dict[tuple, Any] = {}

    def apply(self, cell, key: tuple, setup) -> None:
        if key not in self._made:
            setup(cell)
            self._made[key] = copy(cell._style)
        else:
            cell._style = copy(self._made[key])


def table(ws: Worksheet, headers: Sequence[str], widths: Sequence[float], rows: Iterable[Sequence[Any]], wrap: Sequence[int] = ()) -> int:
    """A sheet that is one table: header row frozen, autofilter over every row; returns the rows written."""
    header_row(ws, headers, widths)
    styles = _Styles(ws)
    count = 0
    for count, values in enumerate(rows, start=1):
        for index, value in enumerate(values, start=1):
            cell = put_text(ws, count + 1, index, value) if isinstance(value, str) else put(ws, count + 1, index, value)
            wrapped = index in wrap
            styles.apply(cell, (wrapped, cell.number_format), lambda c, w=wrapped: setattr(c, "alignment", WRAP if w else TOP))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    return count


def save(wb: Workbook, when: dt.date, title: str) -> bytes:
    """The workbook as bytes, the same for the same content: fixed properties, fixed zip entries."""
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


# -- a system's findings ---------------------------------------------------------------------

FINDING_COLUMNS = (
    ("system_id", 22), ("system_name", 28), ("ods_code", 10), ("as_of", 12),
    ("rule_id", 18), ("rule_title", 40), ("framework", 18), ("domain", 22), ("stage", 11), ("arrangement", 22),
    ("strength", 9), ("status", 15), ("subject_kind", 13), ("subject_id", 22), ("subject_name", 30),
    ("message", 80), ("source", 50), ("source_wording", 50), ("location", 30), ("evidence", 50),
)
_WRAPPED = {i for i, (name, _) in enumerate(FINDING_COLUMNS, start=1) if name in ("rule_title", "message", "source", "source_wording", "evidence")}
_STATUS_COLUMN = [name for name, _ in FINDING_COLUMNS].index("status") + 1


def finding_rows(result: Result) -> list[tuple]:
    system = result.fixture.description.system
    rules = {rule.id: rule for rule in result.rules}
    rows = []
    for f in result.findings:
        spec = rules[f.rule_id].spec
        rows.append(
            (
                system.id, system.name, system.ods_code, result.as_of,
                f.rule_id, spec.title, spec.framework, spec.domain, spec.stage, spec.arrangement,
                spec.strength, STATUS_LABEL[f.status], f.subject_kind, f.subject_id, f.subject_name,
                f.message, spec.source.cited(), spec.source.wording() or None,
                str(f.location) if f.location else None,
                "\n".join(f"{e.id}: {e.title} ({e.date}{', ' + e.section if e.section else ''})" for e in f.evidence) or None,
            )
        )
    return rows


def findings_sheet(ws: Worksheet, results: Sequence[Result]) -> None:
    ws.title = "Findings"
    rows = [row for result in results for row in finding_rows(result)]
    table(ws, [n for n, _ in FINDING_COLUMNS], [w for _, w in FINDING_COLUMNS], rows, wrap=tuple(_WRAPPED))
    by_label = {label: status for status, label in STATUS_LABEL.items()}
    styles = _Styles(ws)
    for index in range(2, len(rows) + 2):
        cell = ws.cell(row=index, column=_STATUS_COLUMN)
        styles.apply(cell, ("status", cell.value), lambda c: colour(c, STATUS_COLOURS[by_label[c.value]]))


def _label_rows(ws: Worksheet, row: int, pairs: Sequence[tuple[str, Any]]) -> int:
    for label, value in pairs:
        put(ws, row, 1, label).font = BOLD
        put_text(ws, row, 2, value) if isinstance(value, str) else put(ws, row, 2, value)
        row += 1
    return row


def _heading(ws: Worksheet, row: int, text: str, headers: Sequence[str]) -> int:
    put(ws, row, 1, text).font = BOLD
    for index, name in enumerate(headers, start=1):
        cell = put(ws, row + 1, index, name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    return row + 2


def summary_sheet(ws: Worksheet, result: Result) -> None:
    ws.title = "Summary"
    system = result.fixture.description.system
    summary = result.summary
    for letter, width in zip("ABCDEFGH", (46, 34, 40, 16, 16, 16, 16, 12)):
        ws.column_dimensions[letter].width = width
    put_text(ws, 1, 1, f"{system.name}: icscheck assessment").font = TITLE
    row = _label_rows(
        ws,
        3,
        [
            ("system id", system.id),
            ("system name", system.name),
            ("ODS code", system.ods_code),
            ("ONS code", system.ons_code),
            ("region", system.region),
            ("assessment date", result.as_of),
            ("rules applied", f"{len(result.rules)} rules{rulebook_note(result)}"),
            ("engine", result.engine),
            ("description", result.fixture.file),
            ("tool", f"icscheck {__version__}"),
        ],
    )
    row += 1
    readiness = summary.readiness
    put(ws, row, 1, f"designation readiness (threshold: {readiness.threshold})").font = BOLD
    colour(put(ws, row, 2, readiness.verdict), READINESS_COLOURS[readiness.verdict])
    put(ws, row, 3, readiness_sentence(readiness)).alignment = WRAP
    row += 1
    put(ws, row, 1, "system stage (the lowest stage of its domains)").font = BOLD
    colour(put(ws, row, 2, summary.system_stage or "not yet emerging"), STAGE_COLOURS[summary.system_stage])
    row += 2

    row = _heading(ws, row, "Maturity matrix: stage reached per domain, and must-rules met per stage",
                   ["domain", "stage reached", "label", *STAGES])
    for domain in summary.domains.values():
        put(ws, row, 1, domain.name).alignment = WRAP
        colour(put(ws, row, 2, domain.stage or "not yet emerging"), STAGE_COLOURS[domain.stage])
        put(ws, row, 3, domain.label).alignment = WRAP
        for offset, stage in enumerate(STAGES):
            cell = domain.stages[stage]
            if cell.must_rules:
                colour(put(ws, row, 4 + offset, f"{cell.met}/{cell.must_rules} {cell.state}"), STATE_COLOURS[cell.state])
            else:
                put(ws, row, 4 + offset, "no must-rules")
        row += 1
    row += 1

    row = _heading(ws, row, "Consistent operating arrangements: delivery RAG (— not evidenced)", ["arrangement", "RAG", "why", "status"])
    for arrangement in summary.arrangements.values():
        put(ws, row, 1, arrangement.name).alignment = WRAP
        colour(put(ws, row, 2, arrangement.rag or "—"), RAG_COLOURS[arrangement.rag])
        put_text(ws, row, 3, arrangement.reason).alignment = WRAP
        put(ws, row, 4, arrangement.status)
        row += 1
    row += 1

    counts = counts_by_strength(result)
    row = _heading(ws, row, "Findings by status and rule strength", ["status", *STRENGTHS, "total"])
    for status in ("gap", "unknown", *(s for s in COLUMNS if s not in ("gap", "unknown"))):
        colour(put(ws, row, 1, STATUS_LABEL[status]), STATUS_COLOURS[status])
        for offset, strength in enumerate(STRENGTHS):
            put(ws, row, 2 + offset, counts[status][strength])
        put(ws, row, 2 + len(STRENGTHS), sum(counts[status].values()))
        row += 1


def check_workbook(result: Result) -> bytes:
    """One system's workbook: Summary and Findings."""
    wb = Workbook()
    summary_sheet(wb.active, result)
    findings_sheet(wb.create_sheet(), [result])
    return save(wb, result.as_of, f"icscheck: {result.fixture.description.system.name}, {result.as_of.isoformat()}")


# -- a region ----------------------------------------------------------------------------------

SYSTEM_COLUMNS = (("system_id", 22), ("system_name", 30), ("ods_code", 10), ("as_of", 12))


def _system_cells(result: Result) -> tuple:
    system = result.fixture.description.system
    return (system.id, system.name, system.ods_code, result.as_of)


def _named(result: Result) -> str:
    return f"{result.fixture.description.system.name} ({result.as_of.isoformat()})"


def regional_workbook(results: Sequence[Result], threshold: str) -> bytes:
    """Systems side by side (never averaged): overview, domains, arrangements, common gaps, every finding."""
    wb = Workbook()
    base = [n for n, _ in SYSTEM_COLUMNS]
    widths = [w for _, w in SYSTEM_COLUMNS]

    ws = wb.active
    ws.title = "Systems"
    counted = [counts_by_strength(r) for r in results]
    headers = [*base, "description", f"readiness ({threshold})", "system stage",
               *(f"gaps ({s})" for s in STRENGTHS), "gaps", *(f"not evidenced ({s})" for s in STRENGTHS), "not evidenced", "passed"]
    rows = []
    for result, counts in zip(results, counted, strict=True):
        rows.append(
            (*_system_cells(result), result.fixture.file, result.summary.readiness.verdict, result.summary.system_stage or "not yet emerging",
             *(counts["gap"][s] for s in STRENGTHS), sum(counts["gap"].values()),
             *(counts["unknown"][s] for s in STRENGTHS), sum(counts["unknown"].values()), sum(counts["pass"].values()))
        )
    table(ws, headers, [*widths, 36, 16, 16, *([10] * 4), *([14] * 4), 9], rows)
    for index, result in enumerate(results, start=2):
        colour(ws.cell(row=index, column=len(base) + 2), READINESS_COLOURS[result.summary.readiness.verdict])
        colour(ws.cell(row=index, column=len(base) + 3), STAGE_COLOURS[result.summary.system_stage])

    ws = wb.create_sheet("Domains")
    table(ws, [*base, *MATRIX_DOMAINS.values()], [*widths, *([30] * len(MATRIX_DOMAINS))],
          [(*_system_cells(r), *(r.summary.domains[d].label for d in MATRIX_DOMAINS)) for r in results],
          wrap=tuple(range(len(base) + 1, len(base) + len(MATRIX_DOMAINS) + 1)))
    for index, result in enumerate(results, start=2):
        for offset, key in enumerate(MATRIX_DOMAINS, start=len(base) + 1):
            colour(ws.cell(row=index, column=offset), STAGE_COLOURS[result.summary.domains[key].stage])

    ws = wb.create_sheet("Arrangements")
    table(ws, [*base, *OPERATING_ARRANGEMENTS.values()], [*widths, *([20] * len(OPERATING_ARRANGEMENTS))],
          [(*_system_cells(r), *(r.summary.coa[k] or "—" for k in OPERATING_ARRANGEMENTS)) for r in results])
    for index, result in enumerate(results, start=2):
        for offset, key in enumerate(OPERATING_ARRANGEMENTS, start=len(base) + 1):
            colour(ws.cell(row=index, column=offset), RAG_COLOURS[result.summary.coa[key]])
    ws.row_dimensions[1].height = 45

    ws = wb.create_sheet("Common gaps")
    specs: dict[str, Any] = {}
    gaps: dict[str, list[str]] = {}
    unknown: dict[str, list[str]] = {}
    for result in results:
        for rule in result.rules:
            specs.setdefault(rule.id, rule.spec)
        for rule_id, counts in sorted(result.summary.by_rule.items()):
            if counts["gap"] or counts["error"]:
                gaps.setdefault(rule_id, []).append(_named(result))
            elif counts["unknown"]:
                unknown.setdefault(rule_id, []).append(_named(result))
    order = sorted(gaps, key=lambda rid: (-len(gaps[rid]), rid))
    table(
        ws,
        ["rule_id", "rule_title", "framework", "domain", "stage", "strength", "systems with a gap", "systems with a gap (named)",
         "systems not evidenced", "systems not evidenced (named)"],
        [18, 44, 18, 22, 11, 9, 12, 50, 12, 50],
        [
            (rid, specs[rid].title, specs[rid].framework, specs[rid].domain, specs[rid].stage, specs[rid].strength,
             len(gaps[rid]), "\n".join(gaps[rid]), len(unknown.get(rid, [])), "\n".join(unknown.get(rid, [])) or None)
            for rid in order
        ],
        wrap=(2, 8, 10),
    )

    findings_sheet(wb.create_sheet(), results)
    latest = max((r.as_of for r in results), default=dt.date(1980, 1, 1))
    return save(wb, latest, "icscheck: regional summary")
