"""Reports rendered from a :class:`~icscheck.api.Result`.

The JSON report is the contract (see ``REPORT_SCHEMA_VERSION``); the text
report is a rich renderable for the terminal.  Both are deterministic: the
same inputs give byte-identical output.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from . import __version__
from .api import Result
from .comparison import Comparison
from .frameworks import FREEDOMS_SOURCE, MATRIX_DOMAINS, OPERATING_ARRANGEMENTS, STAGES
from .conditions import Trace, describe, outline
from .errors import Location
from .findings import STATUS_LABEL, Finding
from .rules import PARAPHRASE_LABEL, Rule, Source
from .scoring import MET, NOT_EVIDENCED, NOT_MET, Readiness, Summary
from .safetext import visible
from .templating import html_environment, markdown_environment
from .graph import picture_graph
from markupsafe import Markup

REPORT_SCHEMA_VERSION = "2.0"
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


def finding_dict(f: Finding, rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule_id": f.rule_id,
        "status": f.status,
        "strength": rule.spec.strength,
        "subject": {"id": f.subject.id, "kind": f.subject.kind, "name": f.subject.name},
        "fingerprint": f.fingerprint,
        "message": f.message,
        "source": source_dict(rule.spec.source),
        "location": location_dict(f.location),
        "expected_at": [location_dict(loc) for loc in f.expected_at],
        "evidence": [
            {"id": e.id, "title": e.title, "date": e.date, **{k: v for k, v in (("publisher", e.publisher), ("section", e.section), ("url", e.url)) if v}}
            for e in f.evidence
        ],
        "facts": [
            {"name": r.name, "value": r.value, **({"at_least": True} if r.at_least else {}), "from": [location_dict(loc) for loc in r.sources]}
            for r in f.facts
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


def summary_dict(summary: Summary) -> dict[str, Any]:
    r = summary.readiness
    return {
        "totals": dict(summary.totals),
        "rules_evaluated": summary.rules_evaluated,
        "rules_with_gaps": list(summary.rules_with_gaps),
        "rules_not_evidenced": list(summary.rules_not_evidenced),
        "maturity": summary.maturity,
        "coa": summary.coa,
        "readiness": {
            "threshold": r.threshold,
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
                "stage": d.stage,
                "label": d.label,
                "stages": {
                    stage: {
                        "must_rules": c.must_rules,
                        "met": c.met,
                        "state": c.state,
                        "failing": list(c.failing),
                        "not_evidenced": list(c.not_evidenced),
                    }
                    for stage, c in d.stages.items()
                },
                "next_stage": d.next_stage,
                "undetermined": d.undetermined,
                "roadmap": [
                    {"rule_id": i.rule_id, "stage": i.stage, "action": i.action, "messages": list(i.messages)} for i in d.roadmap
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
        "findings": [finding_dict(f, rules[f.rule_id]) for f in result.findings],
        "errors": [
            {"rule_id": f.rule_id, "subject": f.subject_id, "message": f.message}
            for f in result.findings
            if f.status == "error"
        ],
        "summary": summary_dict(result.summary),
    }


def to_json(result: Result) -> str:
    return json.dumps(report_dict(result), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# -- text ----------------------------------------------------------------------------------

def stage_label(stage: str | None) -> str:
    return stage if stage else "not yet emerging"


def counts_by_strength(result: Result) -> dict[str, dict[str, int]]:
    """Findings per status and rule strength."""
    strengths = {rule.id: rule.spec.strength for rule in result.rules}
    out = {status: {strength: 0 for strength in STRENGTHS} for status in COLUMNS}
    for f in result.findings:
        out[f.status][strengths[f.rule_id]] += 1
    return out


def rulebook_note(result: Result) -> str:
    """Said only when the rules applied are those in force on another date than the assessment's."""
    if result.rulebook_date == result.as_of:
        return ""
    return f" (those in force on {result.rulebook_date.isoformat()}, not on the assessment date)"


def headline(result: Result) -> str:
    """Gaps and not-evidenced findings, as separate counts by strength."""
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
    return " · ".join(parts)


def maturity_table(summary: Summary) -> Table:
    """Domains x stages: for each cell the must-rules met, and the stage reached."""
    table = Table(title="Maturity matrix: must-rules met per stage", title_justify="left", show_edge=False, pad_edge=False, box=None)
    table.add_column("domain")
    for stage in STAGES:
        table.add_column(stage, justify="center")
    table.add_column("stage reached", style="bold")
    marks = {MET: (" ✓", "green"), NOT_MET: (" ✗", "red"), NOT_EVIDENCED: (" ?", "yellow")}
    for info in summary.domains.values():
        cells = []
        for stage in STAGES:
            cell = info.stages[stage]
            if not cell.must_rules:
                cells.append(Text("·", style="dim"))
            else:
                mark, style = marks[cell.state]
                cells.append(Text(f"{cell.met}/{cell.must_rules}{mark}", style=style))
        table.add_row(info.name, *cells, info.label)
    return table


def coa_table(summary: Summary) -> Table:
    table = Table(title="Consistent operating arrangements: delivery RAG", title_justify="left", show_edge=False, pad_edge=False, box=None)
    for column in ("arrangement", "RAG", "why"):
        table.add_column(column, overflow="fold")
    for info in summary.arrangements.values():
        rag = Text(info.rag, style=RAG_STYLE[info.rag]) if info.rag else Text("—", style="yellow")
        table.add_row(info.name, rag, Text(visible(info.reason)))
    return table


def readiness_sentence(readiness: Readiness) -> str:
    if readiness.verdict == "ready":
        return f"Designation readiness: ready (every must-rule up to {readiness.threshold} is met in every domain)"
    if readiness.verdict == "not ready":
        n = len(readiness.blocking_gaps)
        extra = f"; {len(readiness.blocking_not_evidenced)} more not evidenced" if readiness.blocking_not_evidenced else ""
        return f"Designation readiness: not ready ({n} must-rule{'s' if n != 1 else ''} up to {readiness.threshold} with gaps{extra})"
    n = len(readiness.blocking_not_evidenced)
    return (
        f"Designation readiness: undetermined (no gap up to {readiness.threshold}, "
        f"but {n} must-rule{'s' if n != 1 else ''} not evidenced)"
    )


def readiness_text(summary: Summary) -> Text:
    return Text(readiness_sentence(summary.readiness), style=READINESS_STYLE[summary.readiness.verdict])


def freedoms_parts(summary: Summary) -> list[Any]:
    freedoms = summary.freedoms
    stage = freedoms.stage or "not yet emerging"
    parts: list[Any] = [Text(f"Freedoms and flexibilities (system stage: {stage}; the lowest stage of its domains)", style="bold")]
    for label, items_by_area in (("now", freedoms.now), (f"at {freedoms.next_stage}", freedoms.next)):
        if not items_by_area:
            continue
        parts.append(Text(f"  {label}:"))
        for area, items in items_by_area.items():
            for item in items:
                parts.append(Text(f"    {area}: {item}"))
    return parts


def roadmap_parts(summary: Summary) -> list[Any]:
    parts: list[Any] = [Text("Roadmap to the next stage: what to do (gaps) and what to evidence (not evidenced)", style="bold")]
    for info in summary.domains.values():
        if info.next_stage is None:
            parts.append(Text(f"{info.name}: thriving, the last stage"))
            continue
        parts.append(Text(f"{info.name}: to reach {info.next_stage}", style="bold"))
        for item in info.roadmap:
            message = item.messages[0] if item.messages else ""
            style = "red" if item.action == "to do" else "yellow"
            parts.append(Text.assemble((f"  {item.action:<11} ", style), visible(f"{item.rule_id} ({item.stage}): {message}")))
    return parts


def _finding_line(f: Finding) -> Text:
    where = visible(f" ({f.location.file}:{f.location.line})") if f.location else ""
    waived = ""
    if f.status == "waived" and f.waiver:
        waived = visible(f" [waived: {f.waiver.justification} — {f.waiver.approver}, until {f.waiver.expires}]")
    tag = "N/E" if f.status == "unknown" else f.status.upper()
    return Text.assemble(
        (f"{tag:5} ", STATUS_STYLE[f.status]),
        (f"{f.rule_id} ", "bold"),
        visible(f"{f.subject_kind} '{f.subject_name}': {f.message}"),
        waived,
        (where, "dim"),
    )


def text_report(result: Result) -> Group:
    """A terminal summary: counts, scores, per rule the counts by status, then every gap and every finding not evidenced."""
    system = result.fixture.description.system
    header = Text.assemble(
        (visible(system.name), "bold"),
        f"  as of {result.as_of.isoformat()}  ·  {len(result.rules)} rules{rulebook_note(result)}  ·  engine: {result.engine}",
    )
    table = Table(show_edge=False, pad_edge=False, box=None)
    table.add_column("rule")
    table.add_column("strength")
    for status in COLUMNS:
        table.add_column(STATUS_LABEL[status], justify="right", style=STATUS_STYLE[status])
    table.add_column("title", overflow="fold")
    for rule in result.rules:
        counts = result.summary.by_rule[rule.id]
        table.add_row(
            Text(rule.id),
            rule.spec.strength,
            *(str(counts[s]) if counts[s] else "·" for s in COLUMNS),
            Text(visible(rule.spec.title + (f" [{PARAPHRASE_LABEL}]" if rule.spec.source.paraphrase else ""))),
        )
    summary = result.summary
    parts: list[Any] = [
        header,
        Text(headline(result)),
        readiness_text(summary),
        Text(""),
        maturity_table(summary),
        Text(""),
        coa_table(summary),
        Text(""),
        *roadmap_parts(summary),
        Text(""),
        *freedoms_parts(summary),
        Text(""),
        table,
    ]
    listed = [f for f in result.findings if f.status in LISTED]
    if listed:
        parts += [Text(""), Text("Gaps (what the description states falls short)", style="bold")]
        parts += [_finding_line(f) for f in listed]
    unknown = [f for f in result.findings if f.status == "unknown"]
    if unknown:
        parts += [Text(""), Text("Not evidenced (the description does not state what the rule needs)", style="bold")]
        parts += [_finding_line(f) for f in unknown]
    totals = summary.totals
    parts += [
        Text(""),
        Text(", ".join(f"{totals[s]} {STATUS_LABEL[s]}" for s in COLUMNS)),
    ]
    return Group(*parts)


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
        "status_label": STATUS_LABEL,
        "titles": {r.id: r.spec.title for r in result.rules},
        "strengths": {r.id: r.spec.strength for r in result.rules},
        "sources": {r.id: r.spec.source.cited() for r in result.rules},
        "freedoms_source": FREEDOMS_SOURCE,
    }


def comparison_json(items: list[Comparison]) -> str:
    return json.dumps([c.as_dict() for c in items], indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def comparison_markdown(items: list[Comparison]) -> str:
    template = markdown_environment().get_template("comparison.md.j2")
    return "\n".join(template.render(c=c, data=c.as_dict()) for c in items)


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
        "domains": MATRIX_DOMAINS,
        "arrangements": OPERATING_ARRANGEMENTS,
        "systems": systems,
    }


def regional_json(results: list[Result], threshold: str) -> str:
    return json.dumps(regional_dict(results, threshold), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def regional_markdown(results: list[Result], threshold: str) -> str:
    rows = [
        {"system": r.fixture.description.system, "as_of": r.as_of.isoformat(), "summary": r.summary}
        for r in results
    ]
    return markdown_environment().get_template("regional.md.j2").render(
        results=rows, domains=MATRIX_DOMAINS, arrangements=OPERATING_ARRANGEMENTS, threshold=threshold
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


def picture_svg(result: Result) -> str:
    """An SVG picture of the system (places, collaboratives, boards, organisations), gaps marked in red."""
    import networkx as nx

    picture = picture_graph(result.graph)
    gaps: dict[str, list[str]] = {}
    for f in result.findings:
        if f.status in ("gap", "error"):
            gaps.setdefault(f.subject_id, []).append(f.rule_id)
    width = max(900, 26 * max(1, max(sum(1 for _, d in picture.nodes(data=True) if d["layer"] == layer) for layer in range(4))))
    height = 520
    positions = nx.multipartite_layout(picture, subset_key="layer", align="horizontal", scale=1.0) if len(picture) > 1 else {
        n: (0.0, 0.0) for n in picture
    }
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]

    def place(value: float, low: float, high: float, size: float, margin: float) -> float:
        return round(margin + (value - low) / ((high - low) or 1.0) * (size - 2 * margin), 1)

    coords = {n: (place(x, min(xs), max(xs), width, 80), place(y, min(ys), max(ys), height, 40)) for n, (x, y) in positions.items()}
    nodes = []
    for node, data in sorted(picture.nodes(data=True)):
        x, y = coords[node]
        marked = node in gaps
        nodes.append(
            {
                "x": x,
                "y": y,
                "type": data["type"],
                "name": data["name"],
                "label": data["name"] if len(data["name"]) <= 24 else data["name"][:23] + "…",
                "gaps": sorted(set(gaps.get(node, []))),
                "fill": "#fbe3e3" if marked else "#e8edee",
                "stroke": "#d5281b" if marked else "#005eb8",
            }
        )
    edges = [
        {"x1": coords[u][0], "y1": coords[u][1], "x2": coords[v][0], "y2": coords[v][1]} for u, v in sorted(picture.edges())
    ]
    return html_environment().get_template("picture.svg.j2").render(nodes=nodes, edges=edges, width=width, height=height)


def to_html(result: Result) -> str:
    """One self-contained HTML file: no scripts, no network requests, every fixture string escaped."""
    return html_environment().get_template("report.html.j2").render(**_context(result), picture=Markup(picture_svg(result)))
