"""A new description scaffolded from the bundled reference list of ICBs; codes checked against it."""

from __future__ import annotations

import json

import pytest

from icscheck import reference

from conftest import REAL_FIXTURES


def test_a_scaffold_checks_as_not_evidenced_never_as_pass(run, tmp_path):
    path = tmp_path / "new.yaml"
    code, _, err = run("init", "--icb", "QE1", "--date", "2024-03-31", "-o", path)
    assert code == 0 and "Lancashire and South Cumbria" in err
    code, out, _ = run("validate", path)
    assert code == 0
    code, out, _ = run("check", path, "--format", "json")
    assert code == 0, "a scaffold has no gaps: it states nothing that could fall short"
    report = json.loads(out)
    system = report["system"]
    assert (system["id"], system["name"], system["ods_code"], system["ons_code"]) == (
        "lancashire-and-south-cumbria", "Lancashire and South Cumbria", "QE1", "E54000048",
    )
    statuses = {f["status"] for f in report["findings"]}
    assert "pass" not in statuses and "gap" not in statuses
    assert "unknown" in statuses
    assert report["summary"]["readiness"]["verdict"] == "undetermined"
    text = path.read_text()
    assert "criterion: shared_vision" in text and "MM-LEAD-M2" in text, "the criteria the rules read are listed with their rules"


def test_init_finds_an_icb_by_name_and_suggests_near_misses(run, tmp_path):
    code, out, _ = run("init", "--icb", "nhs cambridgeshire and peterborough icb", "--date", "2024-01-01")
    assert code == 0 and "ods_code: QUE" in out
    code, _, err = run("init", "--icb", "Lancashire South Cumbra")
    assert code == 2 and "did you mean 'Lancashire and South Cumbria'" in err
    existing = tmp_path / "x.yaml"
    existing.write_text("keep me\n")
    code, _, err = run("init", "--icb", "QE1", "-o", existing)
    assert code == 2 and "already exists" in err and existing.read_text() == "keep me\n"


def test_validate_warns_when_codes_do_not_match_the_reference_list(run, tmp_path):
    path = tmp_path / "new.yaml"
    run("init", "--icb", "QE1", "--date", "2024-03-31", "-o", path)
    path.write_text(path.read_text().replace("ods_code: QE1", "ods_code: QUE"))
    code, _, err = run("validate", path)
    assert code == 0
    assert "ODS code QUE is NHS Cambridgeshire and Peterborough ICB in the reference list" in err
    assert "new.yaml:" in err


@pytest.mark.parametrize("path", REAL_FIXTURES, ids=lambda p: p.stem)
def test_the_real_descriptions_raise_no_code_warning(run, path):
    code, _, err = run("validate", path)
    assert code == 0 and "warning" not in err


def test_every_icb_in_the_list_can_be_scaffolded():
    for icb in reference.icbs():
        assert reference.find(icb.ods_code, icb.from_date) == icb
        assert icb.slug and icb.short_name and not icb.short_name.startswith("NHS ")
