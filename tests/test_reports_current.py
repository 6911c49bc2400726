"""The committed reports in reports/ are what the current code and rules produce."""

from __future__ import annotations


import pytest

from conftest import ROOT

REPORTS = {
    "cambridgeshire-and-peterborough-2021.json": ("--format", "json"),
    "cambridgeshire-and-peterborough-2021.txt": ("--format", "text"),
}


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_committed_report_is_current(name, run, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    fresh = tmp_path / name
    code, _, err = run("check", "fixtures/" + name.rsplit(".", 1)[0] + ".yaml", *REPORTS[name], "-o", fresh)
    assert code in (0, 1), err
    committed = ROOT / "reports" / name
    assert committed.read_text() == fresh.read_text(), (
        f"reports/{name} is out of date: run icscheck check fixtures/{name.rsplit('.', 1)[0]}.yaml "
        f"{' '.join(REPORTS[name])} -o reports/{name}"
    )
