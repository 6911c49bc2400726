"""The real descriptions' ICB codes agree with the bundled reference list, the one place they come from."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

import icscheck
from conftest import REAL_FIXTURES
from icscheck.fixture import load_fixture

DATA = Path(icscheck.__file__).resolve().parent / "data" / "icbs"
ICBS_FROM = dt.date(2022, 7, 1)


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_reference_list_is_whole_and_sourced():
    icbs, successors = _rows("icbs-2022.csv"), _rows("icbs-2026-successors.csv")
    assert len(icbs) == 42 and len({r["ods_code"] for r in icbs}) == 42
    assert len({r["ons_code_icb23"] for r in icbs}) == 42
    assert all(r["source"].strip() for r in icbs + successors), "every row names its source"
    successor_codes = {r["ods_code"] for r in successors}
    for row in icbs:
        fate = row["fate_1_april_2026"]
        named = {w for w in fate.replace("/", " ").split() if w[:1].isupper() and any(c.isdigit() for c in w) and not w.startswith("E5")}
        assert named <= successor_codes | {r["ods_code"] for r in icbs}, (row["name"], fate)
    assert (DATA / "README.md").is_file()


@pytest.mark.parametrize("path", REAL_FIXTURES, ids=lambda p: p.stem)
def test_real_description_codes_match_the_reference_list(path):
    desc = load_fixture(path).description
    system = desc.system
    by_ods = {r["ods_code"]: r for r in _rows("icbs-2022.csv")}
    row = by_ods.get(system.ods_code)
    assert row is not None, f"{system.ods_code} is not an ICB code in the bundled list"
    assert row["name"] == f"NHS {system.name} ICB"
    assert row["nhs_region"] == system.region
    items = {e.id: e for e in desc.evidence}
    cited = [items[c.id] for c in system.citations]
    assert any("reference list bundled with icscheck" in e.title for e in cited), "the codes cite the bundled list"
    if system.ons_code != row["ons_code_icb23"]:
        # before the ICBs, a system had its STP code: the description must say where it comes from
        assert system.assessment_date < ICBS_FROM, f"{system.ons_code} is not the ICB's ONS code {row['ons_code_icb23']}"
        assert any(system.ons_code in (e.note or "") for e in cited), f"{system.ons_code} is not accounted for in the evidence"
    for org in desc.organisations:
        if org.kind == "icb":
            assert org.ods_code in by_ods, org.id
