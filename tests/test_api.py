"""The library API and ``python -m icscheck``."""

from __future__ import annotations

import subprocess
import sys

import icscheck

from conftest import PLANTED, ROOT


def test_the_library_api_returns_typed_results():
    result = icscheck.check(PLANTED)
    assert isinstance(result, icscheck.Result)
    assert isinstance(result.summary, icscheck.Summary)
    gaps = [f for f in result.findings if f.status == "gap"]
    assert gaps and all(isinstance(f, icscheck.Finding) and f.trace is not None for f in gaps)
    assert result.summary.readiness.verdict in ("ready", "not ready", "undetermined")
    assert set(icscheck.__all__) >= {"check", "check_fixture", "Result", "Finding", "Summary", "InputError"}
    assert (ROOT / "src" / "icscheck" / "py.typed").is_file()


def test_python_dash_m_runs_the_command_line():
    done = subprocess.run([sys.executable, "-m", "icscheck", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and icscheck.__version__ in done.stdout
