"""Excel workbooks of a check: one system's (``check --format xlsx``) and a region's (``batch``).

A system's workbook has a *Summary* sheet (readiness, stage per domain with its label, RAG per
operating arrangement, findings by status and strength) and a *Findings* sheet, one row per
finding with the system's id, name, ODS code and assessment date on every row.  The regional
workbook has *Systems*, *Domains* (systems x domains), *Arrangements* (systems x arrangements),
*Common gaps* (rule x the systems with a gap there, named) and every system's *Findings*.

They are written with XlsxWriter, in memory, a row at a time, each cell format made once.
Every workbook is deterministic: the same inputs give byte-identical files.  The document
properties carry the assessment date (the latest one for a region), never the time of the run
(XlsxWriter takes the clock only when no ``created`` date is set); XlsxWriter itself writes the
zip entries in a fixed order, every one dated 1980-01-01, and numbers shared strings and formats
in the order the cells are first written, so no rewrite of the archive is needed.  Text is
always written as a string cell (``write_string``, never ``write``): a value starting with ``=``,
``+``, ``-`` or ``@`` is text, never a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

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

# fills and fonts (fill, font colour): Excel's own "bad", "neutral" and "good" cell styles, and a few more
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

#: A cell's style: XlsxWriter format properties, as a tuple so that it can key the formats made.
Style = tuple[tuple[str, Any], ...]
HEADER: Style = (("bold", True), ("font_color", "#FFFFFF"), ("pattern", 1), ("bg_color", "#005EB8"))
BOLD: Style = (("bold", True),)
TITLE: Style = (("bold", True), ("font_size", 14))
WRAP: Style = (("text_wrap", True), ("valign", "top"))
TOP: Style = (("valign", "top"),)
#: Column widths are given as the width the file records (a character is 7 pixels in Calibri 11,
#: with 5 pixels of padding counted in), so a width of 80 is written as 80.
PIXELS_PER_CHARACTER = 7


def coloured(pair: tuple[str, str]) -> Style:
    """A solid fill and a font colour, from a (fill, font) pair of hex colours."""
    fill, font = pair
    return (("pattern", 1), ("bg_color", "#" + fill), ("font_color", "#" + font))


# -- writing cells safely and deterministically ---------------------------------------------

def clean_text(value: str) -> str:
    """Text a cell can hold: characters XML cannot carry replaced by U+FFFD, cut at Excel's limit."""
    value = ILLEGAL.sub("\ufffd", value)
    if len(value) > CELL_LIMIT:
        value = value[: CELL_LIMIT - 12] + " [truncated]"
    return value


class Book:
    """A workbook being written in memory, with each cell format made once and reused."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        # the string options only matter to write(), which is never used; off all the same
        self._wb = xlsxwriter.Workbook(
            self._buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
        )
        self._formats: dict[tuple[Style, bool], Format | None] = {}

    def sheet(self, name: str) -> Worksheet:
        return self._wb.add_worksheet(name)

    def format(self, style: Style, date: bool = False) -> Format | None:
        key = (style, date)
        made = self._formats.get(key, False)
        if made is False:
            properties = dict(style)
            if date:
                properties["num_format"] = DATE_FORMAT
            made = self._formats[key] = self._wb.add_format(properties) if properties else None
        return made

    def put(self, ws: Worksheet, row: int, column: int, value: Any, style: Style = ()) -> None:
        """Write one value at a row and column counted from 1: text always as a string cell (never
        a formula), cleaned; dates as dates with a date format; nothing but the style for None."""
        row, column = row - 1, column - 1
        if value is None:
            if style:
                ws.write_blank(row, column, None, self.format(style))
        elif isinstance(value, str):
            ws.write_string(row, column, clean_text(value), self.format(style))  # '=1+1', '+x', '-x', '@x' stay text
        elif isinstance(value, bool):
            ws.write_boolean(row, column, value, self.format(style))
        elif isinstance(value, dt.datetime):
            raise TypeError("write dates, not times")
        elif isinstance(value, dt.date):
            ws.write_datetime(row, column, value, self.format(style, date=True))
        elif isinstance(value, (int, float)):
            ws.write_number(row, column, value, self.format(style))
        else:
            raise TypeError(f"cannot write {type(value).__name__}")

    def save(self, when: dt.date, title: str) -> bytes:
        """The workbook as bytes, the same for the same content: the document's date is ``when``."""
        self._wb.set_properties({"title": title, "author": f"icscheck {__version__}", "created": dt.datetime.combine(when, dt.time())})
        self._wb.close()
        return self._buffer.getvalue()


def width(ws: Worksheet, column: int, characters: float) -> None:
    """Set a column's width (column counted from 1)."""
    ws.set_column_pixels(column - 1, column - 1, round(characters * PIXELS_PER_CHARACTER))


def header_row(book: Book, ws: Worksheet, headers: Sequence[str], widths: Sequence[float], row: int = 1) -> None:
    """A header row in bold white on blue, with the columns' widths."""
    for index, (name, characters) in enumerate(zip(headers, widths, strict=True), start=1):
        book.put(ws, row, index, name, HEADER + WRAP)
        width(ws, index, characters)


def table(
    book: Book,
    ws: Worksheet,
    headers: Sequence[str],
    widths: Sequence[float],
    rows: Iterable[Sequence[Any]],
    wrap: Sequence[int] = (),
    colours: Callable[[int], Mapping[int, tuple[str, str]]] | None = None,
) -> int:
    """A sheet that is one table: header row frozen, autofilter over every row; returns the rows
    written.  ``wrap`` names the columns (from 1) whose text wraps; ``colours(i)`` gives the
    (fill, font) colours of some cells of the i-th row (from 0), by column."""
    header_row(book, ws, headers, widths)
    plain = [WRAP if index in wrap else TOP for index in range(1, len(headers) + 1)]
    put = book.put
    count = 0
    for count, values in enumerate(rows, start=1):
        styles = plain
        if colours is not None:
            extra = colours(count - 1)
            if extra:
                styles = list(plain)
                for index, pair in extra.items():
                    styles[index - 1] = plain[index - 1] + coloured(pair)
        for index, value in enumerate(values, start=1):
            put(ws, count + 1, index, value, styles[index - 1])
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, count, len(headers) - 1)
    return count


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


def findings_sheet(book: Book, results: Sequence[Result]) -> None:
    ws = book.sheet("Findings")
    rows = [row for result in results for row in finding_rows(result)]
    by_label = {label: status for status, label in STATUS_LABEL.items()}
    table(book, ws, [n for n, _ in FINDING_COLUMNS], [w for _, w in FINDING_COLUMNS], rows, wrap=tuple(sorted(_WRAPPED)),
          colours=lambda i: {_STATUS_COLUMN: STATUS_COLOURS[by_label[rows[i][_STATUS_COLUMN - 1]]]})


def _label_rows(book: Book, ws: Worksheet, row: int, pairs: Sequence[tuple[str, Any]]) -> int:
    for label, value in pairs:
        book.put(ws, row, 1, label, BOLD)
        book.put(ws, row, 2, value)
        row += 1
    return row


def _heading(book: Book, ws: Worksheet, row: int, text: str, headers: Sequence[str]) -> int:
    book.put(ws, row, 1, text, BOLD)
    for index, name in enumerate(headers, start=1):
        book.put(ws, row + 1, index, name, HEADER)
    return row + 2


def summary_sheet(book: Book, result: Result) -> None:
    ws = book.sheet("Summary")
    system = result.fixture.description.system
    summary = result.summary
    for index, characters in enumerate((46, 34, 40, 16, 16, 16, 16, 12), start=1):
        width(ws, index, characters)
    put = book.put
    put(ws, 1, 1, f"{system.name}: icscheck assessment", TITLE)
    row = _label_rows(
        book,
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
    put(ws, row, 1, f"designation readiness (threshold: {readiness.threshold})", BOLD)
    put(ws, row, 2, readiness.verdict, coloured(READINESS_COLOURS[readiness.verdict]))
    put(ws, row, 3, readiness_sentence(readiness), WRAP)
    row += 1
    put(ws, row, 1, "system stage (the lowest stage of its domains)", BOLD)
    put(ws, row, 2, summary.system_stage or "not yet emerging", coloured(STAGE_COLOURS[summary.system_stage]))
    row += 2

    row = _heading(book, ws, row, "Maturity matrix: stage reached per domain, and must-rules met per stage",
                   ["domain", "stage reached", "label", *STAGES])
    for domain in summary.domains.values():
        put(ws, row, 1, domain.name, WRAP)
        put(ws, row, 2, domain.stage or "not yet emerging", coloured(STAGE_COLOURS[domain.stage]))
        put(ws, row, 3, domain.label, WRAP)
        for offset, stage in enumerate(STAGES):
            cell = domain.stages[stage]
            if cell.must_rules:
                put(ws, row, 4 + offset, f"{cell.met}/{cell.must_rules} {cell.state}", coloured(STATE_COLOURS[cell.state]))
            else:
                put(ws, row, 4 + offset, "no must-rules")
        row += 1
    row += 1

    row = _heading(book, ws, row, "Consistent operating arrangements: delivery RAG (— not evidenced)", ["arrangement", "RAG", "why", "status"])
    for arrangement in summary.arrangements.values():
        put(ws, row, 1, arrangement.name, WRAP)
        put(ws, row, 2, arrangement.rag or "—", coloured(RAG_COLOURS[arrangement.rag]))
        put(ws, row, 3, arrangement.reason, WRAP)
        put(ws, row, 4, arrangement.status)
        row += 1
    row += 1

    counts = counts_by_strength(result)
    row = _heading(book, ws, row, "Findings by status and rule strength", ["status", *STRENGTHS, "total"])
    for status in ("gap", "unknown", *(s for s in COLUMNS if s not in ("gap", "unknown"))):
        put(ws, row, 1, STATUS_LABEL[status], coloured(STATUS_COLOURS[status]))
        for offset, strength in enumerate(STRENGTHS):
            put(ws, row, 2 + offset, counts[status][strength])
        put(ws, row, 2 + len(STRENGTHS), sum(counts[status].values()))
        row += 1


def check_workbook(result: Result) -> bytes:
    """One system's workbook: Summary and Findings."""
    book = Book()
    summary_sheet(book, result)
    findings_sheet(book, [result])
    return book.save(result.as_of, f"icscheck: {result.fixture.description.system.name}, {result.as_of.isoformat()}")


# -- a region ----------------------------------------------------------------------------------

SYSTEM_COLUMNS = (("system_id", 22), ("system_name", 30), ("ods_code", 10), ("as_of", 12))


def _system_cells(result: Result) -> tuple:
    system = result.fixture.description.system
    return (system.id, system.name, system.ods_code, result.as_of)


def _named(result: Result) -> str:
    return f"{result.fixture.description.system.name} ({result.as_of.isoformat()})"


def regional_workbook(results: Sequence[Result], threshold: str) -> bytes:
    """Systems side by side (never averaged): overview, domains, arrangements, common gaps, every finding."""
    book = Book()
    base = [n for n, _ in SYSTEM_COLUMNS]
    widths = [w for _, w in SYSTEM_COLUMNS]

    ws = book.sheet("Systems")
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
    table(book, ws, headers, [*widths, 36, 16, 16, *([10] * 4), *([14] * 4), 9], rows,
          colours=lambda i: {len(base) + 2: READINESS_COLOURS[results[i].summary.readiness.verdict],
                             len(base) + 3: STAGE_COLOURS[results[i].summary.system_stage]})

    ws = book.sheet("Domains")
    table(book, ws, [*base, *MATRIX_DOMAINS.values()], [*widths, *([30] * len(MATRIX_DOMAINS))],
          [(*_system_cells(r), *(r.summary.domains[d].label for d in MATRIX_DOMAINS)) for r in results],
          wrap=tuple(range(len(base) + 1, len(base) + len(MATRIX_DOMAINS) + 1)),
          colours=lambda i: {offset: STAGE_COLOURS[results[i].summary.domains[key].stage]
                             for offset, key in enumerate(MATRIX_DOMAINS, start=len(base) + 1)})

    ws = book.sheet("Arrangements")
    table(book, ws, [*base, *OPERATING_ARRANGEMENTS.values()], [*widths, *([20] * len(OPERATING_ARRANGEMENTS))],
          [(*_system_cells(r), *(r.summary.coa[k] or "—" for k in OPERATING_ARRANGEMENTS)) for r in results],
          colours=lambda i: {offset: RAG_COLOURS[results[i].summary.coa[key]]
                             for offset, key in enumerate(OPERATING_ARRANGEMENTS, start=len(base) + 1)})
    ws.set_row(0, 45)

    ws = book.sheet("Common gaps")
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
        book,
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

    findings_sheet(book, results)
    latest = max((r.as_of for r in results), default=dt.date(1980, 1, 1))
    return book.save(latest, "icscheck: regional summary")
