"""The terminal and text reports: a one-screen summary, the full listing, and a one-line verdict.

* :func:`summary_view` (``icscheck check``): the system, date and rulebook; the readiness verdict; the
  domain × stage table; the RAG table; the counts of gaps and findings not evidenced by strength; the
  gaps of must-rules, one line each, grouped by domain or framework; and how to see more.
* :func:`full_view` (``--full``, and the ``.txt`` reports ``batch`` writes): everything — scores,
  roadmap, freedoms, every gap and every finding not evidenced, grouped by strength (must first)
  and by domain or framework, the matrix bullets beyond the target apart, and every rule's counts.
* :func:`verdict_line` (``--quiet``): one line.

All three are deterministic and show text from a description through :func:`~icscheck.safetext.visible`.

Without colour the full listing is :func:`full_text` (the ``.txt`` reports, a piped ``--full``): the same
characters a rich Console prints of :func:`full_view`, made without laying out through the console but for
its two small tables and what the console would crop (wide characters, lines wider than the width). The
grids of findings and rules are plain text from the same layout as the coloured ones, and the lines of text
are wrapped by rich's own line breaker, as the console wraps them.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from typing import Any, Iterable

from rich._wrap import divide_line
from rich.cells import cell_len, get_character_cell_size, set_cell_size
from rich.console import Console, Group
from rich.control import strip_control_codes
from rich.table import Table
from rich.text import Text

from .api import Result
from .findings import STATUS_LABEL, Finding
from .frameworks import STAGES, group_label, group_order
from .report import (
    COLUMNS,
    LISTED,
    READINESS_STYLE,
    RAG_STYLE,
    STATUS_STYLE,
    STRENGTHS,
    coa_table,
    counts_by_strength,
    freedoms_parts,
    headline,
    maturity_cell,
    maturity_legend,
    maturity_table,
    readiness_text,
    roadmap_parts,
    rulebook_note,
    system_stage_sentence,
)
from .rules import PARAPHRASE_LABEL, Rule
from .safetext import visible
from .scoring import Summary
from .settings import DEFAULT_FAIL_ON, FailOn, parse_fail_on

#: At most this many lines of must-rule gaps (group headings included) in the summary; the rest are counted.
MUST_GAP_LINES = 24


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 gap``, ``2 gaps``; ``many`` for an irregular plural."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def _in_force(result: Result) -> int:
    return sum(1 for rule in result.rules if rule.in_force(result.rulebook_date))


def rulebook_words(result: Result) -> str:
    """The rules applied, in words: how many are in force on the rulebook's date, of how many loaded (or chosen)."""
    loaded, in_force = len(result.rules), _in_force(result)
    if result.selection is not None:
        text = f"rules: {result.selection.selected} of {result.selection.of} selected"
        text += f", {in_force} of them in force" if in_force != loaded else ""
        text += " (the scores read every rule)"
    else:
        text = f"rules: {in_force} of {loaded} in force" if loaded != in_force else f"rules: all {loaded} in force"
    packs = result.fixture.description.system.rule_packs
    if packs:
        text += visible(f" (with the local pack{'s' if len(packs) > 1 else ''} {', '.join(packs)})")
    return text


def _header(result: Result, settings_file: str | None = None) -> list[Text]:
    """The system and date; then the file, the rulebook, the engine and the settings file."""
    system = result.fixture.description.system
    first = Text.assemble(
        (visible(system.name), "bold"), f" · as of {result.as_of.isoformat()}{rulebook_note(result)} · engine: {result.engine}"
    )
    where = f"{visible(result.fixture.file)} · {rulebook_words(result)}"
    if settings_file:
        where += visible(f" · settings from {settings_file}")
    return [first, Text(where, style="dim")]


def group_key(rule: Rule) -> tuple:
    spec = rule.spec
    return group_order(spec.framework, spec.domain, spec.arrangement)


def rule_group(rule: Rule) -> str:
    spec = rule.spec
    return group_label(spec.framework, spec.domain, spec.arrangement)


def grouped(findings: Iterable[Finding], rules: dict[str, Rule]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped by their rule's framework and domain (or arrangement), in the reports' order."""
    groups: dict[tuple, tuple[str, list[Finding]]] = {}
    for f in findings:
        rule = rules[f.rule_id]
        key = group_key(rule)
        groups.setdefault(key, (rule_group(rule), []))[1].append(f)
    return [groups[key] for key in sorted(groups)]


# -- the verdict ---------------------------------------------------------------------------------

def readiness_short(summary: Summary) -> str:
    """The readiness verdict in one sentence, with what decides it."""
    r = summary.readiness
    target = f"target {r.threshold}, stages read {r.method}"
    if r.verdict == "ready":
        return f"READY for designation ({target}): every domain reaches {r.threshold}"
    if r.verdict == "not ready":
        gaps, more = len(r.blocking_gaps), len(r.blocking_not_evidenced)
        extra = f"; {more} more not evidenced" if more else ""
        held = "holds" if gaps == 1 else "hold"
        return f"NOT READY for designation ({target}): {plural(gaps, 'must-rule')} with gaps {held} a domain below {r.threshold}{extra}"
    n = len(r.blocking_not_evidenced)
    decide = "decides" if n == 1 else "decide"
    return f"UNDETERMINED readiness ({target}): no gap holds a domain below {r.threshold}, but {plural(n, 'must-rule')} not evidenced {decide} it"


def _split(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[s]} {s}" for s in STRENGTHS if counts[s])


def counts_sentence(result: Result) -> str:
    """Gaps and findings not evidenced, by strength (maturity matrix bullets beyond the target left out)."""
    counts = counts_by_strength(result)
    gaps, unknown = counts["gap"], counts["unknown"]
    parts = [
        plural(sum(gaps.values()), "gap") + (f" ({_split(gaps)})" if sum(gaps.values()) else ""),
        f"{sum(unknown.values())} not evidenced" + (f" ({_split(unknown)})" if sum(unknown.values()) else ""),
        f"{sum(counts['pass'].values())} passed",
    ]
    for status in ("waived", "info", "error"):
        total = sum(counts[status].values())
        if total:
            parts.append(f"{total} {STATUS_LABEL[status]}")
    return " · ".join(parts)


def verdict_line(result: Result) -> str:
    """One line: the file, the system and date, the readiness verdict and the counts."""
    system = result.fixture.description.system
    r = result.summary.readiness
    return visible(
        f"{result.fixture.file}: {system.name}, {result.as_of.isoformat()}: {r.verdict} (target {r.threshold}); "
        f"{counts_sentence(result)}"
    )


def fail_sentence(result: Result, fail_on: FailOn | str) -> str:
    rule = parse_fail_on(fail_on)
    failing = len(result.failing(rule))
    if not rule.strengths:
        return "Nothing fails the run (--fail-on none)."
    what = f"--fail-on {rule}: gaps of {' and '.join(s for s in STRENGTHS if s in rule.strengths)} rules"
    what += " and their findings not evidenced" if rule.unknown else ""
    if failing:
        return f"Exit code 1: {plural(failing, 'finding')} fail the run ({what})."
    return f"Exit code 0: no finding fails the run ({what})."


# -- the summary ---------------------------------------------------------------------------------

def summary_maturity(summary: Summary) -> Table:
    """Domains × stages: per cell the bullets met ✓, not met ✗ and not evidenced ?, and whether the stage fits.

    The emerging column is left out when no staged domain has a must-rule there (it describes the
    starting point); an unstaged domain shows its bullets once, in the first column shown."""
    domains = list(summary.domains.values())
    shown = [s for s in STAGES if s != STAGES[0] or any(d.staged and d.stages[s].must_rules for d in domains)]
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("Maturity matrix domain", ratio=1, overflow="fold")
    for stage in shown:
        table.add_column(stage, justify="center", no_wrap=True)
    table.add_column(f"stage ({summary.method})", no_wrap=True, style="bold")
    for info in domains:
        # a domain not staged shows its state once, in the first column shown
        cells = [maturity_cell(info, stage if info.staged or i else STAGES[0]) for i, stage in enumerate(shown)]
        stage = (info.stage or "not yet emerging") if info.staged else str(info.state)
        table.add_row(info.name, *cells, stage)
    return table


MATURITY_KEY = "✓ met  ✗ not met  ? not evidenced (a stage's must-rules); fits, no, or n/d: not determined"


def _status_words(status: str | None) -> str:
    return (status or "").replace("_", " ")


def summary_rag(summary: Summary) -> Table:
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("Operating arrangement", no_wrap=True)
    table.add_column("RAG", no_wrap=True)
    table.add_column("why", overflow="fold")
    for a in summary.arrangements.values():
        if a.rag is None:
            rag = Text("—", style="yellow")
            if a.status:
                why = f"not evidenced: status {_status_words(a.status)}, no evidence item"
            elif "does not describe" in a.reason:
                why = "not evidenced: not described"
            else:
                why = "not evidenced: no status stated"
        elif a.rag == "GA" and a.status == "achieved" and a.rules_with_gaps:
            rag = Text(a.rag, style=RAG_STYLE[a.rag])
            rules = ", ".join(a.rules_with_gaps)
            why = f"claimed G; {rules} {'has' if len(a.rules_with_gaps) == 1 else 'have'} gaps"
        else:
            rag = Text(a.rag, style=RAG_STYLE[a.rag])
            why = _status_words(a.status)
        table.add_row(a.name, rag, Text(visible(why)))
    return table


def _one_line(text: str, style: str | None = None) -> Text:
    return Text(text, style=style or "", no_wrap=True, overflow="ellipsis")


def _gap_line(f: Finding, indent: str = "  ") -> Text:
    named = f.subject_kind == "system" or f"'{f.subject_name}'" in f.message
    subject = "" if named else f"{f.subject_kind} '{f.subject_name}': "
    line = Text.assemble(indent, (f"{f.rule_id:<12}", "bold"), " ", visible(subject + f.message))
    line.no_wrap = True
    line.overflow = "ellipsis"
    return line


def must_gap_parts(result: Result, command: str, limit: int = MUST_GAP_LINES) -> list[Any]:
    rules = {r.id: r for r in result.rules}
    beyond = result.beyond_target_rules
    musts = [f for f in result.findings if f.status in ("gap", "error") and rules[f.rule_id].spec.strength == "must" and f.rule_id not in beyond]
    if not musts:
        return [Text("No must-rule has a gap.", style="bold green")]
    parts: list[Any] = [Text(f"Gaps of must-rules ({len(musts)}), by domain or framework:", style="bold")]
    shown = 0
    for label, items in grouped(musts, rules):
        if len(parts) - 1 + 2 > limit:
            break
        parts.append(_one_line(visible(label), "bold"))
        for f in items:
            if len(parts) - 1 >= limit:
                break
            parts.append(_gap_line(f))
            shown += 1
    if shown < len(musts):
        parts.append(Text(f"  … and {plural(len(musts) - shown, 'more must-rule gap')}: {command} --full lists them all", style="dim"))
    return parts


def other_gaps_line(result: Result) -> Text | None:
    """What the summary does not list, counted: the gaps of should- and may-rules and the findings not evidenced."""
    counts = counts_by_strength(result)
    others = {s: counts["gap"][s] + counts["error"][s] for s in STRENGTHS[1:]}
    words = [plural(n, f"gap of {s}-rules", f"gaps of {s}-rules") for s, n in others.items() if n]
    unknown = sum(counts["unknown"].values())
    if unknown:
        words.append(f"{plural(unknown, 'finding')} not evidenced")
    if not words:
        return None
    return Text(f"Not listed here: {' and '.join(words)}; --full lists every one.", style="dim")


def summary_view(
    result: Result,
    command: str = "icscheck check",
    settings_file: str | None = None,
    fail_on: FailOn | str = DEFAULT_FAIL_ON,
    explain_command: str = "icscheck explain FILE",
) -> Group:
    """One screen: what a person needs first (see the module docstring)."""
    summary = result.summary
    verdict = summary.readiness.verdict
    parts: list[Any] = [
        *_header(result, settings_file),
        Text(""),
        Text(readiness_short(summary), style=READINESS_STYLE[verdict]),
        Text(""),
        summary_maturity(summary),
        Text(MATURITY_KEY, style="dim"),
        Text(""),
        summary_rag(summary),
        Text(""),
        Text("Findings: " + counts_sentence(result), style="bold"),
    ]
    beyond = summary.beyond_target
    if beyond is not None and beyond.rules:
        t = beyond.totals
        parts.append(Text(
            f"Matrix bullets above {beyond.threshold} (the roadmap, not counted above): "
            f"{plural(t['gap'], 'gap')}, {t['unknown']} not evidenced, {t['pass']} passed",
            style="dim",
        ))
    parts.append(Text(fail_sentence(result, fail_on)))
    gaps = must_gap_parts(result, command)
    others = other_gaps_line(result)
    parts += [Text(""), *gaps, *([others] if others else []), Text("")]
    rules = {r.id: r for r in result.rules}
    ordered = sorted(result.findings, key=lambda f: (rules[f.rule_id].spec.strength != "must", group_key(rules[f.rule_id])))
    example = next(
        (f.rule_id for f in ordered if f.status == "gap"),
        next((r.id for r in result.rules if r.in_force(result.rulebook_date)), "RULE-ID"),
    )
    parts += [
        Text("More: --full for every finding · --format html=report.html for a report · one rule in full:", style="dim"),
        Text(f"      {explain_command} {example}", style="dim"),
    ]
    return Group(*parts)


# -- the full listing ----------------------------------------------------------------------------

_WORD_START = re.compile(r"\S")
_LAST_BLANK = re.compile(r"\s")


def _wrap(text: str, room: int) -> list[tuple[int, int]]:
    """Greedy word wrap as character ranges of ``text``: each line from a word's start to the end of the
    last word that ends within ``room`` characters of it (a word longer than the room is cut)."""
    lines: list[tuple[int, int]] = []
    size = len(text)
    found = _WORD_START.search(text)
    while found:
        begin = found.start()
        limit = begin + room
        if limit >= size:  # the rest fits
            lines.append((begin, len(text.rstrip())))
            break
        if text[limit].isspace():  # the line ends with the last word before the limit
            end = len(text[:limit].rstrip())
        else:  # a word runs past the limit: the line ends before it; or, if it is the line's first word, cut it
            blank = _LAST_BLANK.search(text[limit - 1:begin:-1])  # from the limit back
            end = len(text[: limit - blank.start()].rstrip()) if blank else limit
        lines.append((begin, end))
        found = _WORD_START.search(text, end)
    return lines or [(0, 0)]


Cell = tuple[str, str]  # (text, style)
Row = tuple[list[Cell], Cell | list[Cell]]  # the short cells, and the long last cell (in styled parts)


def _grid_measure(rows: list[Row], width: int, indent: int) -> tuple[list[int], int, int]:
    """The grid's layout, one for its styled and its plain form: the width of each column of short cells,
    the column where the long cell starts, and the room it has (its lines are :func:`_wrap` ranges)."""
    columns = max((len(cells) for cells, _ in rows), default=0)
    widths = [max((len(cells[i][0]) for cells, _ in rows if i < len(cells)), default=0) for i in range(columns)]
    start = indent + sum(w + 1 for w in widths)
    return widths, start, max(20, width - start)


def _long_cell(last: Cell | list[Cell]) -> list[Cell]:
    return last if isinstance(last, list) else [last]


def _grid(rows: list[Row], width: int, indent: int = 1) -> Text:
    """Rows of short cells and one long last cell, laid out as text without a table engine: the short
    cells padded to their column's width, the long cell wrapped beneath itself. Each cell is
    (text, style). Thousands of rows lay out in milliseconds, where a table would measure every cell."""
    widths, start, room = _grid_measure(rows, width, indent)
    out = Text(no_wrap=True, overflow="ignore")
    for cells, last in rows:
        out.append(" " * indent)
        for (text, style), w in zip(cells, widths, strict=False):
            out.append(text, style=style)
            out.append(" " * (w - len(text) + 1))
        cell = Text.assemble(*_long_cell(last))
        for number, (begin, end) in enumerate(_wrap(cell.plain, room)):
            if number:
                out.append("\n" + " " * start)
            out.append_text(cell[begin:end])
        out.append("\n")
    out.rstrip()
    return out


def _grid_plain(rows: list[Row], width: int, indent: int = 1) -> Text | str:
    """:func:`_grid`'s text without styles (the same layout), for the listing without colour, where the console
    prints it as it is; else (a line wider than the width: wide characters, or a width that leaves the long cell
    less than 20 columns; or a control code a :class:`Text` drops in a short cell) the styled grid, for the console
    to print as it prints the coloured one."""
    widths, start, room = _grid_measure(rows, width, indent)
    lead, between = " " * indent, "\n" + " " * start
    out = []
    for cells, last in rows:
        cell = "".join([text for text, _ in _long_cell(last)])
        if not cell.isprintable():  # wrapped as the styled grid wraps it: without the control codes a Text drops
            cell = strip_control_codes(cell)
        head = "".join([text + " " * (w - len(text) + 1) for (text, _), w in zip(cells, widths, strict=False)])
        out.append(lead + head + between.join([cell[begin:end] for begin, end in _wrap(cell, room)]))
    text = "\n".join(out).rstrip()
    return text if _prints_as_is(text, width) else _grid(rows, width, indent)


def finding_rows(findings: list[Finding], width: int = 100, plain: bool = False) -> Text | str:
    """Findings one per row: status, rule, then subject, message, waiver and line, wrapped under themselves
    (``plain``: as text without styles)."""
    rows = []
    for f in findings:
        where = visible(f" ({f.location.file}:{f.location.line})") if f.location else ""
        waived = ""
        if f.status == "waived" and f.waiver:
            waived = visible(f" [waived: {f.waiver.justification} — {f.waiver.approver}, until {f.waiver.expires}]")
        tag = "N/E" if f.status == "unknown" else f.status.upper()
        text = [(visible(f"{f.subject_kind} '{f.subject_name}': {f.message}") + waived, ""), (where, "dim")]
        rows.append(([(tag.ljust(5), STATUS_STYLE[f.status]), (f.rule_id, "bold")], text))
    return (_grid_plain if plain else _grid)(rows, width)


def _by_strength(title: str, findings: list[Finding], rules: dict[str, Rule], width: int = 100, plain: bool = False) -> list[Any]:
    if not findings:
        return []
    parts: list[Any] = [Text(""), Text(title, style="bold")]
    for strength in STRENGTHS:
        mine = [f for f in findings if rules[f.rule_id].spec.strength == strength]
        if not mine:
            continue
        parts.append(Text(f"{strength.capitalize()} rules ({len(mine)})", style="bold underline"))
        for label, items in grouped(mine, rules):
            parts += [Text(visible(label), style="bold"), finding_rows(items, width, plain)]
    return parts


def rules_table(result: Result, width: int = 100, plain: bool = False) -> Text | str:
    """Every rule with its findings by status (``plain``: as text without styles)."""
    short = {"unknown": "n/e", "not_applicable": "n/a"}
    head = [("rule", "bold"), ("strength", "bold"), *((short.get(s, STATUS_LABEL[s]), "bold") for s in COLUMNS)]
    rows: list = [(head, ("title", "bold"))]
    for rule in result.rules:
        counts = result.summary.by_rule[rule.id]
        cells = [(rule.id, ""), (rule.spec.strength, ""), *((str(counts[s]) if counts[s] else "·", STATUS_STYLE[s]) for s in COLUMNS)]
        rows.append((cells, (visible(rule.spec.title + (f" [{PARAPHRASE_LABEL}]" if rule.spec.source.paraphrase else "")), "")))
    return (_grid_plain if plain else _grid)(rows, width, indent=0)


def _full_parts(result: Result, width: int, plain: bool) -> list[Any]:
    """The full listing's parts in order; with ``plain`` its grids are text without styles."""
    summary = result.summary
    rules = {r.id: r for r in result.rules}
    beyond = result.beyond_target_rules
    parts: list[Any] = [
        *_header(result),
        Text(headline(result)),
        readiness_text(summary),
        Text(""),
        maturity_table(summary),
        Text(maturity_legend(summary), style="dim"),
        Text(system_stage_sentence(summary)),
        Text(""),
        coa_table(summary),
        Text(""),
        *roadmap_parts(summary),
        Text(""),
        *freedoms_parts(summary),
    ]
    listed = [f for f in result.findings if f.status in LISTED and f.rule_id not in beyond]
    unknown = [f for f in result.findings if f.status == "unknown" and f.rule_id not in beyond]
    parts += _by_strength("Gaps (what the description states falls short), must first, by domain or framework", listed, rules, width, plain)
    parts += _by_strength("Not evidenced (the description does not state what the rule needs)", unknown, rules, width, plain)
    apart = [f for f in result.findings if f.rule_id in beyond and f.status in (*LISTED, "unknown")]
    if apart:
        t = summary.beyond_target.totals
        threshold = summary.beyond_target.threshold
        parts += [Text(""), Text(
            f"Beyond the target ({threshold}): the matrix bullets above {threshold}, the roadmap, not counted as gaps — "
            f"{plural(t['gap'], 'gap')}, {t['unknown']} not evidenced, {t['pass']} passed",
            style="bold",
        )]
        for label, items in grouped(apart, rules):
            parts += [Text(visible(label), style="bold"), finding_rows(items, width, plain)]
    totals = summary.all_totals or summary.totals
    parts += [
        Text(""),
        Text("Every rule: its findings by status (n/e not evidenced, n/a not applicable)", style="bold"),
        rules_table(result, width, plain),
        Text(""),
        Text("Every finding, beyond the target included: " + ", ".join(f"{totals[s]} {STATUS_LABEL[s]}" for s in COLUMNS)),
    ]
    return parts


def full_view(result: Result, width: int = 100) -> Group:
    """Everything: scores, roadmap, freedoms, then every gap and every finding not evidenced grouped by strength
    (must first) and by domain or framework, the matrix bullets beyond the target apart, and every rule."""
    return Group(*_full_parts(result, width, plain=False))


def full_text(result: Result, width: int = 100) -> str:
    """:func:`full_view` as text without colour (the ``.txt`` report): the same characters a rich Console prints
    of it at this width without colour, then control characters shown by :func:`visible` and trailing blanks removed.

    The grids are built without styles by :func:`_grid_plain` (the coloured grids' layout) and the lines of text
    wrapped as rich wraps them; the two small tables, and only what rich would crop or change (wide characters,
    a line wider than the width), are printed through a Console."""
    return _plain_text(_full_parts(result, width, plain=True), width)


# -- text without colour: rich's layout, without rich's console where a part does not need it ------

_TRAILING_WHITESPACE = re.compile(r"\s+$")  # what rich's Text.rstrip_end removes


@lru_cache(maxsize=4096)  # headings and roadmap bullets recur, within a listing and across a batch
def _text_lines(text: str, width: int) -> tuple[str, ...]:
    """One line of text (no newline, no tab) as rich lays out a :class:`Text` of default justify, overflow and
    wrapping at this width (``Text.wrap``): broken where rich's ``divide_line`` breaks it (a word longer than a line
    folded), whitespace past the width dropped, and each line cut to the width."""
    if text.isascii() and len(text) <= width:
        return (text,)
    bounds = [0, *divide_line(text, width, fold=True), len(text)]
    lines = []
    for begin, end in zip(bounds, bounds[1:]):
        line = text[begin:end]
        if len(line) > width:
            blank = _TRAILING_WHITESPACE.search(line)
            if blank:
                line = line[: len(line) - min(len(blank.group(0)), len(line) - width)]
        if cell_len(line) > width:
            line = set_cell_size(line, width)
        lines.append(line)
    return tuple(lines)


#: Characters one cell wide that a Text prints as they are (a test holds this to rich); others are looked at one by one.
_NOT_ORDINARY = re.compile("[^\n -~\u00a0-\u00ac\u00ae-\u02ff\u2010-\u2027]")


@lru_cache(maxsize=None)
def _as_is(char: str) -> bool:
    """Whether a Text prints the character as it is, in at most one cell (it expands a tab and drops a few control
    codes; a joiner or an emoji selector can widen what comes before it)."""
    return char not in "\t\a\b\v\f\r\u200d\ufe0f" and get_character_cell_size(char) <= 1


def _narrow(text: str) -> bool:
    """Whether a Text prints every character of the text as it is, in at most one cell: then no piece of it is
    wider in cells than in characters, and the cells of its pieces add up (the console crops a line by its pieces)."""
    return all(_as_is(found.group()) for found in _NOT_ORDINARY.finditer(text))


def _prints_as_is(text: str, width: int) -> bool:
    """Whether the console prints this text, unwrapped and however styled, as it is: every character as it is,
    and no line wider than the width."""
    return _narrow(text) and max(map(len, text.split("\n"))) <= width


def _plain_default(part: Any) -> bool:
    """Whether a part is a line of text with rich's default layout, which :func:`_text_lines` lays out as rich does
    (a styled one only if narrow: then the console, which crops by pieces, leaves its lines as they are)."""
    return (
        isinstance(part, Text) and part.justify is None and part.overflow is None and not part.no_wrap
        and part.end == "\n" and "\n" not in part.plain and "\t" not in part.plain
        and (not part.spans or _narrow(part.plain))
    )


def _plain_text(parts: Iterable[Any], width: int) -> str:
    """Parts of a listing, one after the other, as text without colour: the characters a rich Console of this
    width prints of them without colour, then every control character shown by :func:`visible` and the blanks
    at each line's end removed. A part is a grid's text that the console prints as it is (a str from
    :func:`_grid_plain`), a line of text of rich's default layout (wrapped here as rich wraps it), or any other
    renderable, printed through a Console."""
    console = None
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out += part.split("\n")
        elif _plain_default(part):
            out += _text_lines(part.plain, width)
        else:
            if console is None:
                console = Console(
                    file=io.StringIO(), width=width, color_system=None, force_terminal=False, no_color=True, highlight=False,
                )
            with console.capture() as capture:
                console.print(Group(part))  # as in the listing's Group (print would join a Text with its own settings)
            out += capture.get().split("\n")[:-1]
    return "".join(visible(line).rstrip(" ") + "\n" for line in out)
