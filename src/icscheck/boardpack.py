"""The HTML report as a board pack, and the regional dashboard.

Both are one self-contained file each: styles inline, no script, nothing loaded (a
Content-Security-Policy says so), every value from a description escaped by the template
environment.  Both are deterministic: the same inputs give byte-identical files.

The report reads as a document: a contents list, a totals panel, the scores, the roadmap, the
gaps grouped by framework and domain (must before should), the findings not evidenced listed
compactly as things to evidence, the system picture, and the rules behind the findings (each
with its requirement, source and the source's own words, or a paraphrase marked as such).
Every finding links to its rule's entry.  Print styles make it an A4 document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Iterator
from functools import cache
from itertools import islice
from typing import Any, NamedTuple

from markupsafe import Markup

from . import __version__
from .api import Result
from .findings import STATUS_LABEL, CitedWords, Finding, render_value
from .frameworks import FRAMEWORK_NAMES, MATRIX_DOMAINS, OPERATING_ARRANGEMENTS, STAGES, domain_name, group_order
from .report import (
    LISTED,
    STRENGTHS,
    _context,
    counts_by_strength,
    picture_svg,
    transcribed_note,
)
from .rules import PARAPHRASE_LABEL, Rule
from .scoring import beyond_target
from .templating import html_environment

STRENGTH_ORDER = {s: i for i, s in enumerate(STRENGTHS)}
STATUS_ORDER = {s: i for i, s in enumerate(("gap", "error", "waived", "info"))}
#: What a finding not evidenced says before the facts it does not state.
NOT_STATED_PREFIX = "not evidenced — the description does not state "
BADGE = {"gap": "gap", "error": "error", "waived": "waived", "info": "recorded"}
READINESS_CLASS = {"ready": "ready", "not ready": "notready", "undetermined": "undetermined"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def anchor(*parts: str) -> str:
    """A fragment identifier: only letters, digits, '_', '.' and '-'."""
    return _UNSAFE.sub("-", "-".join(parts))


@cache
def rule_anchor(rule_id: str) -> str:
    return anchor("rule", rule_id)


def finding_anchor(f: Finding) -> str:
    return anchor("f", f.rule_id, f.subject_kind, f.subject_id)


def area_of(rule: Rule) -> tuple[tuple, str, str]:
    """Where a rule sits, for grouping: a sort key (its framework, then its domain or arrangement, in the order
    every report lists them), that place's name, and a slug for anchors."""
    spec = rule.spec
    return _area(spec.framework, spec.domain, spec.arrangement)


@cache
def _area(framework_key: str, domain: str | None, arrangement: str | None) -> tuple[tuple, str, str]:
    area = domain or arrangement or ""
    framework = FRAMEWORK_NAMES.get(framework_key, framework_key)
    part = domain_name(framework_key, domain, arrangement)
    title = f"{framework} — {part}" if part else framework
    return (*group_order(framework_key, domain, arrangement), framework_key, area), title, anchor(framework_key, area) if area else framework_key


@dataclass
class Group:
    """Findings of one framework and domain, in the order a reader takes them; ``items`` are the same
    findings as the report shows them (cards, or rows of the table of things to evidence)."""

    title: str
    anchor: str
    findings: list[Finding] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)

    def count(self, strength: str, rules: dict[str, Rule]) -> int:
        return sum(1 for f in self.findings if rules[f.rule_id].spec.strength == strength)

    def by_strength(self, rules: dict[str, Rule]) -> str:
        """'2 must, 1 should': how many findings of the group, by the strength of their rule."""
        return ", ".join(f"{n} {s}" for s in STRENGTHS if (n := self.count(s, rules)))


def grouped(findings: list[Finding], rules: dict[str, Rule], prefix: str) -> list[Group]:
    """Findings grouped by framework and domain; in each group must before should before may, gaps before
    waived and recorded ones, then by rule and subject."""
    areas: dict[str, tuple[tuple[int, str, int, str], str, str]] = {}
    keyed: dict[tuple, Group] = {}
    for f in findings:
        if f.rule_id not in areas:
            areas[f.rule_id] = area_of(rules[f.rule_id])
        key, title, slug = areas[f.rule_id]
        if key not in keyed:
            keyed[key] = Group(title, anchor(prefix, slug))
        keyed[key].findings.append(f)
    out = [keyed[k] for k in sorted(keyed)]
    strength = {rule_id: STRENGTH_ORDER[rules[rule_id].spec.strength] for rule_id in areas}
    for g in out:
        g.findings.sort(key=lambda f: (strength[f.rule_id], STATUS_ORDER.get(f.status, 0), f.rule_id, f.subject_kind, f.subject_id))
    return out


def not_stated(f: Finding) -> str:
    """What a finding not evidenced says the description does not state."""
    return f.message[len(NOT_STATED_PREFIX):] if f.message.startswith(NOT_STATED_PREFIX) else f.message


def totals_rows(result: Result) -> list[dict[str, Any]]:
    """The totals panel: per status, the counted findings by strength, and those beyond the target."""
    counted = counts_by_strength(result)
    beyond = counts_by_strength(result, beyond=True)
    labels = {
        "gap": "Gaps",
        "unknown": "Not evidenced (to evidence)",
        "pass": "Passed",
        "waived": "Waived",
        "info": "Recorded (may, not met)",
        "error": "Errors",
        "not_applicable": "Not applicable",
    }
    rows = []
    for status in ("gap", "unknown", "pass", "waived", "info", "error", "not_applicable"):
        total = sum(counted[status].values())
        apart = sum(beyond[status].values())
        if status in ("info", "error") and not total and not apart:
            continue
        rows.append(
            {
                "status": status,
                "label": labels[status],
                "by_strength": [counted[status][s] for s in STRENGTHS],
                "total": total,
                "beyond": apart,
            }
        )
    return rows


def subject_text(f: Finding) -> str:
    """The subject of a finding in words: the system itself, or a kind and a name."""
    return "the system" if f.subject_kind == "system" else f"{f.subject_kind} ‘{f.subject_name}’"


@dataclass(frozen=True)
class EvidenceDoc:
    """The evidence items of one document that a finding cites: the document's title and date, and the sections."""

    title: str
    date: str
    url: str | None
    sections: tuple[str, ...]


def evidence_docs(f: Finding) -> list[EvidenceDoc]:
    """A finding's evidence items, one entry per document (title and date), each with the sections cited."""
    docs: dict[tuple[str, str], list[Any]] = {}
    for e in f.evidence:
        docs.setdefault((e.title, e.date), []).append(e)
    out = []
    for (title, date), items in docs.items():
        sections = tuple(dict.fromkeys(e.section for e in items if e.section))
        url = next((e.url for e in items if e.url), None)
        out.append(EvidenceDoc(title, date, url, sections))
    return out


def distinct_words(f: Finding) -> list[Any]:
    """The words cited by the claims behind a finding's deciding facts, each passage once."""
    seen: dict[tuple[str, str | None, str | None], Any] = {}
    for reading in f.grounds:
        for w in f.words(reading):
            seen.setdefault((w.title, w.quote, w.locator), w)
    return list(seen.values())


@cache
def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text.lower()).split())


def words_once(findings: list[Finding]) -> dict[str, tuple[list[Any], Finding | None]]:
    """For each finding (by anchor) in the order listed: its distinct words, and the first finding listed before it
    with the very same words (``None`` when these words are shown here for the first time)."""
    first: dict[tuple, Finding] = {}
    out: dict[str, tuple[list[Any], Finding | None]] = {}
    for f in findings:
        words = distinct_words(f)
        key = tuple((w.title, w.quote, w.locator) for w in words)
        earlier = first.get(key) if words else None
        if words and earlier is None:
            first[key] = f
        out[finding_anchor(f)] = (words, earlier)
    return out


# -- findings and rules as the report shows them -------------------------------------------
# Worked out once here, so that the template only writes them out: its loops run once per
# finding or rule, and every value still goes through the environment's escaping.


@dataclass(slots=True)
class Ground:
    """A fact that decides a finding: its name and value as written, a note when the system's own rating
    was copied in, and the words the claims behind it cite (``claimed``: some claim states it)."""

    name: str
    value: str
    note: str
    words: tuple[CitedWords, ...]
    claimed: bool


@dataclass(slots=True)
class Card:
    """A gap (or an error, a waived or a recorded finding) as its card shows it."""

    f: Finding
    anchor: str
    rule_anchor: str
    strength: str
    title: str
    subject: str
    where: str | None  # where in the description the finding is, if known
    grounds: list[Ground]
    docs: list[EvidenceDoc]
    places: str  # where it falls short ('' if nowhere in particular)


class TodoRow(NamedTuple):
    """A finding not evidenced as its row of the table of things to evidence shows it.  (Rows and rule
    entries are tuples of text: quick to read in the template, and nothing for the garbage collector.)"""

    anchor: str
    rule_id: str
    rule_anchor: str
    strength: str
    title: str | None  # None: the row above is of the same rule
    subject: str
    missing: str  # what the description does not state
    places: str  # where it belongs ('' if nowhere in particular)
    words: tuple[CitedWords, ...]  # the words cited there, unless an earlier row shows the very same words
    earlier_anchor: str | None  # the earlier row that shows them, if one does
    earlier_label: str  # its rule and subject
    earlier_above: bool  # that row is the row above


class RuleRow(NamedTuple):
    """A rule as the report's appendix shows it: what it asks, where from, in whose words, and its findings here."""

    id: str
    anchor: str
    title: str
    strength: str
    beyond: bool
    shown: bool  # it has a gap or a finding not evidenced here
    requirement: str
    requirement_differs: bool
    source: str  # 'S1', 'S2', ...
    source_number: str
    where: str  # where in the source, and where in others it also cites ('para 4; also S3, para 2')
    quote: str | None
    paraphrase: str | None
    note: int | None
    findings: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]  # per status label: its CSS class and (anchor, subject) links
    others: str  # '3 passed, 1 not applicable'
    same_words_as: str | None  # an earlier rule shown with the same quote
    same_words_anchor: str


def cards(groups: list[Group], rules: dict[str, Rule], at: Any, links: dict[int, tuple[str, str]]) -> None:
    """Each group's findings as cards (its ``items``); ``links``: each finding's anchor and subject in words,
    by the finding's ``id()``."""
    for g in groups:
        for f in g.findings:
            spec = rules[f.rule_id].spec
            grounds = []
            for r in f.grounds:
                grounds.append(Ground(r.name, render_value(r.value, r.at_least), transcribed_note(f, r), f.words(r), bool(r.claims)))
            anchor_, subject = links[id(f)]
            g.items.append(
                Card(
                    f=f,
                    anchor=anchor_,
                    rule_anchor=rule_anchor(f.rule_id),
                    strength=spec.strength,
                    title=spec.title,
                    subject=subject,
                    where=at(f.location) if f.location else None,
                    grounds=grounds,
                    docs=evidence_docs(f),
                    places=", ".join(at(loc) for loc in f.expected_at),
                )
            )


def todo_rows(
    groups: list[Group], rules: dict[str, Rule], at: Any, links: dict[int, tuple[str, str]], words: dict[str, tuple[list[Any], Finding | None]]
) -> None:
    """Each group's findings as rows of the table of things to evidence (its ``items``); ``links`` as for
    :func:`cards`, and ``words`` as :func:`words_once` gives them for every row of the table."""
    for g in groups:
        previous = None
        for f in g.findings:
            spec = rules[f.rule_id].spec
            anchor_, subject = links[id(f)]
            cited, earlier = words[anchor_]
            g.items.append(
                TodoRow(
                    anchor=anchor_,
                    rule_id=f.rule_id,
                    rule_anchor=rule_anchor(f.rule_id),
                    strength=spec.strength,
                    title=None if previous is not None and previous.rule_id == f.rule_id else spec.title,
                    subject=subject,
                    missing=not_stated(f),
                    places=", ".join(at(loc) for loc in f.expected_at),
                    words=tuple(cited),
                    earlier_anchor=None if earlier is None else links[id(earlier)][0],
                    earlier_label="" if earlier is None else earlier.rule_id + ("" if earlier.subject_kind == "system" else f", {earlier.subject_name}"),
                    earlier_above=earlier is not None and previous is earlier,
                )
            )
            previous = f


@cache
def source_name(src: Any) -> str:
    """A source document as the list of sources names it (sources are frozen: the same for every report)."""
    return f"{src.document} ({src.publisher}, {src.date_text()})"


class References:
    """Source documents and notes, each listed once and referred to by number (S1, S2, ...; note 1, 2, ...)."""

    def __init__(self) -> None:
        self.sources: dict[str, int] = {}
        self.notes: dict[str, int] = {}

    def source(self, src: Any) -> str:
        number = self.sources.setdefault(source_name(src), len(self.sources) + 1)
        return f"S{number}"

    def note(self, text: str) -> int:
        return self.notes.setdefault(text, len(self.notes) + 1)


def rule_row(
    rule: Rule,
    findings: list[Finding],
    counts: dict[str, int],
    beyond: bool,
    refs: References,
    same_words_as: str | None = None,
    links: dict[int, tuple[str, str]] | None = None,
) -> RuleRow:
    """A rule as the report's appendix shows it: what it asks, where from, in whose words, and its findings here;
    ``same_words_as``: an earlier rule shown with the very same quote; ``links`` as for :func:`cards`."""
    spec = rule.spec
    by_status: dict[str, list[tuple[str, str]]] = {}
    for f in findings:
        link = links[id(f)] if links is not None else (finding_anchor(f), subject_text(f))
        by_status.setdefault(STATUS_LABEL[f.status], []).append(link)
    source = refs.source(spec.source)
    note = refs.note(spec.source.note) if spec.source.note else None
    return RuleRow(
        id=spec.id,
        anchor=rule_anchor(spec.id),
        title=spec.title,
        strength=spec.strength,
        beyond=beyond,
        shown=bool(findings),
        requirement=spec.source.requirement,
        requirement_differs=_plain(spec.source.requirement) != _plain(spec.title),
        source=source,
        source_number=source[1:],
        where=spec.source.paragraph + "".join(f"; also {refs.source(s)}, {s.paragraph}" for s in spec.also_cites),
        quote=spec.source.quote,
        paraphrase=spec.source.paraphrase,
        note=note,
        findings=tuple((label, label.replace(" ", "-"), tuple(items)) for label, items in by_status.items()),
        others=", ".join(f"{counts[s]} {STATUS_LABEL[s]}" for s in ("pass", "not_applicable") if counts[s]),
        same_words_as=same_words_as,
        same_words_anchor=rule_anchor(same_words_as) if same_words_as else "",
    )


def report_context(result: Result) -> dict[str, Any]:
    """What the board-pack template shows, on top of what the Markdown report shows."""
    context = _context(result)
    rules = {rule.id: rule for rule in result.rules}
    beyond_rules = result.beyond_target_rules
    listed = [f for f in result.findings if f.status in LISTED]
    unknown = [f for f in result.findings if f.status == "unknown"]
    shown: dict[str, list[Finding]] = {}
    links: dict[int, tuple[str, str]] = {}  # each finding listed: its anchor and its subject in words
    for f in [*listed, *unknown]:
        shown.setdefault(f.rule_id, []).append(f)
        links[id(f)] = (finding_anchor(f), subject_text(f))
    gap_groups = grouped([f for f in listed if f.rule_id not in beyond_rules], rules, "gaps")
    gap_beyond = grouped([f for f in listed if f.rule_id in beyond_rules], rules, "gaps-beyond")
    todo_groups = grouped([f for f in unknown if f.rule_id not in beyond_rules], rules, "evidence")
    todo_beyond = grouped([f for f in unknown if f.rule_id in beyond_rules], rules, "evidence-beyond")
    threshold = result.summary.readiness.threshold
    refs = References()
    rule_rows = []
    quoted: dict[str, str] = {}
    for rid in sorted(rules):
        found = shown.get(rid, [])
        quote = rules[rid].spec.source.quote
        same = None
        if found and quote:  # the same words of a source, given once: later rules that rest on them point back
            same = quoted.get(quote)
            if same is None:
                quoted[quote] = rid
        rule_rows.append(rule_row(rules[rid], found, result.summary.by_rule[rid], rid in beyond_rules, refs, same, links))
    freedoms = result.summary.freedoms
    description = result.fixture.file

    def at(loc: Any) -> str:
        """A place in the description: its line, or (in another file) file and line."""
        return f"line {loc.line}" if loc.file == description else f"{loc.file}:{loc.line}"

    cards([*gap_groups, *gap_beyond], rules, at, links)
    todo_words = words_once([f for g in [*todo_groups, *todo_beyond] for f in g.findings])
    todo_rows([*todo_groups, *todo_beyond], rules, at, links, todo_words)
    context.update(
        {
            "strength_names": STRENGTHS,
            "totals_rows": totals_rows(result),
            "threshold": threshold,
            "gap_groups": gap_groups,
            "gap_beyond": gap_beyond,
            "todo_groups": todo_groups,
            "todo_beyond": todo_beyond,
            "gap_count": sum(len(g.findings) for g in gap_groups),
            "gap_beyond_count": sum(len(g.findings) for g in gap_beyond),
            "todo_count": sum(len(g.findings) for g in todo_groups),
            "todo_beyond_count": sum(len(g.findings) for g in todo_beyond),
            "rules_by_id": rules,
            "beyond_rules": beyond_rules,
            "rule_rows": rule_rows,
            "shown_count": len(shown),
            "sources_list": list(refs.sources),
            "notes_list": list(refs.notes),
            "rule_anchors": {rule_id: rule_anchor(rule_id) for rule_id in rules},
            "badge": BADGE,
            "readiness_class": READINESS_CLASS[result.summary.readiness.verdict],
            "paraphrase_label": PARAPHRASE_LABEL,
            "picture": Markup(picture_svg(result)),
            "freedom_areas": [
                area
                for area in dict.fromkeys([*(freedoms.now or {}), *(freedoms.next or {})])
                if (freedoms.now or {}).get(area) or (freedoms.next or {}).get(area)
            ],
        }
    )
    return context


def written(pieces: Iterator[str]) -> str:
    """What a template yields (``Template.generate``), joined a few hundred pieces at a time: the same text as
    ``render``, but the many small pieces of a long page are freed as it goes rather than all kept to the end,
    which leaves the garbage collector far less to do while many systems' results are in memory."""
    return "".join(["".join(batch) for batch in iter(lambda: list(islice(pieces, 500)), [])])


def report_html(result: Result) -> str:
    """One self-contained HTML file: no scripts, no network requests, every description string escaped."""
    return written(html_environment().get_template("report.html.j2").generate(**report_context(result)))


# -- the regional dashboard ---------------------------------------------------------------

STAGE_CLASS = {None: "stage-none", "emerging": "stage-emerging", "developing": "stage-developing", "maturing": "stage-maturing", "thriving": "stage-thriving"}
STATE_CLASS = {"met": "state-met", "not met": "state-notmet", "not evidenced": "state-ne"}


def _system_row(result: Result, link: str | None) -> dict[str, Any]:
    system = result.fixture.description.system
    summary = result.summary
    counts = counts_by_strength(result)
    domains = []
    for key in MATRIX_DOMAINS:
        d = summary.domains[key]
        domains.append(
            {
                "label": d.label,
                "staged": d.staged,
                "class": STAGE_CLASS[d.stage] if d.staged else STATE_CLASS[str(d.state)],
                "below": d.staged and (d.stage is None or STAGES.index(d.stage) < STAGES.index(summary.readiness.threshold)),
            }
        )
    return {
        "name": system.name,
        "ods_code": system.ods_code,
        "as_of": result.as_of.isoformat(),
        "link": link,
        "readiness": summary.readiness.verdict,
        "readiness_class": READINESS_CLASS[summary.readiness.verdict],
        "system_stage": summary.system_stage or "not yet emerging",
        "domains": domains,
        "coa": [{"rag": summary.coa[k], "reason": summary.arrangements[k].reason} for k in OPERATING_ARRANGEMENTS],
        "gaps": {s: counts["gap"][s] for s in STRENGTHS},
        "unknown": {s: counts["unknown"][s] for s in STRENGTHS},
        "passed": sum(counts["pass"].values()),
    }


def _common_gaps(results: list[Result], rows: list[dict[str, Any]], threshold: str) -> list[dict[str, Any]]:
    """Each rule with a gap (or an error) in some system: the systems with one, linked, and those where it is not evidenced."""
    specs: dict[str, Any] = {}
    gaps: dict[str, list[dict[str, Any]]] = {}
    unknown: dict[str, list[dict[str, Any]]] = {}
    for result, row in zip(results, rows, strict=True):
        for rule in result.rules:
            specs.setdefault(rule.id, rule)
        for rule_id, counts in sorted(result.summary.by_rule.items()):
            mention = {"name": row["name"], "as_of": row["as_of"], "link": row["link"], "anchor": rule_anchor(rule_id)}
            if counts["gap"] or counts["error"]:
                gaps.setdefault(rule_id, []).append(mention)
            elif counts["unknown"]:
                unknown.setdefault(rule_id, []).append(mention)
    order = sorted(gaps, key=lambda rid: (-len(gaps[rid]), STRENGTH_ORDER[specs[rid].spec.strength], rid))
    out = []
    for rid in order:
        rule = specs[rid]
        out.append(
            {
                "id": rid,
                "title": rule.spec.title,
                "strength": rule.spec.strength,
                "area": area_of(rule)[1] + (f", {rule.spec.stage}" if rule.spec.stage else ""),
                "beyond": beyond_target(rule, threshold),
                "systems": gaps[rid],
                "unknown": unknown.get(rid, []),
            }
        )
    return out


def regional_context(results: list[Result], threshold: str, links: list[str] | None = None) -> dict[str, Any]:
    rows = [_system_row(r, links[i] if links else None) for i, r in enumerate(results)]
    common = _common_gaps(results, rows, threshold)
    verdicts = {v: [r for r in rows if r["readiness"] == v] for v in ("ready", "not ready", "undetermined")}
    return {
        "version": __version__,
        "threshold": threshold,
        "stage_method": results[0].summary.method if results else None,
        "domains": MATRIX_DOMAINS,
        "arrangements": OPERATING_ARRANGEMENTS,
        "rows": rows,
        "verdicts": verdicts,
        "readiness_class": READINESS_CLASS,
        "several": [c for c in common if len(c["systems"]) > 1],
        "single": [c for c in common if len(c["systems"]) == 1],
        "strengths": STRENGTHS,
    }


def regional_html(results: list[Result], threshold: str, links: list[str] | None = None) -> str:
    """Systems side by side (never averaged), as one self-contained HTML file; ``links`` names each system's report."""
    return html_environment().get_template("regional.html.j2").render(**regional_context(results, threshold, links))


__all__ = ["report_html", "regional_html", "anchor", "rule_anchor", "finding_anchor"]
