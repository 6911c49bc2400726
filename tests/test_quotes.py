"""Evidence quotes: the citation model and `icscheck quotes`, which checks them against the documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import REAL_FIXTURES
from icscheck.fixture import load_fixture
from icscheck.model import Cited
from icscheck.quotes import check_quotes, read_document

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

DESCRIPTION = """\
schema_version: 1
system:
  id: x
  name: X
  assessment_date: 2021-03-31
  evidence:
    - id: plan
      quote: "{quote}"
      locator: section 2
evidence:
  - id: plan
    title: A made-up development plan
    date: 2021-03-31
    document: {document}
"""

TEXT = """\
Section 1. Overview

We have not yet reached an agreement about how to devolve resources, and the "system first"
approach to capital will con-
tinue in 2021/22.

Section 2. Governance

The partnership board meets quarterly; it includes councillors and the voluntary sector.
"""


def _describe(tmp_path: Path, quote: str, document: str = "plan.txt") -> Path:
    path = tmp_path / "x.yaml"
    path.write_text(DESCRIPTION.format(quote=quote, document=document), encoding="utf-8")
    return path


def _docs(tmp_path: Path, name: str = "plan.txt", text: str = TEXT) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- the citation model -------------------------------------------------------------------


def test_plain_ids_and_quoted_citations_both_valid(tmp_path):
    fixture = load_fixture(_describe(tmp_path, "meets quarterly"))
    system = fixture.description.system
    assert system.evidence == ["plan"], "evidence stays a list of ids for the graph and findings"
    assert system.citations[0].quote == "meets quarterly"
    assert system.citations[0].locator == "section 2"


def test_unknown_evidence_in_a_citation_names_its_line(run, tmp_path):
    path = _describe(tmp_path, "meets quarterly")
    path.write_text(path.read_text().replace("    - id: plan\n      quote", "    - id: nowhere\n      quote"))
    code, _, err = run("validate", path)
    assert code == 2
    assert err.strip().endswith("x.yaml:7: unknown evidence item 'nowhere'"), err


def test_unknown_key_in_a_citation(run, tmp_path):
    path = _describe(tmp_path, "meets quarterly")
    path.write_text(path.read_text().replace("      locator: section 2", "      page: 2"))
    code, _, err = run("validate", path)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "x.yaml:9:" in err and "unknown key 'page'" in err, err


def test_transcribed_from_must_name_a_self_assessment(run, tmp_path):
    path = _describe(tmp_path, "meets quarterly")
    path.write_text(
        path.read_text()
        + "arrangements:\n  - {id: a, kind: other, title: T, status: achieved, transcribed_from: plan, evidence: [plan]}\n"
    )
    code, _, err = run("validate", path)
    assert code == 2
    assert "'plan' is not a self-assessment" in err, err


# --- finding quotes -----------------------------------------------------------------------


def test_verbatim_quote_found(run, tmp_path):
    code, out, _ = run("quotes", _describe(tmp_path, "it includes councillors and the voluntary sector"), "--documents", _docs(tmp_path))
    assert code == 0, out
    assert "x.yaml:8: found: plan (plan.txt, line 9)" in out


@pytest.mark.parametrize(
    "quote",
    [
        "We have not yet reached an agreement about how to devolve resources, and the “system first” approach",  # curly quotes, line break
        "approach to capital will continue in 2021/22",  # hyphenated across a line end
        "THE PARTNERSHIP BOARD MEETS QUARTERLY; it includes",  # letter case
    ],
)
def test_quote_found_after_normalising(run, tmp_path, quote):
    code, out, _ = run("quotes", _describe(tmp_path, quote.replace('"', '\\"')), "--documents", _docs(tmp_path))
    assert code == 0, out
    assert "found after normalising" in out


def test_wrong_quote_fails_with_the_nearest_passage(run, tmp_path):
    code, out, _ = run("quotes", _describe(tmp_path, "the partnership board meets monthly"), "--documents", _docs(tmp_path))
    assert code == 1
    assert "x.yaml:8: NOT FOUND: plan (plan.txt)" in out
    assert 'nearest (line 9, similarity' in out and '"The partnership board meets quarterly;' in out
    code, out, _ = run("quotes", _describe(tmp_path, "the partnership board meets monthly"), "--documents", _docs(tmp_path), "--format", "json")
    assert code == 1
    data = json.loads(out)
    (result,) = data["quotes"]
    assert result["status"] == "not_found"
    assert result["nearest"]["passage"].startswith("The partnership board meets quarterly")
    assert data["totals"] == {"found": 0, "normalised": 0, "not_found": 1, "no_document": 0, "quotes": 1}


def test_output_is_deterministic(run, tmp_path):
    path, docs = _describe(tmp_path, "the partnership board meets monthly"), _docs(tmp_path)
    first = run("quotes", path, "--documents", docs, "--format", "json")
    assert first == run("quotes", path, "--documents", docs, "--format", "json")


def test_missing_document_is_reported_not_crashed(run, tmp_path):
    code, out, _ = run("quotes", _describe(tmp_path, "meets quarterly", "absent.txt"), "--documents", _docs(tmp_path))
    assert code == 1
    assert "NO DOCUMENT" in out and "document 'absent.txt' is not in the folder" in out


def test_matched_by_title_when_no_document_is_declared(run, tmp_path):
    path = _describe(tmp_path, "meets quarterly")
    path.write_text(path.read_text().replace("    document: plan.txt\n", ""))
    docs = _docs(tmp_path, "a-made-up-development-plan.md", TEXT)
    code, out, _ = run("quotes", path, "--documents", docs)
    assert code == 0, out
    assert "a-made-up-development-plan.md" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (("--documents", "nowhere"), "nowhere: is not a folder of documents"),
        (("--documents", "DOCS", "--format", "xml"), "Invalid value for '--format'"),
    ],
)
def test_bad_input_is_one_line(run, tmp_path, args, message):
    docs = _docs(tmp_path)
    args = tuple(str(docs) if a == "DOCS" else str(tmp_path / a) if a == "nowhere" else a for a in args)
    code, _, err = run("quotes", _describe(tmp_path, "x"), *args)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_document_outside_the_folder_is_bad_input(run, tmp_path):
    code, _, err = run("quotes", _describe(tmp_path, "x", "../secret.txt"), "--documents", _docs(tmp_path))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "x.yaml:14: document '../secret.txt' must be a file name inside the documents folder" in err


def test_unreadable_pdf_is_bad_input(run, tmp_path):
    docs = _docs(tmp_path)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really a pdf")
    code, _, err = run("quotes", _describe(tmp_path, "x", "broken.pdf"), "--documents", docs)
    assert code == 2
    assert "broken.pdf: cannot read the PDF" in err and "Traceback" not in err


# --- document kinds -----------------------------------------------------------------------


def test_pdf_html_and_markdown_documents(run, tmp_path):
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 (the test extra) makes the PDF")
    docs = tmp_path / "docs"
    docs.mkdir()
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Cover page of a made-up plan.")
    pdf.add_page()
    pdf.multi_cell(0, 6, "The mental health collaborative is agreed in principle and will include the mental health trust.")
    pdf.output(str(docs / "plan.pdf"))
    (docs / "plan.html").write_text(
        "<html><head><style>p {color: red}</style></head><body><p>The <b>shared care record</b> is live&nbsp;in "
        "<a href='x'>two places</a>.</p></body></html>",
        encoding="utf-8",
    )
    (docs / "plan.md").write_text("# Plan\n\nWe will **co-produce** the [clinical strategy](https://example.org) with _patients_.\n", encoding="utf-8")

    pages = read_document(docs / "plan.pdf").pages
    assert len(pages) == 2 and "agreed in principle" in pages[1]

    for document, quote, status in [
        ("plan.pdf", "is agreed in principle", "found"),
        ("plan.html", "The shared care record is live in two places.", "normalised"),
        ("plan.html", "shared care record", "found"),
        ("plan.md", "We will co-produce the clinical strategy with patients.", "normalised"),
        ("plan.md", "with _patients_", "found"),
        ("plan.pdf", "is agreed in full", "not_found"),
    ]:
        code, out, _ = run("quotes", _describe(tmp_path, quote, document), "--documents", docs, "--format", "json")
        (result,) = json.loads(out)["quotes"]
        assert result["status"] == status, (document, quote, result)
        assert code == (1 if status == "not_found" else 0)
        if document == "plan.pdf" and status != "not_found":
            assert result["at"].startswith("page 2")
        if status == "not_found":
            assert "agreed in principle" in result["nearest"]["passage"]


# --- the real descriptions against their documents ------------------------------------------


def _cited(value, path=()):
    if isinstance(value, Cited):
        yield path, value
    if hasattr(type(value), "model_fields"):
        for name in type(value).model_fields:
            yield from _cited(getattr(value, name), path + (name,))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _cited(item, path + (index,))


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the source documents are not here ({SEEDS})")
@pytest.mark.parametrize("path", REAL_FIXTURES, ids=lambda p: p.stem)
def test_real_descriptions_quotes_are_in_their_documents(path):
    report = check_quotes(load_fixture(path), SEEDS)
    misses = [f"{r.line}: {r.status}: {r.quote!r} {r.note or ''} {r.nearest}" for r in report.results if r.status not in ("found", "normalised")]
    assert not misses, "\n".join(misses)
    assert report.totals["quotes"] > 0


@pytest.mark.parametrize("path", REAL_FIXTURES, ids=lambda p: p.stem)
def test_real_descriptions_quote_every_document_they_cite(path):
    """Every claim that cites a source document gives the document's words for it."""
    fixture = load_fixture(path)
    documents = {e.id for e in fixture.description.evidence if e.document}
    assert documents, "a real description declares the file of each document it cites"
    unquoted = []
    for where, claim in _cited(fixture.description):
        cited = [c for c in claim.citations if c.id in documents]
        if cited and not any(c.quote for c in cited):
            unquoted.append(f"line {fixture.source.line(where)}: {'.'.join(map(str, where))}")
    assert not unquoted, "claims citing a document without its words:\n" + "\n".join(unquoted)


def test_invalid_description_is_one_line(run, tmp_path):
    path = _describe(tmp_path, "x")
    path.write_text(path.read_text().replace("assessment_date: 2021-03-31", "assessment_date: soon"))
    code, out, err = run("quotes", path, "--documents", _docs(tmp_path))
    assert code == 2 and not out
    assert len(err.strip().splitlines()) == 1 and "x.yaml:5:" in err and "Traceback" not in err


def test_document_not_utf8_names_its_line(run, tmp_path):
    docs = _docs(tmp_path)
    (docs / "plan.txt").write_bytes(b"line one\nline two \xff\n")
    code, _, err = run("quotes", _describe(tmp_path, "x"), "--documents", docs)
    assert code == 2
    assert "plan.txt:2: not UTF-8 text (byte 0xff)" in err
