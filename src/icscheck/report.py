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
from .rules import Rule, Source
from .templating import environment, html_environment
from .graph import SystemGraph, picture_graph
from markupsafe import Markup

REPORT_SCHEMA_VERSION = "1.0"
COLUMNS = ("pass", "gap", "waived", "info", "not_applicable", "error")  # status order in tables
NOT_PASSING = frozenset({"gap", "error", "info", "waived"})  # findings listed one by one
RAG_STYLE = {"G": "bold green", "GA": "green", "A": "yellow", "AR": "dark_orange", "R": "bold red"}
STATUS_STYLE = {"pass": "green", "gap": "red", "error": "bold red", "info": "cyan", "not_applicable": "dim", "waived": "magenta"}


def source_dict(source: Source) -> dict[str, Any]:
    return {
        "document": source.document,
        "publisher": source.publisher,
        "date": source.date,
        "paragraph": source.paragraph,
        "citation": source.citation(),
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
                "also_cites": [source_dict(s) for s in spec.also_cites],
                "rationale": spec.rationale,
                "applies_to": rule.kind,
                "examines": list(rule.examined),
                "effective_from": spec.effective_from.isoformat() if spec.effective_from else None,
                "effective_to": spec.effective_to.isoformat() if spec.effective_to else None,
                "file": rule.file,
            }
        )
    return out


def report_dict(result: Result) -> dict[str, Any]:
    system = result.fixture.description.system
    sources = {rule.id: source_dict(rule.spec.source) for rule in result.rules}
    strengths = {rule.id: rule.spec.strength for rule in result.rules}
    findings = []
    for f in result.findings:
        findings.append(
            {
                "rule_id": f.rule_id,
                "status": f.status,
                "strength": strengths[f.rule_id],
                "subject": {"id": f.subject_id, "kind": f.subject_kind, "name": f.subject_name},
                "fingerprint": f.fingerprint,
                "message": f.message,
                "source": sources[f.rule_id],
                "location": f.location,
                "expected_at": list(f.expected_at),
                "evidence": list(f.evidence),
                "facts": list(f.facts),
                "checks": list(f.checks),
                "unknown": list(f.unknown),
                **({"waiver": f.waiver} if f.waiver else {}),
            }
        )
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
        "rules": [rule_dict(rule) for rule in result.rules],
        "findings": findings,
        "errors": [
            {"rule_id": f.rule_id, "subject": f.subject_id, "message": f.message}
            for f in result.findings
            if f.status == "error"
        ],
        "summary": result.summary,
    }


def to_json(result: Result) -> str:
    return json.dumps(report_dict(result), indent=2, ensure_ascii=False) + "\n"


def stage_label(stage: str | None) -> str:
    return stage if stage else "not yet emerging"


def maturity_table(summary: dict) -> Table:
    """Domains x stages: for each cell the must-rules met, and the stage reached."""
    table = Table(title="Maturity matrix: must-rules met per stage", title_justify="left", show_edge=False, pad_edge=False, box=None)
    table.add_column("domain")
    for stage in STAGES:
        table.add_column(stage, justify="center")
    table.add_column("stage reached", style="bold")
    for info in summary["maturity_detail"].values():
        cells = []
        for stage in STAGES:
            cell = info["stages"][stage]
            if not cell["must_rules"]:
                cells.append(Text("·", style="dim"))
            else:
                text = f"{cell['met']}/{cell['must_rules']}"
                cells.append(Text(text + (" ✓" if not cell["failing"] else ""), style="green" if not cell["failing"] else "red"))
        table.add_row(info["name"], *cells, stage_label(info["stage"]))
    return table


def coa_table(summary: dict) -> Table:
    table = Table(title="Consistent operating arrangements: delivery RAG", title_justify="left", show_edge=False, pad_edge=False, box=None)
    for column in ("arrangement", "RAG", "why"):
        table.add_column(column, overflow="fold")
    for info in summary["coa_detail"].values():
        table.add_row(info["name"], Text(info["rag"], style=RAG_STYLE[info["rag"]]), info["reason"])
    return table


def readiness_text(summary: dict) -> Text:
    ready = summary["readiness"]
    if ready["ready"]:
        return Text(f"Designation readiness: ready (every domain at least {ready['threshold']})", style="bold green")
    below = ", ".join(ready["domains_below_threshold"])
    return Text(f"Designation readiness: not ready (every domain must reach {ready['threshold']}; below: {below})", style="bold red")


def freedoms_parts(summary: dict) -> list[Any]:
    freedoms = summary["freedoms"]
    stage = freedoms["stage"] or "not yet emerging"
    parts: list[Any] = [Text(f"Freedoms and flexibilities (system stage: {stage}; the lowest stage of its domains)", style="bold")]
    for label, key in (("now", "now"), (f"at {freedoms['next_stage']}", "next")):
        if not freedoms[key]:
            continue
        parts.append(Text(f"  {label}:"))
        for area, items in freedoms[key].items():
            for item in items:
                parts.append(Text(f"    {area}: {item}"))
    return parts


def roadmap_parts(summary: dict) -> list[Any]:
    parts: list[Any] = [Text("Roadmap to the next stage", style="bold")]
    for info in summary["maturity_detail"].values():
        if info["next_stage"] is None:
            parts.append(Text(f"{info['name']}: thriving, the last stage"))
            continue
        parts.append(Text(f"{info['name']}: to reach {info['next_stage']}", style="bold"))
        for item in info["roadmap"]:
            message = item["messages"][0] if item["messages"] else ""
            parts.append(Text(f"  {item['rule_id']} ({item['stage']}): {message}"))
    return parts


def text_report(result: Result) -> Group:
    """A terminal summary: scores, per rule the counts by status, then every gap."""
    system = result.fixture.description.system
    header = Text.assemble(
        (f"{system.name}", "bold"),
        f"  as of {result.as_of.isoformat()}  ·  {len(result.rules)} rules  ·  engine: {result.engine}",
    )
    table = Table(show_edge=False, pad_edge=False, box=None)
    table.add_column("rule")
    table.add_column("strength")
    for status in COLUMNS:
        table.add_column(status.replace("_", " "), justify="right", style=STATUS_STYLE[status])
    table.add_column("title", overflow="fold")
    for rule in result.rules:
        counts = result.summary["by_rule"][rule.id]
        table.add_row(
            rule.id,
            rule.spec.strength,
            *(str(counts[s]) if counts[s] else "·" for s in COLUMNS),
            rule.spec.title,
        )
    summary = result.summary
    parts: list[Any] = [
        header,
        Text(""),
        maturity_table(summary),
        Text(""),
        coa_table(summary),
        Text(""),
        readiness_text(summary),
        Text(""),
        *roadmap_parts(summary),
        Text(""),
        *freedoms_parts(summary),
        Text(""),
        table,
    ]
    problems = [f for f in result.findings if f.status in NOT_PASSING]
    if problems:
        parts += [Text(""), Text("Gaps", style="bold")]
        for f in problems:
            where = f" ({f.location['file']}:{f.location['line']})" if f.location else ""
            line = Text.assemble(
                (f"{f.status.upper():5} ", STATUS_STYLE[f.status]),
                (f"{f.rule_id} ", "bold"),
                f"{f.subject_kind} '{f.subject_name}': {f.message}",
                (f" [waived: {f.waiver['justification']} — {f.waiver['approver']}, until {f.waiver['expires']}]" if f.status == "waived" else ""),
                (where, "dim"),
            )
            parts.append(line)
    totals = result.summary["totals"]
    parts += [
        Text(""),
        Text(", ".join(f"{totals[s]} {s.replace('_', ' ')}" for s in COLUMNS)),
    ]
    return Group(*parts)


def rules_table(rules: list[Rule]) -> Table:
    table = Table(show_edge=False, pad_edge=False, box=None)
    for column in ("id", "framework", "strength", "applies to", "title", "source"):
        table.add_column(column, overflow="fold")
    for rule in rules:
        spec = rule.spec
        table.add_row(spec.id, spec.framework, spec.strength, rule.kind, spec.title, spec.source.paragraph)
    return table


def rule_text(rule: Rule) -> Group:
    spec = rule.spec
    lines = [
        Text(f"{spec.id}: {spec.title}", style="bold"),
        Text(f"framework: {spec.framework}  strength: {spec.strength}  applies to: {rule.kind}"
             + (f"  domain: {spec.domain}" if spec.domain else "")
             + (f"  stage: {spec.stage}" if spec.stage else "")),
        Text(f"source: {spec.source.citation()}"),
        Text(f"requirement: {spec.source.requirement}"),
    ]
    if spec.source.quote:
        lines.append(Text(f"wording: \u201c{spec.source.quote}\u201d"))
    if spec.source.note:
        lines.append(Text(f"note: {spec.source.note}"))
    for extra in spec.also_cites:
        lines.append(Text(f"also: {extra.citation()}"))
    lines += [
        Text(f"why: {spec.rationale}"),
        Text(f"examines: {', '.join(rule.examined)}"),
        Text(f"file: {rule.file}"),
    ]
    return Group(*lines)


def to_markdown(result: Result, docs_base: str = "../docs/rules/") -> str:
    """The report as Markdown: scores, roadmap, every gap with its evidence and source, every rule."""
    return environment().get_template("report.md.j2").render(**_context(result), docs_base=docs_base)


def _context(result: Result) -> dict[str, Any]:
    """What the Markdown and HTML report templates show."""
    return {
        "system": result.fixture.description.system,
        "file": result.fixture.file,
        "as_of": result.as_of.isoformat(),
        "engine": result.engine,
        "version": __version__,
        "rules": result.rules,
        "stages": STAGES,
        "summary": result.summary,
        "gaps": [f for f in result.findings if f.status in NOT_PASSING],
        "titles": {r.id: r.spec.title for r in result.rules},
        "strengths": {r.id: r.spec.strength for r in result.rules},
        "sources": {r.id: r.spec.source.citation() for r in result.rules},
        "freedoms_source": FREEDOMS_SOURCE,
    }


def comparison_json(items: list[Comparison]) -> str:
    return json.dumps([c.as_dict() for c in items], indent=2, ensure_ascii=False) + "\n"


def comparison_markdown(items: list[Comparison]) -> str:
    template = environment().get_template("comparison.md.j2")
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
                "maturity": result.summary["maturity"],
                "coa": result.summary["coa"],
                "ready": result.summary["readiness"]["ready"],
                "gaps": result.summary["totals"]["gap"],
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
    return json.dumps(regional_dict(results, threshold), indent=2, ensure_ascii=False) + "\n"


def regional_markdown(results: list[Result], threshold: str) -> str:
    rows = [
        {"system": r.fixture.description.system, "as_of": r.as_of.isoformat(), "summary": r.summary}
        for r in results
    ]
    return environment().get_template("regional.md.j2").render(
        results=rows, domains=MATRIX_DOMAINS, arrangements=OPERATING_ARRANGEMENTS, threshold=threshold
    )


def diff_markdown(d: dict[str, Any]) -> str:
    return environment().get_template("diff.md.j2").render(d=d)


def diff_text(d: dict[str, Any]) -> Group:
    parts: list[Any] = [Text(f"{d['new']['system']['name']}: {d['old']['as_of']} → {d['new']['as_of']}", style="bold"), Text("")]
    stages = Table(title="Maturity stage by domain", title_justify="left", show_edge=False, pad_edge=False, box=None)
    for column in ("domain", d["old"]["as_of"], d["new"]["as_of"], "change"):
        stages.add_column(column)
    for row in d["domains"]:
        stages.add_row(row["name"], stage_label(row["old"]), stage_label(row["new"]), row["change"])
    rags = Table(title="Operating arrangement RAG", title_justify="left", show_edge=False, pad_edge=False, box=None)
    for column in ("arrangement", d["old"]["as_of"], d["new"]["as_of"], "change"):
        rags.add_column(column)
    for row in d["arrangements"]:
        rags.add_row(row["name"], row["old"] or "—", row["new"] or "—", row["change"])
    gaps = d["gaps"]
    parts += [stages, Text(""), rags, Text(""), Text(f"Gaps: {len(gaps['new'])} new, {len(gaps['closed'])} closed, {len(gaps['unchanged'])} unchanged", style="bold")]
    for label, items, style in (("NEW", gaps["new"], "red"), ("CLOSED", gaps["closed"], "green")):
        for g in items:
            parts.append(Text.assemble((f"{label:6} ", style), f"{g['rule_id']} {g['subject']['kind']} '{g['subject']['name']}': {g['message']}"))
    return Group(*parts)


def picture_svg(result: Result) -> str:
    """An SVG picture of the system (places, collaboratives, boards, organisations), gaps marked in red."""
    import networkx as nx

    picture = picture_graph(SystemGraph(result.fixture))
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
