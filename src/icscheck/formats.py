"""Machine formats of a report: SARIF 2.1.0, JUnit XML and CSV.

All three are rendered from the same Result as the text, Markdown, JSON and
HTML reports, deterministically (no timestamps, stable order).
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

from . import __version__, jsontext
from .api import Result
from .report import source_dict, summary_dict, words_text
from .safetext import csv_cell, uri, xml_clean

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_KIND = {
    "pass": "pass",
    "gap": "fail",
    "waived": "fail",
    "error": "fail",
    "info": "informational",
    "not_applicable": "notApplicable",
    "unknown": "open",  # not evidenced: the description does not say enough to decide
}


def _level(status: str, strength: str) -> str:
    if status in ("gap", "waived"):
        return "error" if strength == "must" else "warning"
    if status == "error":
        return "error"
    return "none"


def to_sarif(result: Result) -> str:
    rules = result.rules
    index = {rule.id: i for i, rule in enumerate(rules)}
    descriptors = []
    for rule in rules:
        spec = rule.spec
        help_text = f"{spec.source.citation()}. {spec.source.requirement}"
        if spec.source.wording():
            help_text += f" Source wording: {spec.source.wording()}"
        descriptors.append(
            {
                "id": spec.id,
                "name": spec.id.replace("-", ""),
                "shortDescription": {"text": spec.title},
                "fullDescription": {"text": spec.source.requirement},
                "help": {"text": help_text},
                "defaultConfiguration": {"level": "error" if spec.strength == "must" else "warning" if spec.strength == "should" else "note"},
                "properties": {
                    "framework": spec.framework,
                    "strength": spec.strength,
                    **({"domain": spec.domain} if spec.domain else {}),
                    **({"stage": spec.stage} if spec.stage else {}),
                    **({"arrangement": spec.arrangement} if spec.arrangement else {}),
                    "source": source_dict(spec.source),
                },
            }
        )
    strengths = {rule.id: rule.spec.strength for rule in rules}
    results = []
    for f in result.findings:
        entry: dict[str, Any] = {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "kind": SARIF_KIND[f.status],
            "level": _level(f.status, strengths[f.rule_id]),
            "message": {"text": f.message},
            "partialFingerprints": {"icscheck/v1": f.fingerprint},
            "properties": {"status": f.status, **({"notEvidenced": list(f.unknown)} if f.status == "unknown" else {})},
        }
        location: dict[str, Any] = {
            "logicalLocations": [
                {"name": f.subject_name, "fullyQualifiedName": f"{f.subject_kind}/{f.subject_id}", "kind": f.subject_kind}
            ]
        }
        if f.location:
            location["physicalLocation"] = {
                "artifactLocation": {"uri": uri(f.location.file)},
                "region": {"startLine": max(1, f.location.line)},
            }
        entry["locations"] = [location]
        if f.status == "waived" and f.waiver:
            entry["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": f"{f.waiver.justification} (approved by {f.waiver.approver}, {f.waiver.granted} to {f.waiver.expires})",
                }
            ]
        results.append(entry)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "icscheck",
                        "version": __version__,
                        "rules": descriptors,
                    }
                },
                "automationDetails": {"id": f"icscheck/{result.fixture.description.system.id}/{result.as_of.isoformat()}"},
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"engine": result.engine, "asOf": result.as_of.isoformat(), "summary": {k: v for k, v in summary_dict(result.summary).items() if k in ("maturity", "coa", "readiness")}},
            }
        ],
    }
    return jsontext.dumps(log)


def to_junit(result: Result) -> str:
    """One test case per (rule, subject): gaps and errors fail; not evidenced, waived, info and not applicable are skipped."""
    sources = {rule.id: rule.spec.source.cited() for rule in result.rules}
    system = result.fixture.description.system
    totals = result.summary.all_totals or result.summary.totals  # one test case per finding: every finding counts
    suites = ET.Element("testsuites", name="icscheck", tests=str(len(result.findings)))
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"{system.name} ({result.as_of.isoformat()})",
        tests=str(len(result.findings)),
        failures=str(totals["gap"]),
        errors=str(totals["error"]),
        skipped=str(totals["waived"] + totals["unknown"] + totals["info"] + totals["not_applicable"]),
    )
    for f in result.findings:
        case = ET.SubElement(suite, "testcase", classname=f.rule_id, name=f"{f.subject_kind} {f.subject_id}")
        if f.status == "gap":
            failure = ET.SubElement(case, "failure", message=f.message, type="gap")
            failure.text = f"Source: {sources[f.rule_id]}"
        elif f.status == "error":
            ET.SubElement(case, "error", message=f.message, type="error")
        elif f.status == "unknown":
            ET.SubElement(case, "skipped", message=f"not evidenced: {f.message}")
        elif f.status in ("waived", "info", "not_applicable"):
            ET.SubElement(case, "skipped", message=f"{f.status}: {f.message}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml_clean(ET.tostring(suites, encoding="unicode")) + "\n"


CSV_COLUMNS = (
    "system_id",
    "system_name",
    "ods_code",
    "as_of",
    "rule_id",
    "status",
    "strength",
    "subject_kind",
    "subject_id",
    "subject_name",
    "message",
    "source",
    "file",
    "line",
    "evidence",
    "fingerprint",
    "evidence_words",
)


def to_csv(result: Result) -> str:
    """One row per finding, each with the system's id, name, ODS code and assessment date; ``evidence_words``
    gives, for each fact that decides the verdict, the words its claims cite."""
    system = result.fixture.description.system
    strengths = {rule.id: rule.spec.strength for rule in result.rules}
    citations = {rule.id: rule.spec.source.cited() for rule in result.rules}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for f in result.findings:
        writer.writerow(
            csv_cell(cell)
            for cell in (
                system.id,
                system.name,
                system.ods_code or "",
                result.as_of.isoformat(),
                f.rule_id,
                f.status,
                strengths[f.rule_id],
                f.subject_kind,
                f.subject_id,
                f.subject_name,
                f.message,
                citations[f.rule_id],
                f.location.file if f.location else "",
                f.location.line if f.location else "",
                "; ".join(e.id for e in f.evidence),
                f.fingerprint,
                " | ".join(f"{r.name}: {words_text(f, r)}" for r in f.grounds),
            )
        )
    return buffer.getvalue()
