"""A new system description, scaffolded from the bundled reference list of ICBs.

The system block is filled from the reference list (and cites it); every other
list is present and empty, with a commented example, and every attestation
criterion and plan the rules read is listed in comments with the rules that
read it.  Nothing is claimed that a document has not said, so a new
description checks as "not evidenced" throughout — never as "pass".
"""

from __future__ import annotations

import datetime as dt
import json

from .reference import LIST_DATE, LIST_PUBLISHER, LIST_TITLE, Icb
from .rules import Rule


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _read_by(rules: list[Rule], prefix: str, suffix: str = "") -> dict[str, list[str]]:
    """Facts of the system named prefix+X+suffix, by X, with the rules that read them."""
    out: dict[str, list[str]] = {}
    for rule in rules:
        if rule.kind != "system":
            continue
        for name in rule.examined:
            if name.startswith(prefix) and name.endswith(suffix):
                key = name[len(prefix) : len(name) - len(suffix) if suffix else None]
                out.setdefault(key, []).append(rule.id)
    return {key: sorted(set(ids)) for key, ids in sorted(out.items())}


def scaffold(icb: Icb, rules: list[Rule], assessment_date: dt.date) -> str:
    """The text of a new description of the system whose ICB is ``icb``."""
    date = assessment_date.isoformat()
    criteria = _read_by(rules, "attested_")
    plans = _read_by(rules, "", "_status")
    lines = [
        f"# {icb.short_name}: a new icscheck description, scaffolded from the bundled reference list of",
        "# England's integrated care boards. Fill it from the system's own documents: add a claim only where",
        "# a document states it, list the document under `evidence` and cite it on the claim (with its words:",
        "# `evidence: [{id: ..., quote: \"...\", locator: \"p. 4\"}]`). Until then every rule reports",
        "# \"not evidenced\", never \"pass\". A list you can fill only in part goes in `partial_lists`, and a",
        "# board whose members you know only in part gets `members_complete: false` (see the README).",
        "# Check it with: icscheck validate FILE; icscheck check FILE",
        "schema_version: 1",
        "",
        "system:",
        f"  id: {icb.slug}",
        f"  name: {_q(icb.short_name)}",
        f"  ods_code: {icb.ods_code}",
        f"  ons_code: {icb.ons_code}",
        f"  region: {_q(icb.region)}",
        f"  assessment_date: {date}      # the date of the documents this description is drawn from",
        "  evidence: [icb-reference]",
        "  # population: 1000000          # resident population, as a cited document gives it",
        "  # registered_population: 1050000",
        "  # finance: {in_financial_balance: true, recovery_trajectory_agreed: true, productivity_growth_pct: 1.1, evidence: [...]}",
        "",
        "evidence:",
        "  - id: icb-reference",
        f"    title: {_q(LIST_TITLE)}",
        f"    publisher: {_q(LIST_PUBLISHER)}",
        f"    date: {LIST_DATE.isoformat()}",
        f"    note: {_q(f'{icb.name}: ODS code {icb.ods_code}, ONS code {icb.ons_code}, {icb.region}. Source of the row: {icb.source}')}",
        "  # - id: board-pack",
        "  #   title: \"ICB Board meeting in public: papers\"",
        f"  #   publisher: {_q(icb.name)}",
        f"  #   date: {date}",
        "  #   document: board-pack.pdf      # its file name, for `icscheck quotes --documents DIR`",
        "",
        "organisations: []",
        "  # - {id: example-trust, name: \"Example Hospitals NHS Foundation Trust\", kind: acute_trust, ods_code: RXX, places: [example-place], evidence: [board-pack]}",
        "",
        "places: []",
        "  # - {id: example-place, name: \"Example\", population: 300000, councils: [example-council], evidence: [board-pack]}",
        "",
        "neighbourhoods: []",
        "  # - {id: example-north, name: \"Example North\", place: example-place, pcn: example-pcn, evidence: [board-pack]}",
        "",
        "collaboratives: []",
        "  # - {id: example-acute-collaborative, name: \"Example acute provider collaborative\", kind: acute, members: [example-trust], lead: example-trust, status: agreed_on_track, evidence: [board-pack]}",
        "",
        "boards: []",
        "  # - id: icb-board",
        "  #   name: \"NHS Example ICB Board\"",
        "  #   kind: icb_board",
        "  #   sits_in_public: true",
        "  #   members_complete: false       # the document names only some of the members",
        "  #   members:",
        "  #     - {role: chair, person: \"A Chair\", evidence: [board-pack]}",
        "  #     - {role: partner_member, organisation: example-trust, evidence: [board-pack]}",
        "  #   evidence: [board-pack]",
        "",
        "arrangements: []",
        "  # Plans and arrangements the rules read, with the rules that read them; status is one of none,",
        "  # in_discussion, to_be_developed, agreed_on_track, delivering_milestones, achieved.",
    ]
    for kind, ids in plans.items():
        lines.append(
            f"  # - {{id: {kind.replace('_', '-')}, kind: {kind}, title: \"...\", status: agreed_on_track, as_of: {date}, evidence: [board-pack]}}"
            f"   # {', '.join(ids)}"
        )
    lines += [
        "",
        "attestations: []",
        "  # Judgement criteria the rules read — things no structure can show — each attested with a dated",
        "  # statement, its status and the evidence for it, with the rules that read it:",
    ]
    for criterion, ids in criteria.items():
        lines.append(
            f"  # - {{id: att-{criterion.replace('_', '-')}, criterion: {criterion}, statement: \"...\", status: agreed_on_track, "
            f"as_of: {date}, evidence: [board-pack]}}   # {', '.join(ids)}"
        )
    lines += [
        "",
        "self_assessments: []",
        "  # - {id: own-2024, as_of: " + date + ", label: \"The system's own maturity self-assessment\", maturity: {system-leadership: developing}, coa: {}, evidence: [board-pack]}",
        "",
        "partial_lists: []",
        "  # e.g. [organisations, boards]: lists that name only some of what the system has",
        "",
    ]
    return "\n".join(lines)
