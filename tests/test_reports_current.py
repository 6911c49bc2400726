"""The committed reports in reports/ are what the current code, rules and fixtures produce."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from conftest import needs_durable, ROOT

REGENERATE = "icscheck batch fixtures/real -o reports"


def _content(path: Path):
    """A report's text; a workbook's entries (names, order and contents), which do not depend on the zlib build."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as archive:
            return [(info.filename, info.date_time, archive.read(info)) for info in archive.infolist()]
    return path.read_text()


@needs_durable  # the committed reports record the engine that made them: durable-rules
def test_committed_reports_are_current(run, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    fresh = tmp_path / "reports"
    code, _, err = run("batch", "fixtures/real", "-o", fresh)
    assert code in (0, 1), err
    committed = {p.name: _content(p) for p in (ROOT / "reports").iterdir() if p.is_file()}
    generated = {p.name: _content(p) for p in fresh.iterdir()}
    assert sorted(committed) == sorted(generated), f"reports/ holds other files than the batch writes; run: {REGENERATE}"
    stale = sorted(name for name in generated if committed[name] != generated[name])
    assert not stale, f"out of date: {stale}; run: {REGENERATE}"


def test_every_real_system_has_text_markdown_json_and_html_reports():
    names = {p.name for p in (ROOT / "reports").iterdir()}
    assert "regional.html" in names
    for fixture in (ROOT / "fixtures" / "real").glob("*.yaml"):
        for suffix in (".json", ".md", ".txt", ".html"):
            assert fixture.stem + suffix in names


def test_comparisons_cover_both_cp_dates():
    for stem in ("cambridgeshire-and-peterborough-2019", "cambridgeshire-and-peterborough-2021"):
        data = json.loads((ROOT / "reports" / f"{stem}.comparison.json").read_text())
        rows = data[0]["rows"]
        assert len([r for r in rows if r["kind"] == "domain"]) == 5
        for row in rows:
            if row["relation"] in ("icscheck lower", "icscheck higher"):
                assert row["explanation"], row
                if row["relation"] == "icscheck lower":
                    assert row["reasons"] and all(r["missing"] or r["not_met"] for r in row["reasons"]), row


def test_regional_summary_lists_every_real_system():
    data = json.loads((ROOT / "reports" / "regional.json").read_text())
    assert {s["id"] for s in data["systems"]} == {"cambridgeshire-and-peterborough", "lancashire-and-south-cumbria"}
    assert len(data["systems"]) == 3
