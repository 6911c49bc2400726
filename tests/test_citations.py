"""Findings carry the words of the claims they rest on: quote and locator, in every report."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from conftest import CP, PLANTED
from icscheck import api, formats, report
from icscheck.fixture import load_fixture
from icscheck.quotes import quote_sites

VISION = "Align on core purpose, vision and refresh system strategy Q1 21/22"
VISION_LOCATOR = "Development plan on a page: Direction & Purpose"
PLAN = "Cambridge and Peterborough ICS Development Plan"


@pytest.fixture(scope="module")
def cp():
    return api.check(CP, engine="python")


def _finding(result, rule_id, subject=None):
    return next(f for f in result.findings if f.rule_id == rule_id and (subject is None or f.subject_id == subject))


def _line_of(path, text):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_gap_carries_the_words_of_the_claim_behind_its_deciding_fact(cp):
    f = _finding(cp, "MM-LEAD-M2")
    assert f.status == "gap"
    [ground] = f.grounds
    assert (ground.name, ground.value, ground.claims) == ("attested_shared_vision", "agreed_on_track", ("att-vision",))
    [words] = f.words(ground)
    assert (words.evidence, words.claim, words.quote, words.locator, words.title) == ("devplan-workplan", "att-vision", VISION, VISION_LOCATOR, PLAN)
    assert words.at.line == _line_of(CP, VISION)  # the line of the citation in the description
    item = next(e for e in f.evidence if e.id == "devplan-workplan")
    assert words in item.citations


def test_claims_copied_from_the_self_assessment_say_so(cp):
    f = _finding(cp, "COA-LEAD-001")
    [ground] = f.grounds
    [claim] = f.transcribed(ground)
    assert (claim.id, claim.kind, claim.transcribed_from) == ("coa-4", "arrangement", "self-assessment-nov-2020")
    assert not f.transcribed(_finding(cp, "MM-LEAD-M2").grounds[0])


def test_json_evidence_carries_quotes_and_locators_and_facts_name_their_claims(cp):
    data = report.report_dict(cp)
    f = next(x for x in data["findings"] if x["rule_id"] == "MM-LEAD-M2")
    item = next(e for e in f["evidence"] if e["id"] == "devplan-workplan")
    assert {"title", "date", "publisher", "section"} <= set(data["evidence"]["devplan-workplan"]), "each item once per report"
    [cited] = item["citations"]
    assert cited == {"claim": "att-vision", "quote": VISION, "locator": VISION_LOCATOR, "at": {"file": cited["at"]["file"], "line": _line_of(CP, VISION)}}
    assert cited["at"]["file"].endswith(CP.name)
    fact = next(x for x in f["facts"] if x["name"] == "attested_shared_vision")
    assert fact["claims"] == ["att-vision"]
    assert {"id": "att-vision", "kind": "attestation"}.items() <= next(c for c in f["claims"] if c["id"] == "att-vision").items()
    copied = next(x for x in data["findings"] if x["rule_id"] == "COA-LEAD-001")
    assert next(c for c in copied["claims"] if c["id"] == "coa-4")["transcribed_from"] == "self-assessment-nov-2020"
    assert data["schema_version"] == report.REPORT_SCHEMA_VERSION == "4.0"


def test_every_quote_a_report_shows_is_one_the_description_gives(cp):
    sites = {(s.evidence, s.quote, s.locator) for s in quote_sites(load_fixture(CP))}
    shown = 0
    for f in cp.findings:
        for e in f.evidence:
            for c in e.citations:
                assert c.evidence == e.id
                if c.quote:
                    assert (c.evidence, c.quote, c.locator) in sites
                    shown += 1
    assert shown > 100


def test_markdown_gap_entries_quote_the_documents(cp):
    md = report.to_markdown(cp)
    entry = md.split("### MM-LEAD-M2 — system")[1].split("\n### ")[0]
    assert "- In the documents' words:" in entry
    assert f"  - attested_shared_vision is agreed_on_track: \u201c{VISION}\u201d ({PLAN}, {VISION_LOCATOR})" in entry
    copied = md.split("### COA-PLAN-001 — system")[1].split("\n### ")[0]
    assert "copied from the self-assessment 'self-assessment-nov-2020'" in copied
    assert "\u201cSystem plans Orange\u201d" in copied  # the tab of the table row shown as a space


def test_markdown_not_evidenced_rows_give_the_words_cited_where_the_fact_belongs(cp):
    md = report.to_markdown(cp)
    table = md.split("## Not evidenced")[1].split("## Every rule")[0]
    assert "| words cited there |" in table
    north = next(line for line in table.splitlines() if "COA-LEAD-003" in line and "'North'" in line)
    assert "\u201cNorth Alliance chair \u2013 Caroline Walker / Neil Modha\u201d" in north
    attestation = next(line for line in table.splitlines() if "MM-LEAD-M5" in line)
    assert attestation.rstrip().endswith("| \u2014 |")  # no claim states it, so no words


def test_html_gap_entries_quote_the_documents(cp):
    html = report.to_html(cp)
    assert f"\u201c<span class=\"quote\">{VISION}</span>\u201d ({PLAN}, Development plan on a page: Direction &amp; Purpose)" in html


def test_html_escapes_quotes_and_locators(tmp_path):
    text = PLANTED.read_text()
    original = "    evidence: [ev-place-tor]\n    members:\n      - {role: chair, person: West place chair}"
    assert original in text
    hostile = (
        '    evidence:\n      - id: ev-place-tor\n        quote: "<script>alert(1)</script> & more"\n'
        '        locator: "<b>p. 3</b>"\n    members:\n      - {role: chair, person: West place chair}'
    )
    path = tmp_path / "planted.yaml"
    path.write_text(text.replace(original, hostile))
    result = api.check(path, engine="python")
    html = report.to_html(result)
    assert "<script>" not in html and "<b>p. 3</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html and "&lt;b&gt;p. 3&lt;/b&gt;" in html
    markdown = report.to_markdown(result)
    assert "\\<script>alert(1)\\</script>" in markdown, "the quote is shown, its markup escaped"
    assert not re.search(r"(?<!\\)<script>", markdown), "description text never becomes HTML in Markdown either"


def test_explain_gives_the_words_behind_each_fact(run):
    code, out, _ = run("explain", CP, "MM-LEAD-M2")
    assert code == 0
    flat = "".join(out.split())  # the terminal wraps long lines
    assert "".join(f"\u201c{VISION}\u201d \u2014 {PLAN}, {VISION_LOCATOR} (cited at".split()) in flat
    assert f"{CP.name}:{_line_of(CP, VISION)})" in flat
    code, out, _ = run("explain", CP, "COA-LEAD-001")
    flat = "".join(out.split())
    assert "copiedfromtheself-assessment'self-assessment-nov-2020'" in flat
    assert "\u201cLeadershipGreen\u201d" in flat


def test_csv_gives_the_words_behind_the_deciding_facts(cp):
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(cp))))
    row = next(r for r in rows if r["rule_id"] == "MM-LEAD-M2")
    assert row["evidence_words"] == f"attested_shared_vision: \u201c{VISION}\u201d ({PLAN}, {VISION_LOCATOR})"
    assert row["evidence"] == "devplan-overview; devplan-workplan; icb-reference"


def test_citations_are_deterministic():
    first = report.to_json(api.check(CP, engine="python"))
    assert first == report.to_json(api.check(CP, engine="python"))
    assert json.loads(first)["findings"][0]["evidence"] is not None
