"""``batch`` on several cores: the same bytes, messages and exit code with any number of processes."""

from __future__ import annotations

import pytest

from icscheck import batchrun
from icscheck.batchrun import Batch
from icscheck.resources import rules_dir

from conftest import CP, ENGINE, EXEMPLAR, PLANTED, REAL_FIXTURES

needs_fork = pytest.mark.skipif(not batchrun.can_fork(), reason="worker processes are forked only on Linux")


def _folder(tmp_path, files):
    folder = tmp_path / "systems"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def _run_with(run, folder, out, jobs):
    code, stdout, err = run("batch", folder, "-o", out, "--engine", ENGINE, "--jobs", jobs)
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir())} if out.exists() else {}
    return code, stdout.replace(str(out), "OUT"), err, files


@needs_fork
@pytest.mark.parametrize("jobs", [2, 3])
def test_reports_are_the_same_bytes_with_any_number_of_processes(run, tmp_path, jobs):
    folder = _folder(tmp_path, {p.name: p.read_text() for p in REAL_FIXTURES} | {"exemplar.yaml": EXEMPLAR.read_text()})
    one = _run_with(run, folder, tmp_path / "one", 1)
    many = _run_with(run, folder, tmp_path / "many", jobs)
    assert one[0] == many[0] == 1
    assert one == many
    assert len(one[3]) > 4 * len(REAL_FIXTURES)


@needs_fork
def test_invalid_and_duplicate_descriptions_are_reported_the_same_with_any_number_of_processes(run, tmp_path):
    files = {
        "a.yaml": EXEMPLAR.read_text(),
        "b.yaml": "system: [\n",
        "c.yaml": EXEMPLAR.read_text(),  # the same system on the same date as a.yaml
        "d.yaml": PLANTED.read_text(),
        "e.yml": CP.read_text(),
        "e.yaml": REAL_FIXTURES[-1].read_text(),  # e.yml and e.yaml would write the same reports
    }
    folder = _folder(tmp_path, files)
    one = _run_with(run, folder, tmp_path / "one", 1)
    many = _run_with(run, folder, tmp_path / "many", 2)
    assert one[0] == 2
    assert one == many
    assert set(one[3]) == {"d.json", "d.md", "d.txt", "d.html", "regional.json", "regional.md", "regional.xlsx", "regional.html"}
    assert len(one[2].strip().splitlines()) == 5, one[2]


@needs_fork
def test_a_worker_that_fails_stops_the_batch_and_writes_nothing(run, tmp_path, monkeypatch):
    folder = _folder(tmp_path, {"a.yaml": EXEMPLAR.read_text(), "b.yaml": PLANTED.read_text()})

    def broken(self, path, runner):
        raise ZeroDivisionError("a fault in checking")

    monkeypatch.setattr(Batch, "check", broken)  # forked workers inherit it
    out = tmp_path / "out"
    code, _, err = run("batch", folder, "-o", out, "--engine", ENGINE, "--jobs", 2)
    assert code == 3 and "batch worker failed" in err and "ZeroDivisionError" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())


def test_outcomes_come_back_in_name_order_with_their_rulebook(tmp_path):
    paths = sorted(REAL_FIXTURES)
    work = Batch([rules_dir()], {}, ENGINE, "maturing", "best-fit", lambda result, stem: {f"{stem}.txt": "x"})
    seen = []
    outcomes = work.run(paths, 2, lambda outcome: seen.append(outcome.path))
    assert [o.path for o in outcomes] == paths and sorted(seen) == paths
    for outcome in outcomes:
        assert outcome.result is not None and outcome.result.graph is None and not outcome.result.subjects
        assert outcome.result.findings and all(f.trace is None and not f.facts for f in outcome.result.findings)
        assert outcome.result.rules, "the rulebook is attached again in the calling process"
        assert outcome.outputs == {f"{outcome.path.stem}.txt": "x"}


@pytest.mark.parametrize("exists", [False, True])
def test_an_interrupted_batch_leaves_no_report_and_no_temporary_file(run, tmp_path, monkeypatch, exists):
    """Each system's reports are staged as soon as they are made; an interrupt removes them all (and a folder
    it made), and leaves the reports of an earlier run as they were."""
    folder = _folder(tmp_path, {"a.yaml": EXEMPLAR.read_text(), "b.yaml": PLANTED.read_text()})
    out = tmp_path / "deep" / "out"
    if exists:
        out.mkdir(parents=True)
        (out / "a.json").write_text("earlier")
    real = Batch.check

    def interrupted(self, path, runner):
        if path.name == "b.yaml":
            raise KeyboardInterrupt
        return real(self, path, runner)

    monkeypatch.setattr(Batch, "check", interrupted)
    code, _, err = run("batch", folder, "-o", out, "--engine", ENGINE, "--jobs", 1)
    assert code == 2 and "interrupted" in err
    if exists:
        assert [p.name for p in out.iterdir()] == ["a.json"] and (out / "a.json").read_text() == "earlier"
    else:
        assert not (tmp_path / "deep").exists(), "the folders it made are removed again"


def test_staging_discards_commits_and_rolls_back(tmp_path):
    from icscheck.errors import InputError
    from icscheck.writing import Staging

    (tmp_path / "keep.txt").write_text("old")
    with Staging() as staging:
        staging.add(str(tmp_path / "keep.txt"), "new")
        staging.add(str(tmp_path / "gone.txt"), "never")
        staging.discard(str(tmp_path / "gone.txt"))
        with pytest.raises(InputError, match="two outputs name the same file"):
            staging.add(str(tmp_path / "keep.txt"), "again")
        assert (tmp_path / "keep.txt").read_text() == "old", "nothing is replaced before the commit"
        staging.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"] and (tmp_path / "keep.txt").read_text() == "new"
    with Staging([str(tmp_path / "keep.txt")]) as staging, pytest.raises(InputError, match="is an input"):
        staging.add(str(tmp_path / "keep.txt"), "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
