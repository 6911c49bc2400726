"""Hostile input, files, paths and outputs: never a traceback, a hang, a wrong exit code or a lost report.

Sections follow the hardening issue: the exception boundary, bounded reading, strict types, the
engine and every finite float, writes that lose nothing, escaping in every format, and commands
that check what they are given.  The small hostile files are in tests/corpus/.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXEMPLAR, PLANTED, ROOT, needs_durable

CORPUS = Path(__file__).resolve().parent / "corpus"
YAML_CORPUS = sorted((CORPUS / "yaml").glob("*.yaml"))
GOOD = EXEMPLAR.read_text()


def _expectation(path: Path) -> str:
    """The regular expression in the file's first line, for the error after its name (': invalid YAML' aside)."""
    first = path.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    assert first.startswith("# expect: "), path
    return re.sub(r"^(:[^ ]+ )", r"\1(?:invalid YAML: )?", first[len("# expect: "):])


def _one_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def _strict_json(text: str):
    def refuse(name):
        raise ValueError(f"{name} in JSON output")

    return json.loads(text, parse_constant=refuse)


# -- 1 and 2: one exception boundary; bounded reading -------------------------------------------


@pytest.mark.parametrize("path", YAML_CORPUS, ids=lambda p: p.stem)
def test_hostile_yaml_is_one_line_and_exit_2_as_a_description(run, tmp_path, path):
    """Every value PyYAML cannot construct, every alias bomb, nesting bomb and refused type: file:line, exit 2, fast."""
    out = tmp_path / "report.json"
    out.write_text("previous report\n")
    started = time.monotonic()
    for args in (("validate", path), ("check", path, "--format", "json", "-o", out)):
        code, _, err = run(*args)
        assert code == 2, err
        line = _one_line(err)
        assert re.search(re.escape(path.name) + _expectation(path), line), line
    assert time.monotonic() - started < 5
    assert out.read_text() == "previous report\n"


@pytest.mark.parametrize("path", YAML_CORPUS, ids=lambda p: p.stem)
def test_hostile_yaml_is_one_line_and_exit_2_as_a_rule_or_a_waiver_file(run, tmp_path, path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "X-1.yaml").write_text(path.read_text())
    code, _, err = run("rules", "list", "--rules", rules)
    assert code == 2 and re.search("X-1.yaml" + _expectation(path), _one_line(err)), err
    code, _, err = run("check", EXEMPLAR, "--waivers", path)
    assert code == 2 and re.search(re.escape(path.name) + _expectation(path), _one_line(err)), err


@pytest.mark.parametrize(
    "value,says",
    [
        ("2021-02-30", r"'2021-02-30' is not a valid date"),
        ("!!int abc", r"'abc' is not a valid integer"),
        ("!!bool maybe", r"'maybe' is not a valid true/false value"),
        (".nan", r"not a finite number"),
        ("-.inf", r"not a finite number"),
        ("9" * 5000, r"too many digits"),
        ("[1, 2]", r"must be a number, true/false or text"),
        ("'1' 2", r"invalid YAML"),
    ],
)
def test_hostile_parameter_values(run, value, says):
    code, _, err = run("check", EXEMPLAR, "--param", f"FIN-002.min_productivity_growth_pct={value}")
    assert code == 2 and re.search(says, _one_line(err)), err


@pytest.mark.parametrize("value", ["2021-02-30", "2021-13-01", "yesterday", "2021-1-1", ""])
def test_bad_dates_on_the_command_line(run, value):
    for option in ("--as-of", "--rulebook-date"):
        code, _, err = run("check", EXEMPLAR, option, value)
        assert code == 2 and f"'{value}'" in _one_line(err) and option in err


def test_usage_errors_are_one_line(run):
    for args in (("check", "--nope"), ("nope",), ("check", "--engine", "nonsense"), ("diff", "a.json")):
        code, _, err = run(*args)
        assert code == 2, args
        _one_line(err)


def test_special_files_are_input_errors_not_hangs(run, tmp_path):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(tmp_path / "loop2.yaml")
    (tmp_path / "loop2.yaml").symlink_to(loop)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    cases = {
        fifo: "is not a regular file",
        Path("/dev/zero"): "is not a regular file",
        loop: "cannot be read",
        folder: "directory",
    }
    started = time.monotonic()
    for path, says in cases.items():
        for args in (("validate", path), ("check", EXEMPLAR, "--waivers", path), ("diff", path, path)):
            code, _, err = run(*args)
            assert code == 2 and says in _one_line(err), (args, err)
    assert time.monotonic() - started < 10


def test_files_over_the_size_cap_are_refused_before_reading(run, tmp_path):
    from icscheck.diff import MAX_REPORT_BYTES
    from icscheck.yamlsource import MAX_FILE_BYTES

    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written to disk
    code, _, err = run("validate", big)
    assert code == 2 and "the limit is 10,485,760 bytes" in _one_line(err)
    report = tmp_path / "big.json"
    with open(report, "wb") as handle:
        handle.truncate(MAX_REPORT_BYTES + 1)
    code, _, err = run("diff", report, report)
    assert code == 2 and "the limit is" in _one_line(err)


def test_an_alias_is_recorded_once_in_the_source_map():
    from icscheck.yamlsource import parse_yaml

    data, smap = parse_yaml("base: &b {x: 1, y: [1, 2]}\nuse: *b\nagain: *b\n", "a.yaml")
    assert data["use"] is data["base"]
    assert ("base", "y", 1) in smap.lines and ("use", "y", 1) not in smap.lines
    assert smap.line(("use", "y", 1)) == 2  # the alias's key


def test_exponent_numbers_are_numbers_as_in_yaml_1_2():
    from icscheck.yamlsource import parse_yaml

    data, _ = parse_yaml("a: 1e16\nb: 1.0e-5\nc: 2E3\nd: '1e16'\ne: 1_000\n", "n.yaml")
    assert data == {"a": 1e16, "b": 1e-5, "c": 2000.0, "d": "1e16", "e": 1000}


@pytest.mark.parametrize(
    "text,says",
    [
        ("{nope", r"r\.json:1: not a JSON report"),
        ('{"a": NaN}', r"NaN is not a number JSON allows"),
        ('{"a": 1, "a": 2}', r"duplicate key 'a'"),
        ("[" * 100000 + "]" * 100000, r"nested too deeply"),
        ('{"a": ' + "9" * 5000 + "}", r"not a JSON report"),
        ('"a report"', r"not a JSON object"),
        ('{"system": {}, "as_of": "x", "summary": {}, "findings": []}', r"not an icscheck JSON report \(system\.id: Field required\)"),
    ],
)
def test_diff_refuses_a_bad_json_report_in_one_line(run, tmp_path, text, says):
    bad = tmp_path / "r.json"
    bad.write_text(text)
    code, _, err = run("diff", bad, bad)
    assert code == 2 and re.search(says, _one_line(err)), err


def test_diff_refuses_a_report_of_the_wrong_shape_and_bad_encoding(run, tmp_path):
    good = tmp_path / "good.json"
    assert run("check", EXEMPLAR, "--format", f"json={good}")[0] == 0
    report = json.loads(good.read_text())
    for change, says in (
        (lambda r: r["summary"]["maturity"].update({"system-leadership": "superb"}), "summary.maturity.system-leadership"),
        (lambda r: r.update(findings={"a": 1}), "findings"),
        (lambda r: r["findings"][0].update(status="great"), "findings[0].status"),
        (lambda r: r["findings"][0].pop("fingerprint"), "findings[0].fingerprint"),
    ):
        broken = json.loads(json.dumps(report))
        change(broken)
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(broken))
        code, _, err = run("diff", good, bad)
        assert code == 2 and says in _one_line(err), err
    bad.write_bytes(good.read_bytes().replace(b"Exemplar", b"Ex\xe9mplar", 1))
    code, _, err = run("diff", good, bad)
    assert code == 2 and re.search(r"bad\.json:\d+: not UTF-8", _one_line(err)), err


def test_any_unexpected_failure_is_one_line_and_never_exit_1(run, monkeypatch, tmp_path):
    from icscheck import api

    def boom(*args, **kwargs):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(api, "check", boom)
    code, _, err = run("check", EXEMPLAR)
    assert code == 3 and "internal error (RuntimeError: something nobody expected)" in _one_line(err)

    def io_error(*args, **kwargs):
        raise OSError(5, "Input/output error", "somefile")

    monkeypatch.setattr(api, "check", io_error)
    code, _, err = run("check", EXEMPLAR)
    assert code == 2 and "somefile: input/output error" in _one_line(err)

    def deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(api, "check", deep)
    code, _, err = run("check", EXEMPLAR)
    assert code == 2 and "too large or too deeply nested" in _one_line(err)


# -- 3: strict types ------------------------------------------------------------------------


STRICT_CASES = {
    "integer-as-text": ("population: 1100000", 'population: "1100000"', r":10: system\.population: '1100000' is text, not a number; write it without quotes"),
    "integer-as-bool": ("population: 1100000", "population: true", r":10: system\.population: true is not a number"),
    "integer-as-float": ("population: 1100000", "population: 1100000.0", r":10: system\.population: 1100000\.0 is not a whole number"),
    "integer-in-exponent-form": ("population: 1100000", "population: 1.1e6", r":10: system\.population: 1100000\.0 is not a whole number"),
    "bool-as-yes": ("in_financial_balance: true", 'in_financial_balance: "yes"', r":15: .*in_financial_balance: 'yes' is text; write true or false"),
    "bool-as-on": ("in_financial_balance: true", "in_financial_balance: 'on'", r":15: .*in_financial_balance: 'on' is text; write true or false"),
    "bool-as-one": ("in_financial_balance: true", "in_financial_balance: 1", r":15: .*in_financial_balance: 1 is not true or false"),
    "number-as-text": ("productivity_growth_pct: 1.6", 'productivity_growth_pct: "1.6"', r":19: .*productivity_growth_pct: '1\.6' is text, not a number"),
    "text-as-number": ("region: Synthetic region", "region: 12", r":9: system\.region: 12 is not text; put it in quotes"),
    "binary-text": ("region: Synthetic region", "region: !!binary aGVsbG8=", r":9: invalid YAML: binary data"),
    "set-list": ("  evidence: [ev-constitution]\n  finance:", "  evidence: !!set {ev-constitution}\n  finance:", r":13: invalid YAML: a set"),
    "datetime-as-date": ("assessment_date: 2021-09-30", "assessment_date: 2021-09-30 10:00:00", r":12: system\.assessment_date: 2021-09-30 10:00:00 is a date and time; write the date alone as YYYY-MM-DD"),
    "date-as-number": ("assessment_date: 2021-09-30", "assessment_date: 1632960000", r":12: system\.assessment_date: 1632960000 is not a date; write dates as YYYY-MM-DD"),
    "enum-as-number": ("kind: acute_trust", "kind: 1", r":\d+: organisations\[\d+\]\.kind: 1 is not a valid kind; choose from 'acute_trust'"),
}


@pytest.mark.parametrize("case", sorted(STRICT_CASES))
def test_the_model_is_strict(run, tmp_path, case):
    old, new, pattern = STRICT_CASES[case]
    assert old in GOOD, old
    bad = tmp_path / f"{case}.yaml"
    bad.write_text(GOOD.replace(old, new, 1))
    code, _, err = run("validate", bad)
    assert code == 2 and re.search(re.escape(bad.name) + pattern, _one_line(err)), err


def test_a_quoted_iso_date_is_still_a_date(run, tmp_path):
    good = tmp_path / "quoted.yaml"
    good.write_text(GOOD.replace("assessment_date: 2021-09-30", "assessment_date: '2021-09-30'"))
    assert run("validate", good)[0] == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("assessment_date: 2021-09-30", "assessment_date: '2021-02-30'"))
    code, _, err = run("validate", bad)
    assert code == 2 and re.search(r"bad\.yaml:12: .*'2021-02-30' is not a valid date", _one_line(err)), err


# -- 4: the default engine takes every value the model accepts -------------------------------------


@needs_durable
@pytest.mark.parametrize("value", ["0.00001", "1e16", "1e-300", "-2.5e-7", "123456789.123", "0.1", "1.0e+22"])
def test_both_engines_agree_on_any_finite_float(run, tmp_path, value):
    fixture = tmp_path / "floats.yaml"
    fixture.write_text(GOOD.replace("productivity_growth_pct: 1.6", f"productivity_growth_pct: {value}"))
    reports = {}
    for engine in ("durable", "python"):
        code, out, err = run("check", fixture, "--engine", engine, "--format", "json", "--param", f"FIN-002.min_productivity_growth_pct={value}")
        assert code in (0, 1), err
        reports[engine] = [(f["rule_id"], f["subject"]["id"], f["status"]) for f in _strict_json(out)["findings"]]
    assert reports["durable"] == reports["python"]
    fin = {(r, s): st for r, s, st in reports["durable"]}
    assert fin[("FIN-002", "exemplar")] == "pass"  # equal to the threshold: at least holds


@needs_durable
def test_engine_numbers_are_written_so_the_engine_reads_them_exactly():
    from icscheck.durable_engine import to_json

    assert to_json({"a": 1e-05, "b": 1e16, "c": 1.5, "d": 3, "e": True, "f": None, "g": 'x"y'}) == (
        '{"a": 1.0e-05, "b": 1.0e+16, "c": 1.5, "d": 3, "e": true, "f": null, "g": "x\\"y"}'
    )


@needs_durable
def test_a_ruleset_the_engine_refuses_is_an_engine_error(run, monkeypatch):
    from icscheck import durable_engine

    class Refusing:
        def __getattr__(self, name):
            return getattr(real, name)

        def create_ruleset(self, name, definition):
            raise real.error("Could not create ruleset, error code: 204")

    real = durable_engine._dr
    monkeypatch.setattr(durable_engine, "_dr", Refusing())
    code, _, err = run("check", EXEMPLAR)
    assert code == 3 and "could not create the ruleset" in _one_line(err)


# -- 5: writes that lose nothing ----------------------------------------------------------------


def test_outputs_are_checked_before_anything_is_written(run, tmp_path):
    keep = tmp_path / "keep.json"
    keep.write_text("keep\n")
    link = tmp_path / "link.json"
    link.symlink_to(keep)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    first = tmp_path / "first.html"
    first.write_text("old html\n")
    cases = [
        ((f"json={link}",), "is a symbolic link"),
        ((f"json={fifo}",), "is not a regular file"),
        (("json=/dev/null",), "is not a regular file"),
        ((f"json={tmp_path}",), "is a directory"),
        ((f"json={tmp_path / 'a.json'}", f"csv={tmp_path / '.' / 'a.json'}"), "two outputs name the same file"),
        ((f"json={EXEMPLAR}",), "is an input"),
        ((f"json={tmp_path / 'no' / 'a.json'}",), "does not exist"),
    ]
    started = time.monotonic()
    for formats, says in cases:
        args = [x for f in (f"html={first}", *formats) for x in ("--format", f)]
        code, _, err = run("check", EXEMPLAR, *args)
        assert code == 2 and says in _one_line(err), (formats, err)
        assert first.read_text() == "old html\n" and keep.read_text() == "keep\n"
        assert link.is_symlink()
    assert time.monotonic() - started < 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo.json", "first.html", "keep.json", "link.json"]


def test_dev_stdout_is_written_through(run):
    code, out, _ = run("check", EXEMPLAR, "--format", "json", "-o", "/dev/stdout")
    assert code == 0 and _strict_json(out)["system"]["id"] == "exemplar"
    code, _, err = run("check", EXEMPLAR, "--format", "json=-", "--format", "csv=/dev/stdout")
    assert code == 2 and "standard output" in _one_line(err)


def test_a_failed_write_leaves_every_existing_file_as_it_was(run, tmp_path, monkeypatch):
    from icscheck import writing

    targets = [tmp_path / n for n in ("a.json", "b.csv", "c.md")]
    for path in targets:
        path.write_text(f"old {path.name}\n")
    args = [x for fmt, path in zip(("json", "csv", "markdown"), targets) for x in ("--format", f"{fmt}={path}")]
    real_stage, real_replace = writing._stage, os.replace
    calls = {"stage": 0, "replace": 0}

    def failing_stage(target, text):
        calls["stage"] += 1
        if calls["stage"] == 3:
            raise OSError(28, "No space left on device")
        return real_stage(target, text)

    monkeypatch.setattr(writing, "_stage", failing_stage)
    code, _, err = run("check", EXEMPLAR, *args)
    assert code == 2 and "No space left on device" in _one_line(err)
    assert [p.read_text() for p in targets] == ["old a.json\n", "old b.csv\n", "old c.md\n"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.csv", "c.md"]

    monkeypatch.setattr(writing, "_stage", real_stage)

    def failing_replace(src, dst):
        if str(dst).endswith(".md"):
            raise OSError(13, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr(writing.os, "replace", failing_replace)
    code, _, err = run("check", EXEMPLAR, *args)
    monkeypatch.setattr(writing.os, "replace", real_replace)
    assert code == 2 and "cannot be replaced" in _one_line(err)
    assert [p.read_text() for p in targets] == ["old a.json\n", "old b.csv\n", "old c.md\n"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.csv", "c.md"]


def test_rules_docs_removes_only_the_pages_it_generated(run, tmp_path):
    docs = tmp_path / "docs"
    code, _, err = run("rules", "docs", "-o", docs)
    assert code == 0, err
    (docs / "README.md").write_text("# hand-written\n")
    (docs / "notes.txt").write_text("mine\n")
    manifest = (docs / ".generated").read_text().splitlines()
    assert "IC-PLACE-005.md" in manifest and "README.md" not in manifest
    (docs / ".generated").write_text("\n".join(manifest + ["OLD-RULE-1.md", "../escape.md"]) + "\n")
    (docs / "OLD-RULE-1.md").write_text("a page of a rule that is gone\n")
    (tmp_path / "escape.md").write_text("outside\n")
    code, _, err = run("rules", "docs", "-o", docs, "--check")
    assert code == 1 and "1 to remove" in err
    code, _, err = run("rules", "docs", "-o", docs)
    assert code == 0, err
    assert (docs / "README.md").read_text() == "# hand-written\n" and (docs / "notes.txt").exists()
    assert not (docs / "OLD-RULE-1.md").exists() and (tmp_path / "escape.md").exists()
    assert run("rules", "docs", "-o", docs, "--check")[0] == 0


# -- 6: escaping in every format ----------------------------------------------------------------

HOSTILE = '"\\e[31mRED\\u202eevil\\x01 <script>alert(1)</script> [click](javascript:alert(1)) | cell | `tick`\\n# Injected heading\\r\\x07 https://evil.example"'
FORMULA = '"=HYPERLINK(\\"http://evil.example\\")"'


def _hostile_fixture(tmp_path: Path) -> Path:
    text = PLANTED.read_text()
    text = text.replace("name: Planted-gaps ICS (synthetic)", f"name: {HOSTILE}", 1)
    for old, new in (("{id: west, name: West,", f"{{id: west, name: {FORMULA},"), ("{id: east, name: East,", f"{{id: east, name: {HOSTILE},")):
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "hostile #1 (copy).yaml"
    path.write_text(text)
    return path


def test_hostile_text_is_shown_never_obeyed_in_every_format(run, tmp_path):
    from markdown_it import MarkdownIt

    fixture = _hostile_fixture(tmp_path)
    outputs = {fmt: tmp_path / f"r.{fmt}" for fmt in ("text", "markdown", "html", "json", "sarif", "junit", "csv")}
    code, _, err = run("check", fixture, *[x for fmt, p in outputs.items() for x in ("--format", f"{fmt}={p}")])
    assert code == 1, err
    text = {fmt: p.read_text(encoding="utf-8") for fmt, p in outputs.items()}
    bad_chars = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
    for fmt in ("text", "markdown", "html", "junit"):
        assert not bad_chars.search(text[fmt]), fmt
    assert "\\x1b[31mRED<U+202E>evil\\x01" in text["text"]
    assert "&lt;U+202E&gt;" in text["html"] and "<script" not in text["html"] and "&lt;script&gt;" in text["html"]

    html = MarkdownIt("commonmark").enable("table").render(text["markdown"])
    assert "<script" not in html and 'href="javascript' not in html and "<h1>Injected" not in html
    assert html.count("<h1>") == 1  # the report's own title only
    for table in re.findall(r"<table>.*?</table>", html, flags=re.S):
        widths = {len(re.findall(r"<t[dh]", row)) for row in re.findall(r"<tr>.*?</tr>", table, flags=re.S)}
        assert len(widths) == 1, widths  # no row has more cells than the header
    assert "\\x1b[31mRED&lt;U+202E&gt;evil\\x01 &lt;script&gt;" in html  # shown as written

    rows = list(csv.reader(io.StringIO(text["csv"])))
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)

    ET.fromstring(text["junit"].encode("utf-8"))  # well formed
    sarif = _strict_json(text["sarif"])
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"] for loc in r["locations"] if "physicalLocation" in loc}
    assert uris and all(" " not in u and "#" not in u for u in uris) and any("hostile%20%231%20%28copy%29.yaml" in u for u in uris)
    assert _strict_json(text["json"])["system"]["name"].startswith("\x1b[31mRED\u202eevil")


def test_hostile_text_in_graphml_terminal_and_errors(run, tmp_path):
    fixture = _hostile_fixture(tmp_path)
    code, out, _ = run("graph", fixture, "--format", "graphml")
    assert code == 0
    ET.fromstring(out.encode("utf-8"))
    for args in (("check", fixture), ("validate", fixture), ("explain", fixture, "IC-PLACE-005"), ("diff", fixture, fixture)):
        code, out, err = run(*args)
        assert code in (0, 1), err
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out, args
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("  region: Synthetic region\n", '  region: Synthetic region\n  "\\e[2J\\u202ekey": 1\n'))
    code, _, err = run("validate", bad)
    assert code == 2 and "\x1b" not in err and "\u202e" not in err and "\\x1b[2J<U+202E>key" in _one_line(err)


def test_markdown_escaping_keeps_ordinary_text_readable():
    from icscheck.safetext import md_code, md_text

    assert md_text("Plan agreed (status 'agreed_on_track', coa-3)") == "Plan agreed (status 'agreed_on_track', coa-3)"
    assert md_text("Health & Care 0.1.0") == "Health & Care 0.1.0"
    assert md_text("_x_ *y* <b> &lt; [a](b) | ~z~") == "\\_x\\_ \\*y\\* \\<b> \\&lt; \\[a\\](b) \\| \\~z\\~"
    assert md_text("# title\nnext") == "\\# title next"
    assert md_code("a`b|c") == "``a`b\\|c``"


MARKDOWN_SPECIAL = list("\\`*[]<>|~_&@#=-+:/.w ;a1\n\r\t\x0b\x0c\x1b\x85\xa0\u2028\u202e") + ["://", "www.", "&lt;", "&#60;", "- ", "+ "]


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(st.one_of(st.text(), st.lists(st.one_of(st.sampled_from(MARKDOWN_SPECIAL), st.text(max_size=3)), max_size=8).map("".join)))
def test_text_markdown_would_act_on_is_never_taken_for_plain_text(text):
    """md_text shows text with nothing to escape as it is; that is exactly what the full escaping gives it."""
    from icscheck.safetext import _md_escape, md_text

    assert md_text(text) == _md_escape.__wrapped__(text)
    assert md_text(text) == _md_escape(text)


# -- 8: commands that check what they are given ---------------------------------------------------


def test_a_waiver_for_a_subject_or_rule_that_does_not_exist_is_an_error(run, tmp_path):
    path = tmp_path / "waivers.yaml"
    for line, says in (
        ("{rule: IC-PLACE-005, subject: nowhere, justification: j, approver: a, granted: 2021-01-01, expires: 2022-01-01}", r"waivers\.yaml:2: IC-PLACE-005 applies to each place, and the description has no place 'nowhere' \(its places: east, west\)"),
        ("{rule: IC-PLACE-005, subject: x-acute, justification: j, approver: a, granted: 2021-01-01, expires: 2022-01-01}", r"waivers\.yaml:2: .*no place 'x-acute'"),
        ("{rule: NO-SUCH-1, subject: west, justification: j, approver: a, granted: 2021-01-01, expires: 2022-01-01}", r"waivers\.yaml:2: unknown rule 'NO-SUCH-1'"),
        ("{rule: IC-PLACE-005, subject: west, justification: j, approver: a, granted: 2022-01-02, expires: 2022-01-01}", r"waivers\.yaml:2: .*expires is before granted"),
        ("{rule: IC-PLACE-005, subject: west, justification: j, approver: a, granted: 2021-02-30, expires: 2022-01-01}", r"waivers\.yaml:2: .*'2021-02-30' is not a valid date"),
    ):
        path.write_text(f"waivers:\n  - {line}\n")
        code, _, err = run("check", PLANTED, "--waivers", path)
        assert code == 2 and re.search(says, _one_line(err)), err
    path.write_text("waivers:\n  - {rule: IC-PLACE-005, subject: '*', justification: j, approver: a, granted: 2021-01-01, expires: 2022-01-01}\n")
    assert run("check", PLANTED, "--waivers", path)[0] == 1  # other gaps remain


def test_exit_1_is_reached_only_through_findings(run, tmp_path):
    """Exit 1 means gaps; a bad input is 2 whatever the command, and a clean system is 0."""
    assert run("check", EXEMPLAR)[0] == 0
    assert run("check", PLANTED)[0] == 1
    for path in YAML_CORPUS[:5]:
        for args in (("check", path), ("validate", path), ("explain", path, "IC-PLACE-005"), ("graph", path), ("diff", path, EXEMPLAR)):
            assert run(*args)[0] == 2, args


def test_odd_paths_given_as_options_are_input_errors(run, tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(loop)
    code, _, err = run("check", EXEMPLAR, "--rules", loop)
    assert code == 2 and "rules folder not found" in _one_line(err)
    for args in (("check", EXEMPLAR, "-o", ""), ("rules", "docs", "-o", " "), ("batch", ROOT / "fixtures" / "real", "-o", "")):
        code, _, err = run(*args)
        assert code == 2 and re.search("usable folder name|empty file name", _one_line(err)), (args, err)
