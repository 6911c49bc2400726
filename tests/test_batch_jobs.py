"""``batch`` on several cores: the same bytes, messages and exit code with any number of processes."""

from __future__ import annotations

import os

import pytest

from icscheck import batchrun
from icscheck.batchrun import Batch
from icscheck.resources import rules_dir

from conftest import CP, ENGINE, EXEMPLAR, PLANTED, REAL_FIXTURES, ROOT

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


def _synthetic_folder(tmp_path, count):
    import sys

    import yaml

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import national

    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(count):
        (folder / f"s{n}.yaml").write_text(yaml.safe_dump(national.synthetic_system(n), sort_keys=False))
    return folder


def _start(folder, out, *extra):
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "icscheck", "batch", str(folder), "-o", str(out), "--engine", ENGINE, *map(str, extra)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_for_staged(out, process, seconds=60):
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end and process.poll() is None:
        if out.exists() and any(p.name.endswith(".tmp") for p in out.iterdir()):
            return True
        time.sleep(0.02)
    return False


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


@needs_fork
def test_a_terminated_batch_removes_what_it_staged_and_replaces_nothing(tmp_path):
    import signal

    folder = _synthetic_folder(tmp_path, 60)
    out = tmp_path / "out"
    out.mkdir()
    (out / "s0.json").write_text("earlier")
    process = _start(folder, out, "--jobs", 2)
    assert _wait_for_staged(out, process), "the run stages reports as it goes"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2 and "interrupted; nothing more was written" in err and "Traceback" not in err
    assert [p.name for p in out.iterdir()] == ["s0.json"] and (out / "s0.json").read_text() == "earlier"


@needs_fork
def test_workers_stop_when_the_batch_process_dies(tmp_path):
    import signal
    import time

    folder = _synthetic_folder(tmp_path, 60)
    out = tmp_path / "out"
    process = _start(folder, out, "--jobs", 2)
    assert _wait_for_staged(out, process)
    workers = _children(process.pid)
    assert len(workers) == 2
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    end = time.monotonic() + 30
    while time.monotonic() < end and any(os.path.exists(f"/proc/{w}") and open(f"/proc/{w}/stat").read().split()[2] != "Z" for w in workers):
        time.sleep(0.05)
    alive = [w for w in workers if os.path.exists(f"/proc/{w}") and open(f"/proc/{w}/stat").read().split()[2] != "Z"]
    for w in alive:
        os.kill(w, signal.SIGKILL)
    assert not alive, "a worker whose batch died must not wait for a reader forever"


@needs_fork
def test_a_worker_killed_by_a_signal_is_named_so(run, tmp_path, monkeypatch):
    import signal

    folder = _folder(tmp_path, {"a.yaml": EXEMPLAR.read_text(), "b.yaml": PLANTED.read_text()})

    def killed(self, path, runner):
        os.kill(os.getpid(), signal.SIGKILL)  # in a forked worker: the worker, as the OOM killer would

    monkeypatch.setattr(Batch, "check", killed)
    code, _, err = run("batch", folder, "-o", tmp_path / "out", "--engine", ENGINE, "--jobs", 2)
    assert code == 3 and "killed by signal 9" in err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("jobs", [1, pytest.param(2, marks=needs_fork)])
def test_a_report_that_cannot_be_written_counts_only_if_its_description_is_kept(run, tmp_path, jobs):
    folder = _folder(tmp_path, {"a.yaml": EXEMPLAR.read_text(), "b.yaml": EXEMPLAR.read_text(), "c.yaml": PLANTED.read_text()})
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.md").symlink_to(tmp_path / "elsewhere.md")  # a and b describe one system on one date: neither is kept
    code, _, err = run("batch", folder, "-o", out, "--engine", ENGINE, "--jobs", jobs)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 2 and all("describes the same system" in line for line in lines), err
    assert (out / "c.json").exists() and (out / "regional.json").exists() and (out / "a.md").is_symlink()


@pytest.mark.parametrize("jobs", [1, pytest.param(2, marks=needs_fork)])
def test_a_batch_with_nothing_valid_makes_no_folder(run, tmp_path, jobs):
    folder = _folder(tmp_path, {"a.yaml": EXEMPLAR.read_text(), "b.yaml": EXEMPLAR.read_text()})
    out = tmp_path / "new" / "out"
    code, _, err = run("batch", folder, "-o", out, "--engine", ENGINE, "--jobs", jobs)
    assert code == 2 and len(err.strip().splitlines()) == 2
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("jobs", [1, pytest.param(2, marks=needs_fork)])
def test_an_unusable_output_folder_is_said_after_the_invalid_descriptions(run, tmp_path, jobs):
    folder = _folder(tmp_path, {"a.yaml": EXEMPLAR.read_text(), "b.yaml": "system: [\n", "c.yaml": PLANTED.read_text()})
    (tmp_path / "file").write_text("not a folder")
    code, _, err = run("batch", folder, "-o", tmp_path / "file" / "out", "--engine", ENGINE, "--jobs", jobs)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 2, err
    assert "b.yaml:2: invalid YAML" in lines[0] and "file/out" in lines[1] and "Traceback" not in err
