"""Reports rendered from a :class:`~icscheck.api.Result`.

The JSON report is the contract (see ``REPORT_SCHEMA_VERSION``); the text
report is a rich renderable for the terminal.  Both are deterministic: the
same inputs give byte-identical output.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from markupsafe import Markup
from rich.console import Group
from rich.table import Table
from rich.text import Text

from . import __version__, jsontext
from .api import Result
from .comparison import CLASSES, Comparison, why
from .frameworks import DESIGNATION_QUOTE, FREEDOMS_SOURCE, MATRIX_DOMAINS, MATRIX_SOURCE, OPERATING_ARRANGEMENTS, STAGES
from .conditions import Trace, describe, outline
from .errors import Location
from .findings import STATUS_LABEL, CitedWords, EvidenceRef, FactReading, Finding
from .rules import Rule, Source
from .scoring import MET, NOT_EVIDENCED, NOT_MET, STAGE_METHOD_TEXT, DomainScore, Readiness, StageCell, Summary
from .safetext import visible
from .templating import html_environment, markdown_environment
from .graph import picture_graph

REPORT_SCHEMA_VERSION = "4.0"
COLUMNS = ("pass", "gap", "waived", "unknown", "info", "not_applicable", "error")  # status order in tables
LISTED = ("gap", "error", "waived", "info")  # findings listed one by one under "Gaps"
RAG_STYLE = {"G": "bold green", "GA": "green", "A": "yellow", "AR": "dark_orange", "R": "bold red"}
STATUS_STYLE = {
    "pass": "green",
    "gap": "red",
    "error": "bold red",
    "info": "cyan",
    "not_applicable": "dim",
    "waived": "magenta",
    "unknown": "yellow",
}
STRENGTHS = ("must", "should", "may")
READINESS_STYLE = {"ready": "bold green", "not ready": "bold red", "undetermined": "bold yellow"}


# -- JSON: the one place typed results become plain data -----------------------------

def source_dict(source: Source) -> dict[str, Any]:
    return {
        "document": source.document,
        "publisher": source.publisher,
        "date": source.date,
        "paragraph": source.paragraph,
        "citation": source.citation(),
        "wording": "quote" if source.quote else "paraphrase",
        **({"note": source.note} if source.note else {}),
    }


def rule_dict(rule: Rule, full: bool = False) -> dict[str, Any]:
    spec = rule.spec
    out: dict[str, Any] = {
        "id": spec.id,
        "title": spec.title,
        "framework": spec.framework,
        "domain": spec.domain,
        "stage": spec.stage,
        "arrangement": spec.arrangement,
        "strength": spec.strength,
        "source": source_dict(spec.source),
        **({"parameters": dict(spec.parameters)} if spec.parameters else {}),
    }
    if full:
        out.update(
            {
                "requirement": spec.source.requirement,
                "quote": spec.source.quote,
                "paraphrase": spec.source.paraphrase,
                "also_cites": [source_dict(s) for s in spec.also_cites],
                "rationale": spec.rationale,
                "applies_to": rule.kind,
                "where": describe(rule.where) if rule.where is not None else None,
                "condition": describe(rule.condition),
                "examines": list(rule.examined),
                "effective_from": spec.effective_from.isoformat() if spec.effective_from else None,
                "effective_to": spec.effective_to.isoformat() if spec.effective_to else None,
                "superseded_by": spec.superseded_by,
                "successors": list(spec.successors),
                "file": rule.file,
            }
        )
    return out


def location_dict(location: Location | None) -> dict[str, Any] | None:
    return None if location is None else {"file": location.file, "line": location.line}


def trace_rows(trace: Trace) -> list[dict[str, Any]]:
    """A condition's trace as rows in document order: depth, test, verdict and, for a comparison, what it read."""
    rows = []
    for line in outline(trace):
        row: dict[str, Any] = {"depth": line.depth, "test": line.test, "verdict": line.verdict.value}
        if line.reading is not None:
            row["fact"] = line.reading.fact
            row["value"] = line.reading.value
            if line.reading.at_least:
                row["at_least"] = True
        rows.append(row)
    return rows


def cited_dict(c: CitedWords) -> dict[str, Any]:
    """The words one claim cites from an evidence item."""
    return {"claim": c.claim, "quote": c.quote, "locator": c.locator, "at": location_dict(c.at)}


def evidence_item_dict(e: EvidenceRef) -> dict[str, Any]:
    """An evidence item, once per report (the report's ``evidence``, keyed by id)."""
    optional = (("publisher", e.publisher), ("section", e.section), ("url", e.url), ("quote", e.quote))
    return {"title": e.title, "date": e.date, **{k: v for k, v in optional if v}}


def evidence_dict(e: EvidenceRef) -> dict[str, Any]:
    """An evidence item a finding rests on, by id, with the words its claims cite from it."""
    return {"id": e.id, "citations": [cited_dict(c) for c in e.citations]}


def finding_dict(f: Finding, rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule_id": f.rule_id,
        "status": f.status,
        "strength": rule.spec.strength,
        "subject": {"id": f.subject.id, "kind": f.subject.kind, "name": f.subject.name},
        "fingerprint": f.fingerprint,
        "message": f.message,
        "location": location_dict(f.location),
        "expected_at": [location_dict(loc) for loc in f.expected_at],
        "evidence": [evidence_dict(e) for e in f.evidence],
        "facts": [
            {
                "name": r.name,
                "value": r.value,
                **({"at_least": True} if r.at_least else {}),
                "from": [location_dict(loc) for loc in r.sources],
                "claims": list(r.claims),
            }
            for r in f.facts
        ],
        "claims": [
            {
                "id": c.id,
                "kind": c.kind,
                "at": location_dict(c.location),
                **({"transcribed_from": c.transcribed_from} if c.transcribed_from else {}),
            }
            for c in f.claims
        ],
        "checks": [
            {"fact": c.fact, "op": c.op, "value": c.value, "actual": c.actual, **({"at_least": True} if c.at_least else {}), "holds": c.holds}
            for c in f.checks
        ],
        "unknown": list(f.unknown),
    }
    if f.trace is not None:
        out["trace"] = trace_rows(f.trace)
    if f.where_trace is not None:
        out["applies_trace"] = trace_rows(f.where_trace)
    if f.waiver:
        w = f.waiver
        out["waiver"] = {
            "justification": w.justification,
            "approver": w.approver,
            "granted": w.granted,
            "expires": w.expires,
            "file": w.file,
            "state": w.state,
        }
    return out


def readiness_target(readiness: Readiness) -> dict[str, Any]:
    """The stage readiness asks for, with the matrix's own words."""
    return {
        "stage": readiness.threshold,
        "quote": DESIGNATION_QUOTE,
        "source": MATRIX_SOURCE,
        "matrix_target": readiness.threshold == "maturing",
    }


def summary_dict(summary: Summary) -> dict[str, Any]:
    r = summary.readiness
    beyond = summary.beyond_target
    return {
        "stage_method": summary.method,
        "totals": dict(summary.totals),
        "all_findings": dict(summary.all_totals or summary.totals),
        "beyond_target": None if beyond is None else {
            "threshold": beyond.threshold,
            "note": (
                f"maturity matrix bullets above {beyond.threshold} are the roadmap, not gaps: their findings keep their "
                "status but are left out of totals, rules_with_gaps and rules_not_evidenced and counted here"
            ),
            "rules": list(beyond.rules),
            "totals": dict(beyond.totals),
            "rules_with_gaps": list(beyond.rules_with_gaps),
            "rules_not_evidenced": list(beyond.rules_not_evidenced),
        },
        "rules_evaluated": summary.rules_evaluated,
        "rules_with_gaps": list(summary.rules_with_gaps),
        "rules_not_evidenced": list(summary.rules_not_evidenced),
        "maturity": summary.maturity,
        "maturity_unstaged": summary.unstaged,
        "coa": summary.coa,
        "readiness": {
            "threshold": r.threshold,
            "method": r.method,
            "target": readiness_target(r),
            "ready": r.ready,
            "verdict": r.verdict,
            "domains_below_threshold": list(r.domains_below_threshold),
            "blocking_gaps": list(r.blocking_gaps),
            "blocking_not_evidenced": list(r.blocking_not_evidenced),
        },
        "next_stage": summary.next_stage,
        "system_stage": summary.system_stage,
        "freedoms": {
            "stage": summary.freedoms.stage,
            "now": summary.freedoms.now,
            "next_stage": summary.freedoms.next_stage,
            "next": summary.freedoms.next,
        },
        "maturity_detail": {
            key: {
                "name": d.name,
                "staged": d.staged,
                "method": d.method,
                "stage": d.stage,
                "state": d.state,
                "label": d.label,
                "stages": {
                    stage: {
                        "must_rules": c.must_rules,
                        "met": c.met,
                        "not_met": c.not_met,
                        "not_evidenced_count": len(c.not_evidenced),
                        "state": c.state,
                        "fits": c.fits,
                        "fit": c.fit,
                        "failing": list(c.failing),
                        "not_evidenced": list(c.not_evidenced),
                    }
                    for stage, c in d.stages.items()
                },
                "next_stage": d.next_stage,
                "undetermined": d.undetermined,
                "roadmap": [
                    {
                        "rule_id": i.rule_id,
                        "stage": i.stage,
                        "action": i.action,
                        "beyond_target": i.beyond_target,
                        "messages": list(i.messages),
                    }
                    for i in d.roadmap
                ],
            }
            for key, d in summary.domains.items()
        },
        "coa_detail": {
            key: {
                "name": a.name,
                "rag": a.rag,
                "status": a.status,
                "reason": a.reason,
                "rules_with_gaps": list(a.rules_with_gaps),
                "rules_not_evidenced": list(a.rules_not_evidenced),
            }
            for key, a in summary.arrangements.items()
        },
        "by_rule": summary.by_rule,
    }


def report_dict(result: Result) -> dict[str, Any]:
    system = result.fixture.description.system
    rules = {rule.id: rule for rule in result.rules}
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": "icscheck", "version": __version__},
        "engine": result.engine,
        "system": {
            "id": system.id,
            "name": system.name,
            "ods_code": system.ods_code,
            "ons_code": system.ons_code,
            "file": result.fixture.file,
        },
        "as_of": result.as_of.isoformat(),
        "rulebook_date": result.rulebook_date.isoformat(),
        "rules": [rule_dict(rule) for rule in result.rules],
        "evidence": {e.id: evidence_item_dict(e) for e in sorted({e.id: e for f in result.findings for e in f.evidence}.values(), key=lambda e: e.id)},
        "findings": [finding_dict(f, rules[f.rule_id]) for f in result.findings],
        "errors": [
            {"rule_id": f.rule_id, "subject": f.subject_id, "message": f.message}
            for f in result.findings
            if f.status == "error"
        ],
        "summary": summary_dict(result.summary),
        **({"selection": result.selection.as_dict()} if result.selection is not None else {}),
    }


def to_json(result: Result) -> str:
    return jsontext.dumps(report_dict(result))


# -- text ----------------------------------------------------------------------------------

def stage_label(stage: str | None) -> str:
    return stage if stage else "not yet emerging"


def counts_by_strength(result: Result, beyond: bool = False) -> dict[str, dict[str, int]]:
    """Findings per status and rule strength: those of the headline, or (``beyond``) only those beyond the target."""
    strengths = {rule.id: rule.spec.strength for rule in result.rules}
    apart = result.beyond_target_rules
    out = {status: {strength: 0 for strength in STRENGTHS} for status in COLUMNS}
    for f in result.findings:
        if (f.rule_id in apart) == beyond:
            out[f.status][strengths[f.rule_id]] += 1
    return out


def rulebook_note(result: Result) -> str:
    """Said only when the rules applied are those in force on another date than the assessment's."""
    if result.rulebook_date == result.as_of:
        return ""
    return f" (those in force on {result.rulebook_date.isoformat()}, not on the assessment date)"


def headline(result: Result) -> str:
    """Gaps and not-evidenced findings, as separate counts by strength; matrix bullets beyond the target apart."""
    counts = counts_by_strength(result)

    def part(status: str, label: str) -> str:
        total = sum(counts[status].values())
        split = ", ".join(f"{counts[status][s]} {s}" for s in STRENGTHS if counts[status][s])
        return f"{total} {label}" + (f" ({split})" if split else "")

    parts = [part("gap", "gaps"), part("unknown", "not evidenced"), f"{sum(counts['pass'].values())} passed"]
    if sum(counts["waived"].values()):
        parts.append(part("waived", "waived"))
    if sum(counts["error"].values()):
        parts.append(part("error", "errors"))
    beyond = beyond_note(result)
    if result.selection is not None:
        s = result.selection
        parts.append(f"{s.selected} of {s.of} rules selected (the scores read every rule)")
    return " · ".join(parts) + (f" · {beyond}" if beyond else "")


def beyond_note(result: Result) -> str:
    """What the headline leaves out: the maturity matrix bullets above the readiness target."""
    beyond = result.summary.beyond_target
    if beyond is None or not beyond.rules:
        return ""
    t = beyond.totals
    counted = [f"{t['gap']} gap{'s' if t['gap'] != 1 else ''}", f"{t['unknown']} not evidenced", f"{t['pass']} passed"]
    counted += [f"{t[s]} {STATUS_LABEL[s]}" for s in ("waived", "error") if t[s]]
    return (
        f"beyond the target ({beyond.threshold}): {', '.join(counted)} — the matrix bullets above {beyond.threshold}, "
        "counted apart, not in the counts before; they are the roadmap"
    )


FIT_MARK = {True: ("fits", "green"), False: ("no", "red"), None: ("n/d", "yellow")}


def cell_counts(cell: StageCell) -> str:
    """A cell's bullets: met ✓, not met ✗, not evidenced ?."""
    return f"{cell.met}✓ {cell.not_met}✗ {len(cell.not_evidenced)}?"


def stage_column(summary: Summary) -> str:
    return f"stage ({summary.method})"


def maturity_legend(summary: Summary) -> str:
    unstaged = ", ".join(f"'{d.name}'" for d in summary.domains.values() if not d.staged)
    return (
        "Each cell: the stage's bullets (must-rules) met ✓, not met ✗ and not evidenced ? (never counted as met or as "
        f"not met); then whether the stage fits, read {STAGE_METHOD_TEXT[summary.method]}: fits, no, or n/d (not "
        "determined: the bullets not evidenced decide it). The stage is the highest stage that fits with every lower "
        "stage (the emerging column describes the starting point: it has no must-rules)."
        + (f" {unstaged}: the same bullets at every stage, so scored met / not met / not evidenced, not as a stage." if unstaged else "")
    )


def system_stage_sentence(summary: Summary) -> str:
    staged = [d for d in summary.domains.values() if d.staged]
    unstaged = [d for d in summary.domains.values() if not d.staged]
    text = (
        f"System stage: {summary.system_stage or 'not yet emerging'} (the lowest stage of its {len(staged)} staged "
        f"domains, read {summary.method})"
    )
    if unstaged:
        text += "; beside it, " + "; ".join(f"{d.name}: {d.state}" for d in unstaged)
    return text


def maturity_cell(info: DomainScore, stage: str) -> Text:
    """One cell of the domain x stage table: the bullets met, not met and not evidenced, and whether the
    stage fits (a domain not staged: met / not met / not evidenced once, then "same")."""
    cell = info.stages[stage] if info.staged else info.stages[STAGES[0]]
    if not info.staged and stage != STAGES[0]:
        return Text("same", style="dim")
    if not cell.must_rules:
        return Text("·", style="dim")
    if not info.staged:
        mark, style = {MET: ("met", "green"), NOT_MET: ("not met", "red"), NOT_EVIDENCED: ("n/e", "yellow")}[cell.state]
    else:
        mark, style = FIT_MARK[cell.fits]
    return Text(f"{cell_counts(cell)} {mark}", style=style)


def maturity_table(summary: Summary) -> Table:
    """Domains x stages: for each cell the bullets met, not met and not evidenced, whether it fits, and the stage."""
    table = Table(title="Maturity matrix: bullets per stage", title_justify="left", show_edge=False, pad_edge=False, box=None)
    table.add_column("domain")
    for stage in STAGES:
        table.add_column(stage, justify="center")
    table.add_column(stage_column(summary), style="bold")
    for info in summary.domains.values():
        cells = []
        cells = [maturity_cell(info, stage) for stage in STAGES]
        table.add_row(info.name, *cells, info.label if info.staged else f"{info.label} (not staged)")
    return table


def coa_table(summary: Summary) -> Table:
    table = Table(title="Consistent operating arrangements: delivery RAG", title_justify="left", show_edge=False, pad_edge=False, box=None)
    for column in ("arrangement", "RAG", "why"):
        table.add_column(column, overflow="fold")
    for info in summary.arrangements.values():
        rag = Text(info.rag, style=RAG_STYLE[info.rag]) if info.rag else Text("—", style="yellow")
        table.add_row(info.name, rag, Text(visible(info.reason)))
    return table


def readiness_basis(readiness: Readiness) -> str:
    """What readiness was read against, and how: the target in the matrix's words and the stage method."""
    if readiness.threshold == "maturing":
        target = f'Target: "meet the attributes of a maturing ICS" ({MATRIX_SOURCE})'
    else:
        target = (
            f"Target: the attributes of a {readiness.threshold} ICS, set by --threshold (the matrix asks systems to "
            f'"meet the attributes of a maturing ICS", {MATRIX_SOURCE})'
        )
    return f"{target}; stages read {STAGE_METHOD_TEXT[readiness.method]}"


def readiness_sentence(readiness: Readiness) -> str:
    t = readiness.threshold
    if readiness.verdict == "ready":
        verdict = f"ready (every domain reaches {t}; a domain with the same bullets at every stage is met)"
    elif readiness.verdict == "not ready":
        n = len(readiness.blocking_gaps)
        extra = f"; {len(readiness.blocking_not_evidenced)} more not evidenced" if readiness.blocking_not_evidenced else ""
        verdict = f"not ready ({n} must-rule{'s' if n != 1 else ''} with gaps hold a domain below {t}{extra})"
    else:
        n = len(readiness.blocking_not_evidenced)
        verdict = (
            f"undetermined (no gap holds a domain below {t}, "
            f"but {n} must-rule{'s' if n != 1 else ''} not evidenced decide it)"
        )
    return f"Designation readiness: {verdict}. {readiness_basis(readiness)}"


def readiness_text(summary: Summary) -> Text:
    return Text(readiness_sentence(summary.readiness), style=READINESS_STYLE[summary.readiness.verdict])


def freedoms_parts(summary: Summary) -> list[Any]:
    freedoms = summary.freedoms
    stage = freedoms.stage or "not yet emerging"
    parts: list[Any] = [Text(f"Freedoms and flexibilities (system stage: {stage}; the lowest stage of its staged domains)", style="bold")]
    for label, items_by_area in (("now", freedoms.now), (f"at {freedoms.next_stage}", freedoms.next)):
        if not items_by_area:
            continue
        parts.append(Text(f"  {label}:"))
        for area, items in items_by_area.items():
            for item in items:
                parts.append(Text(f"    {area}: {item}"))
    return parts


def roadmap_heading(info: DomainScore) -> str:
    if not info.staged:
        return f"{info.name}: {info.state} (the same bullets at every stage)"
    if info.next_stage is None:
        return f"{info.name}: {info.label}, the last stage"
    return f"{info.name}: {info.label}; next stage {info.next_stage}"


def roadmap_title(summary: Summary) -> str:
    threshold = summary.readiness.threshold
    return (
        "Roadmap: per domain, every bullet still open, by stage — what to do (gaps) and what to evidence (not "
        f"evidenced); bullets above {threshold} are beyond the target"
    )


def roadmap_parts(summary: Summary) -> list[Any]:
    parts: list[Any] = [Text(roadmap_title(summary), style="bold")]
    for info in summary.domains.values():
        parts.append(Text(roadmap_heading(info), style="bold"))
        if not info.roadmap:
            parts.append(Text("  nothing open"))
        for item in info.roadmap:
            message = item.messages[0] if item.messages else ""
            style = "red" if item.action == "to do" else "yellow"
            where = f"{item.stage}, beyond the target" if item.beyond_target else item.stage
            parts.append(Text.assemble((f"  {item.action:<11} ", style), visible(f"{item.rule_id} ({where}): {message}")))
    return parts


def text_report(result: Result) -> Group:
    """The full text listing as a rich renderable (what ``--full`` prints on a terminal); its text without colour,
    what ``batch`` writes, is :func:`icscheck.textreport.full_text`. See :mod:`icscheck.textreport`."""
    from .textreport import full_view

    return full_view(result)


def rules_table(rules: list[Rule]) -> Table:
    table = Table(show_edge=False, pad_edge=False, box=None)
    for column in ("id", "framework", "strength", "applies to", "title", "source"):
        table.add_column(column, overflow="fold")
    for rule in rules:
        spec = rule.spec
        table.add_row(*(Text(visible(v)) for v in (spec.id, spec.framework, spec.strength, rule.kind, spec.title, spec.source.paragraph)))
    return table


def rule_text(rule: Rule) -> Group:
    spec = rule.spec
    lines = [
        Text(visible(f"{spec.id}: {spec.title}"), style="bold"),
        Text(visible(f"framework: {spec.framework}  strength: {spec.strength}  applies to: {rule.kind}"
             + (f"  domain: {spec.domain}" if spec.domain else "")
             + (f"  stage: {spec.stage}" if spec.stage else ""))),
        Text(visible(f"source: {spec.source.citation()}")),
        Text(visible(f"requirement: {spec.source.requirement}")),
    ]
    if spec.source.wording():
        lines.append(Text(visible(f"wording: {spec.source.wording()}")))
    if spec.source.note:
        lines.append(Text(visible(f"note: {spec.source.note}")))
    for extra in spec.also_cites:
        lines.append(Text(visible(f"also: {extra.citation()}")))
    lines += [
        Text(visible(f"why: {spec.rationale}")),
        Text(visible(f"examines: {', '.join(rule.examined)}")),
        Text(visible(f"file: {rule.file}")),
    ]
    return Group(*lines)


def to_markdown(result: Result, docs_base: str = "../docs/rules/") -> str:
    """The report as Markdown: scores, roadmap, every gap with its evidence and source, every rule."""
    return markdown_environment().get_template("report.md.j2").render(**_context(result), docs_base=docs_base)


def one_line(text: str) -> str:
    """A quote on one line: runs of whitespace (tabs, line breaks) shown as one space."""
    return " ".join(text.split())


def cited_text(w: CitedWords) -> str:
    """One citation in words: the quote in quotation marks, then the document and where in it."""
    where = f"{w.title}, {w.locator}" if w.locator else w.title
    if w.quote:
        return f"\u201c{one_line(w.quote)}\u201d ({where})"
    return f"{where} (cited without its words)"


def words_text(f: Finding, reading: FactReading) -> str:
    """The words the claims behind one fact of a finding cite, or why there are none."""
    words = f.words(reading)
    if words:
        return "; ".join(cited_text(w) for w in words)
    if reading.claims:
        return "the claims behind it cite no evidence"
    return "no claim of the description states it"


def transcribed_note(f: Finding, reading: FactReading) -> str:
    sources = sorted({c.transcribed_from for c in f.transcribed(reading) if c.transcribed_from})
    if not sources:
        return ""
    names = ", ".join(f"'{name}'" for name in sources)
    return f" (copied from the self-assessment {names}: the system's own rating)"


def not_evidenced_words(f: Finding) -> str:
    """For a finding not evidenced: the words cited by the claims where its missing facts belong."""
    seen: list[str] = []
    for reading in f.grounds:
        for w in f.words(reading):
            text = cited_text(w)
            if text not in seen:
                seen.append(text)
    return "; ".join(seen) or "—"


def _context(result: Result) -> dict[str, Any]:
    """What the Markdown and HTML report templates show."""
    return {
        "system": result.fixture.description.system,
        "file": result.fixture.file,
        "as_of": result.as_of.isoformat(),
        "rulebook_note": rulebook_note(result),
        "engine": result.engine,
        "version": __version__,
        "rules": result.rules,
        "stages": STAGES,
        "summary": result.summary,
        "gaps": [f for f in result.findings if f.status in LISTED],
        "not_evidenced": [f for f in result.findings if f.status == "unknown"],
        "headline": headline(result),
        "readiness_sentence": readiness_sentence(result.summary.readiness),
        "maturity_legend": maturity_legend(result.summary),
        "system_stage_sentence": system_stage_sentence(result.summary),
        "stage_column": stage_column(result.summary),
        "roadmap_title": roadmap_title(result.summary),
        "roadmap_heading": roadmap_heading,
        "cell_counts": cell_counts,
        "status_label": STATUS_LABEL,
        "titles": {r.id: r.spec.title for r in result.rules},
        "strengths": {r.id: r.spec.strength for r in result.rules},
        "sources": {r.id: r.spec.source.cited() for r in result.rules},
        "freedoms_source": FREEDOMS_SOURCE,
        "words_text": words_text,
        "transcribed_note": transcribed_note,
        "not_evidenced_words": not_evidenced_words,
    }


def comparison_json(items: list[Comparison]) -> str:
    return jsontext.dumps([c.as_dict() for c in items])


def comparison_markdown(items: list[Comparison]) -> str:
    template = markdown_environment().get_template("comparison.md.j2")
    return "\n".join(template.render(c=c, data=c.as_dict(), classes=CLASSES, why=why) for c in items)


def regional_dict(results: list[Result], threshold: str) -> dict[str, Any]:
    systems = []
    for result in results:
        system = result.fixture.description.system
        systems.append(
            {
                "id": system.id,
                "name": system.name,
                "file": result.fixture.file,
                "as_of": result.as_of.isoformat(),
                "maturity": result.summary.maturity,
                "coa": result.summary.coa,
                "ready": result.summary.readiness.ready,
                "readiness": result.summary.readiness.verdict,
                "gaps": result.summary.totals["gap"],
                "not_evidenced": result.summary.totals["unknown"],
            }
        )
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": "icscheck", "version": __version__},
        "threshold": threshold,
        "stage_method": results[0].summary.method if results else None,
        "domains": MATRIX_DOMAINS,
        "arrangements": OPERATING_ARRANGEMENTS,
        "systems": systems,
    }


def regional_json(results: list[Result], threshold: str) -> str:
    return jsontext.dumps(regional_dict(results, threshold))


def regional_markdown(results: list[Result], threshold: str) -> str:
    rows = [
        {"system": r.fixture.description.system, "as_of": r.as_of.isoformat(), "summary": r.summary}
        for r in results
    ]
    return markdown_environment().get_template("regional.md.j2").render(
        results=rows, domains=MATRIX_DOMAINS, arrangements=OPERATING_ARRANGEMENTS, threshold=threshold,
        stage_method=results[0].summary.method if results else None,
    )


def diff_markdown(d: dict[str, Any]) -> str:
    return markdown_environment().get_template("diff.md.j2").render(d=d)


def diff_text(d: dict[str, Any]) -> Group:
    def t(value: Any) -> Text:
        return Text(visible(value))

    parts: list[Any] = [Text(visible(f"{d['new']['system']['name']}: {d['old']['as_of']} → {d['new']['as_of']}"), style="bold"), Text("")]
    stages = Table(title="Maturity stage by domain", title_justify="left", show_edge=False, pad_edge=False, box=None)
    for column in ("domain", d["old"]["as_of"], d["new"]["as_of"], "change"):
        stages.add_column(t(column))
    for row in d["domains"]:
        stages.add_row(t(row["name"]), t(stage_label(row["old"])), t(stage_label(row["new"])), t(row["change"]))
    rags = Table(title="Operating arrangement RAG", title_justify="left", show_edge=False, pad_edge=False, box=None)
    for column in ("arrangement", d["old"]["as_of"], d["new"]["as_of"], "change"):
        rags.add_column(t(column))
    for row in d["arrangements"]:
        rags.add_row(t(row["name"]), t(row["old"] or "—"), t(row["new"] or "—"), t(row["change"]))
    gaps = d["gaps"]
    parts += [stages, Text(""), rags, Text(""), Text(f"Gaps: {len(gaps['new'])} new, {len(gaps['closed'])} closed, {len(gaps['unchanged'])} unchanged", style="bold")]
    for label, items, style in (("NEW", gaps["new"], "red"), ("CLOSED", gaps["closed"], "green")):
        for g in items:
            parts.append(Text.assemble((f"{label:6} ", style), visible(f"{g['rule_id']} {g['subject']['kind']} '{g['subject']['name']}': {g['message']}")))
    return Group(*parts)


PICTURE_SPACING = 46  # pixels between neighbours in a layer: numbers never overlap
PICTURE_ROW = 110


def picture_layout(picture) -> dict[str, tuple[float, float]]:
    """Layers top to bottom; within a layer, each node near the mean position of its neighbours in the
    layers above (ties by name and id), so lines cross less. Depends on nothing but the graph."""
    layers: dict[int, list[str]] = {}
    for node, data in picture.nodes(data=True):
        layers.setdefault(data["layer"], []).append(node)
    widest = max((len(nodes) for nodes in layers.values()), default=1)
    width = max(900, PICTURE_SPACING * (widest + 1))
    coords: dict[str, tuple[float, float]] = {}
    for layer in sorted(layers):
        def order(node: str) -> tuple:
            above = [coords[n][0] for n in (*picture.predecessors(node), *picture.successors(node)) if n in coords]
            return (sum(above) / len(above) if above else width / 2, picture.nodes[node]["name"], node)

        nodes = sorted(layers[layer], key=order)
        step = width / (len(nodes) + 1)
        for i, node in enumerate(nodes, start=1):
            coords[node] = (round(i * step, 1), float(40 + layer * PICTURE_ROW))
    return coords


def picture_svg(result: Result) -> str:
    """An SVG picture of the system in layers (system, boards, places and collaboratives, organisations),
    each subject numbered and named in a legend beside it, subjects with gaps marked in red.

    The lines, and each subject's shape and number, are drawn here from numbers and fixed colours only;
    every name and rule id is written by the template, escaped there."""
    picture = picture_graph(result.graph)
    gaps: dict[str, set[str]] = {}
    for f in result.findings:
        if f.status in ("gap", "error"):
            gaps.setdefault(f.subject_id, set()).add(f.rule_id)
    coords = picture_layout(picture)
    ordered = sorted(picture.nodes, key=lambda n: (coords[n][1], coords[n][0], n))
    numbers = {node: i for i, node in enumerate(ordered, start=1)}
    width = max([900.0] + [x + PICTURE_SPACING for x, _ in coords.values()])
    height = max([160.0] + [y + 40 for _, y in coords.values()])

    def shape(kind: str, x: float, y: float, colours: str) -> str:
        if kind == "system":
            return f'<circle cx="{x}" cy="{y}" r="13" {colours} stroke-width="2"/>'
        if kind == "board":
            return f'<rect x="{x - 12}" y="{y - 12}" width="24" height="24" {colours} stroke-width="2"/>'
        if kind == "place":
            return f'<polygon points="{x},{y - 15} {x - 14},{y + 11} {x + 14},{y + 11}" {colours} stroke-width="2"/>'
        if kind == "collaborative":
            return f'<polygon points="{x},{y - 14} {x + 14},{y} {x},{y + 14} {x - 14},{y}" {colours} stroke-width="2"/>'
        return f'<circle cx="{x}" cy="{y}" r="11" {colours} stroke-width="1.5"/>'

    data = picture.nodes
    nodes = []
    for node in ordered:
        x, y = coords[node]
        kind, name, number = data[node]["type"], data[node]["name"], numbers[node]
        marked = ", ".join(sorted(gaps[node])) if node in gaps else ""
        colours = 'fill="#fbe3e3" stroke="#d5281b"' if marked else 'fill="#e8edee" stroke="#005eb8"'
        nodes.append(
            SimpleNamespace(
                number=number,
                name=name,
                gaps=marked,
                label=f"{number}. {name} ({kind})" + (f" — gaps: {marked}" if marked else ""),
                about=kind + (f"; gaps: {marked}" if marked else ""),
                figure=Markup(f'{shape(kind, x, y, colours)}\n<text x="{x}" y="{y + 4}" text-anchor="middle">{number}</text>'),
            )
        )
    lines = Markup(
        "".join(
            f'<line x1="{coords[u][0]}" y1="{coords[u][1]}" x2="{coords[v][0]}" y2="{coords[v][1]}" stroke="#aeb7bd" stroke-width="0.8"/>\n'
            for u, v in sorted(picture.edges(), key=lambda e: (numbers[e[0]], numbers[e[1]]))
        )
    )
    from .boardpack import written  # the template's output joined as it goes: see there

    return written(html_environment().get_template("picture.svg.j2").generate(nodes=nodes, lines=lines, width=int(width), height=int(height)))


def to_html(result: Result) -> str:
    """One self-contained HTML file, laid out as a board pack (see :mod:`icscheck.boardpack`): no scripts, no
    network requests, every fixture string escaped."""
    from .boardpack import report_html  # it builds on this module's helpers

    return report_html(result)


def regional_html(results: list[Result], threshold: str, links: list[str] | None = None) -> str:
    """The regional dashboard as one self-contained HTML file; ``links`` names each system's HTML report."""
    from .boardpack import regional_html as dashboard

    return dashboard(results, threshold, links)
