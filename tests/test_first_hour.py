"""A new user's first hour: the one-screen summary, the conventions of a command line tool, settings,
filters, and validation that reports every problem at once with what to write instead."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from icscheck import cli
from icscheck.cli import main
from icscheck.settings import FailOn, parse_fail_on

from conftest import CP, EXEMPLAR, PLANTED, ROOT, problem_lines

DOMAINS = (
    "System leadership, partnerships and",
    "System architecture and strong",
    "Integrated care models",
    "Track record of delivery",
    "Coherent and defined population",
)


# -- 1. a summary first ----------------------------------------------------------------------------


def test_check_prints_one_screen_with_the_verdict_and_the_domain_table_first(run):
    code, out, _ = run("check", CP)  # not a terminal: 100 columns
    assert code == 1
    lines = out.splitlines()
    assert len(lines) <= 60, out
    assert all(len(line) <= 100 for line in lines), max(lines, key=len)
    first = "\n".join(lines[:25])
    assert "NOT READY for designation" in first
    assert "Maturity matrix domain" in first and all(name in first for name in DOMAINS), first
    assert "Operating arrangement" in out and "Leadership model" in out and "claimed G; COA-LEAD-004 has gaps" in out
    assert "30 gaps (15 must, 15 should) · 89 not evidenced (37 must, 40 should, 12 may)" in out
    assert "Gaps of must-rules (15), by domain or framework:" in out
    assert "Maturity matrix · System architecture and strong financial management and planning" in out
    assert "MM-ARCH-D4" in out and "PLAN-006" in out
    assert "--full" in out and "icscheck explain" in out
    # names people read, not slugs
    assert "coa_" not in out and "system-leadership" not in out and "integrated-care-models" not in out


def test_the_summary_lists_only_must_gaps_one_line_each_and_counts_the_rest(run):
    _, out, _ = run("check", PLANTED)
    assert "Gaps of must-rules (1)" in out and "IC-PC-003" in out
    assert "IC-PLACE-005" not in out, "should-rule gaps are counted, not listed"
    assert "Not listed here: 3 gaps of should-rules; --full lists every one." in out
    _, out, _ = run("check", EXEMPLAR)
    assert "READY for designation" in out and "No must-rule has a gap." in out


def test_full_lists_every_gap_and_finding_not_evidenced_grouped_must_first(run):
    code, out, _ = run("check", CP, "--full")
    assert code == 1
    gaps = out.index("Gaps (what the description states falls short)")
    unknown = out.index("Not evidenced (the description does not state what the rule needs)")
    beyond = out.index("Beyond the target (maturing)")
    assert gaps < unknown < beyond
    section = out[gaps:unknown]
    assert section.index("Must rules (15)") < section.index("Should rules (15)")
    assert section.count("GAP   ") == 30
    assert out[unknown:beyond].count("N/E   ") == 89
    assert "Every rule: its findings by status" in out


def test_quiet_prints_only_the_verdict_line(run):
    code, out, _ = run("check", CP, "--quiet")
    assert code == 1
    assert out.count("\n") == 1
    assert "cambridgeshire-and-peterborough-2021.yaml: Cambridgeshire and Peterborough, 2021-03-31: not ready (target maturing)" in out and "30 gaps (15 must, 15 should)" in out


def test_full_and_quiet_together_are_a_usage_error(run):
    code, _, err = run("check", CP, "--full", "--quiet")
    assert code == 2 and "not both" in err


def test_the_text_in_a_file_is_100_columns_and_the_terminal_width_is_followed(monkeypatch):
    assert cli._width(False) == cli.FILE_WIDTH == 100
    monkeypatch.setenv("COLUMNS", "140")
    assert cli._width(True) == 140
    monkeypatch.setenv("COLUMNS", "80")
    assert cli._width(True) == 80


def test_the_committed_text_reports_are_the_full_listing():
    text = (ROOT / "reports" / "cambridgeshire-and-peterborough-2021.txt").read_text()
    assert "Gaps (what the description states falls short)" in text and "Every rule: its findings by status" in text
    assert max(len(line) for line in text.splitlines()) <= 100


# -- 2. conventions --------------------------------------------------------------------------------


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    monkeypatch.setattr(cli, "_tty", lambda stream: True)  # as if standard output were a terminal
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("NO_COLOR", raising=False)

    def run(*args):  # color=True: the test runner keeps what a terminal would get
        done = CliRunner().invoke(main, [str(a) for a in args], color=True, catch_exceptions=False)
        return done.stdout

    assert "\x1b[" in run("check", CP)
    assert "\x1b[" not in run("check", CP, "--no-color")
    for args in (("rules", "list", "--no-color"), ("explain", PLANTED, "IC-PLACE-005", "--no-color")):
        assert "\x1b[" not in run(*args), args
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run("check", CP)


@pytest.mark.parametrize(
    "text,strengths,unknown",
    [
        ("must,should", {"must", "should"}, False),
        ("must", {"must"}, False),
        ("must,should,unknown", {"must", "should"}, True),
        ("MUST, Should", {"must", "should"}, False),
        ("gap", {"must", "should", "may"}, False),
        ("unknown", {"must", "should", "may"}, True),
        ("none", set(), False),
        (["must", "unknown"], {"must"}, True),
    ],
)
def test_fail_on_says_which_strengths_count_and_whether_not_evidenced_does(text, strengths, unknown):
    assert parse_fail_on(text) == FailOn(frozenset(strengths), unknown)


def test_fail_on_words_it_does_not_know_are_usage_errors_with_a_suggestion(run):
    code, _, err = run("check", CP, "--fail-on", "must,shuold")
    assert code == 2 and "unknown 'shuold'; did you mean 'should'?" in err and len(err.strip().splitlines()) == 1
    assert run("check", CP, "--fail-on", "none,must")[0] == 2
    assert run("check", CP, "--fail-on", "must,,should")[0] == 2


def test_exit_1_means_what_fail_on_counts_and_nothing_else(run):
    assert run("check", CP)[0] == 1
    assert run("check", CP, "--fail-on", "must")[0] == 1
    assert run("check", CP, "--fail-on", "may")[0] == 0, "a may-rule never has a gap (it is info)"
    assert run("check", CP, "--fail-on", "may,unknown")[0] == 1, "12 may-rules are not evidenced"
    assert run("check", CP, "--fail-on", "none")[0] == 0
    assert run("check", PLANTED, "--fail-on", "should")[0] == 1
    assert run("check", PLANTED, "--fail-on", "must", "--skip-rule", "IC-PC-003")[0] == 0
    # the old spellings keep their meaning
    assert run("check", EXEMPLAR, "--fail-on", "gap")[0] == 0
    assert run("check", PLANTED, "--fail-on", "gap")[0] == 1


def test_batch_takes_the_same_fail_on(run, tmp_path):
    assert run("batch", ROOT / "fixtures" / "real", "-o", tmp_path / "a", "--fail-on", "none")[0] == 0
    assert run("batch", ROOT / "fixtures" / "real", "-o", tmp_path / "b", "--fail-on", "must")[0] == 1


def test_rule_skip_rule_and_framework_choose_the_findings_and_the_scores_read_every_rule(run):
    _, whole, _ = run("check", CP, "--format", "json")
    whole = json.loads(whole)
    assert "selection" not in whole
    _, out, _ = run("check", CP, "--format", "json", "--rule", "MM-LEAD-M2", "--rule", "plan-00*")
    report = json.loads(out)
    assert {f["rule_id"] for f in report["findings"]} == {"MM-LEAD-M2", *(f"PLAN-00{i}" for i in range(1, 10))}
    assert report["selection"]["selected"] == 10 and report["selection"]["of"] == len(whole["rules"])
    assert report["summary"]["maturity"] == whole["summary"]["maturity"]
    assert report["summary"]["readiness"] == whole["summary"]["readiness"]
    assert report["summary"]["totals"]["gap"] < whole["summary"]["totals"]["gap"]
    _, out, _ = run("check", CP, "--format", "json", "--framework", "planning", "--skip-rule", "FIN-*")
    ids = {f["rule_id"] for f in json.loads(out)["findings"]}
    assert ids and all(i.startswith(("PLAN-", "DIG-")) for i in ids)
    _, out, _ = run("check", CP, "--rule", "MM-LEAD-M2")
    assert "rules: 1 of 179 selected (the scores read every rule)" in " ".join(out.split())
    _, out, _ = run("check", CP, "--rule", "MM-LEAD-M2", "--full")
    assert "1 of 179 rules selected (the scores read every rule)" in " ".join(out.split())


def test_filters_that_name_nothing_are_errors_with_a_suggestion(run):
    code, _, err = run("check", CP, "--rule", "MM-LEAD-M9")
    assert code == 2 and "no rule 'MM-LEAD-M9'" in err and "did you mean 'MM-LEAD-M" in err
    code, _, err = run("check", CP, "--framework", "integrating_care")
    assert code == 2 and "did you mean 'integrating-care'?" in err
    code, _, err = run("check", CP, "--skip-rule", "*")
    assert code == 2 and "no rule is left" in err


def test_rules_list_takes_the_filters(run):
    code, out, _ = run("rules", "list", "--framework", "planning", "--format", "json")
    rules = json.loads(out)
    assert code == 0 and rules and {r["framework"] for r in rules} == {"planning"}
    _, out, _ = run("rules", "list", "--rule", "FIN-*", "--skip-rule", "FIN-002", "--format", "json")
    assert [r["id"] for r in json.loads(out)] == ["FIN-001", "FIN-003", "FIN-004", "FIN-005"]


def _copy(tmp_path: Path, source: Path = CP) -> Path:
    target = tmp_path / "systems" / source.name
    target.parent.mkdir(exist_ok=True)
    target.write_text(source.read_text())
    return target


def test_settings_beside_the_description(run, tmp_path):
    fixture = _copy(tmp_path)
    (fixture.parent / "icscheck.yaml").write_text("threshold: developing\nstage-method: strict\nfail-on: none\n")
    code, out, _ = run("check", fixture, "--format", "json")
    summary = json.loads(out)["summary"]
    assert code == 0 and summary["readiness"]["threshold"] == "developing" and summary["stage_method"] == "strict"
    code, out, _ = run("check", fixture, "--format", "json", "--threshold", "maturing", "--fail-on", "must")
    assert code == 1 and json.loads(out)["summary"]["readiness"]["threshold"] == "maturing", "options override the file"
    code, out, _ = run("check", fixture)
    assert re.search(r"settings from \S*icscheck\.yaml", " ".join(out.split())), out
    assert run("check", fixture, "--no-config")[0] == 1


def test_settings_from_pyproject_in_the_working_folder(run, tmp_path, monkeypatch):
    fixture = _copy(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.icscheck]\nfail_on = ["must", "should", "unknown"]\nthreshold = "developing"\n'
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("check", fixture, "--format", "json", "--fail-on", "none")
    assert code == 0 and json.loads(out)["summary"]["readiness"]["threshold"] == "developing"
    (tmp_path / "pyproject.toml").write_text('[tool.icscheck]\nfail-on = "may"\n')
    assert run("check", fixture)[0] == 0
    assert run("check", fixture, "--config", tmp_path / "pyproject.toml", "--fail-on", "must")[0] == 1


def test_settings_rules_and_waivers_are_relative_to_the_settings_file(run, tmp_path):
    lsc = ROOT / "fixtures" / "real" / "lancashire-and-south-cumbria-2020.yaml"
    fixture = _copy(tmp_path, lsc)
    (fixture.parent / "icscheck.yaml").write_text(f"rules: [{ROOT / 'rules'}]\n")
    code, out, _ = run("check", fixture, "--format", "json")
    assert code in (0, 1) and any(r["id"].startswith("LSC-") for r in json.loads(out)["rules"]), "the description's packs still apply"
    (fixture.parent / "icscheck.yaml").write_text("rules: [no-such-folder]\n")
    code, _, err = run("check", fixture)
    assert code == 2 and re.search(r"icscheck\.yaml:1: rules: folder 'no-such-folder' not found", err), err


@pytest.mark.parametrize(
    "text,pattern",
    [
        ("threshold: developing\nfail-om: must\n", r"icscheck\.yaml:2: unknown setting 'fail-om'; did you mean 'fail-on'\?"),
        ("threshold: maturng\n", r"icscheck\.yaml:1: threshold: 'maturng' is not one of .*did you mean 'maturing'\?"),
        ("fail-on: [must, sometimes]\n", r"icscheck\.yaml:1: fail-on: unknown 'sometimes'"),
        ("rules: rules\n", r"icscheck\.yaml:1: rules: give a list of rule folders"),
        ("waivers: nowhere.yaml\n", r"icscheck\.yaml:1: waivers: file 'nowhere\.yaml' not found"),
        ("- threshold\n", r"icscheck\.yaml:1: the settings must be a mapping"),
    ],
)
def test_settings_are_checked_strictly_at_their_line(run, tmp_path, text, pattern):
    fixture = _copy(tmp_path)
    (fixture.parent / "icscheck.yaml").write_text(text)
    code, _, err = run("check", fixture)
    assert code == 2 and re.search(pattern, err) and len(err.strip().splitlines()) == 1, err


def test_pyproject_settings_errors_name_their_line(run, tmp_path):
    fixture = _copy(tmp_path)
    (fixture.parent / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.icscheck]\nthreshold = "developing"\nstagemethod = "strict"\n')
    code, _, err = run("check", fixture)
    assert code == 2 and re.search(r"pyproject\.toml:6: unknown setting 'stagemethod'; did you mean 'stage-method'\?", err), err
    (fixture.parent / "pyproject.toml").write_text('[tool.icscheck]\nthreshold = \n')
    code, _, err = run("check", fixture)
    assert code == 2 and "pyproject.toml:2: invalid TOML" in err, err


def test_several_descriptions_at_once_as_the_pre_commit_hook_runs_them(run, tmp_path):
    code, out, _ = run("check", "--quiet", EXEMPLAR, PLANTED)
    assert code == 1 and len(out.splitlines()) == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text(EXEMPLAR.read_text().replace("kind: acute_trust", "kind: acute_trsut", 1))
    code, out, err = run("check", "--quiet", broken, EXEMPLAR)
    assert code == 2 and "did you mean 'acute_trust'?" in err and "Exemplar ICS" in out, "the valid one is still checked"
    code, _, err = run("check", EXEMPLAR, PLANTED, "--format", "json")
    assert code == 2 and "several descriptions" in err


def test_the_pre_commit_hook():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "icscheck")
    assert hook["entry"].startswith("icscheck check") and hook["language"] == "python" and "yaml" in hook["types"]
    assert not re.search(hook["exclude"], "systems/north.yaml") and re.search(hook["exclude"], ".pre-commit-config.yaml")


def test_shell_completion(monkeypatch):
    runner = CliRunner()
    script = runner.invoke(main, [], prog_name="icscheck", env={"_ICSCHECK_COMPLETE": "bash_source"})
    assert script.exit_code == 0 and "_icscheck_completion" in script.output
    done = runner.invoke(
        main, [], prog_name="icscheck", env={"_ICSCHECK_COMPLETE": "bash_complete", "COMP_WORDS": "icscheck ch", "COMP_CWORD": "1"}
    )
    assert "check" in done.output
    done = runner.invoke(
        main, [], prog_name="icscheck",
        env={"_ICSCHECK_COMPLETE": "bash_complete", "COMP_WORDS": "icscheck check --fail-on must,sh", "COMP_CWORD": "3"},
    )
    assert "must,should" in done.output
    done = runner.invoke(
        main, [], prog_name="icscheck",
        env={"_ICSCHECK_COMPLETE": "bash_complete", "COMP_WORDS": "icscheck check --framework mat", "COMP_CWORD": "3"},
    )
    assert "maturity-matrix" in done.output


HEAVY = ("rich", "pydantic", "networkx", "jinja2", "durable_rules", "openpyxl", "xlsxwriter", "yaml", "pypdf")


def test_the_command_line_starts_without_the_heavy_modules():
    code = (
        "import sys, icscheck.cli; "
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} "
        "or m in ('icscheck.api', 'icscheck.model', 'icscheck.report', 'icscheck.durable_engine', 'icscheck.conditions')); "
        "print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": ""}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from icscheck.cli import main; sys.argv = ['icscheck', '--help']; main()\n"],
        capture_output=True, text=True, env=env,
    )
    assert done.returncode == 0 and "Usage: icscheck" in done.stdout


def test_only_durable_engine_imports_durable_rules():
    importers = sorted(
        p.name for p in (ROOT / "src" / "icscheck").rglob("*.py")
        if re.search(r"^\s*(import durable|from durable)", p.read_text(), re.M)
    )
    assert importers == ["durable_engine.py"]


# -- 4. validation that teaches --------------------------------------------------------------------

FIVE = """schema_version: 1
system:
  id: test-ics
  name: Test ICS
  assessment_date: 31/03/2024
organisations:
  - id: North Acute
    name: North Acute Trust
    kind: acute_trsut
  - id: x-acute
    nmae: Another trust
    kind: acute_trust
collaboratives:
  - id: c1
    name: Acute collaborative
    kind: acute
    members: [x-acut]
"""


def test_five_different_errors_give_five_messages_in_one_run(run, tmp_path):
    path = tmp_path / "five.yaml"
    path.write_text(FIVE)
    for command in ("check", "validate"):
        code, out, err = run(command, path)
        assert code == 2 and out == ""
        lines = problem_lines(err, "five.yaml")
        assert err.splitlines()[0] == lines[0]
        assert len(lines) == 5, err
        assert lines[0].endswith("five.yaml:5: system.assessment_date: '31/03/2024' is not a date; write dates as YYYY-MM-DD, e.g. 2024-03-31")
        assert "five.yaml:7: organisations[0].id: 'North Acute' is not a valid id" in lines[1] and "write 'north-acute'" in lines[1]
        assert "five.yaml:9: organisations[0].kind: 'acute_trsut' is not a valid kind; did you mean 'acute_trust'?" in lines[2]
        assert "five.yaml:11: organisations[1]: unknown key 'nmae'; did you mean 'name'?" in lines[3]
        assert "five.yaml:17: unknown organisation 'x-acut'; did you mean 'x-acute'?" in lines[4]
        assert err.strip().splitlines()[-1].endswith("five.yaml: 5 problems")


@pytest.mark.parametrize(
    "old,new,says",
    [
        ("status: achieved", "status: agreed", "is not a valid status; did you mean 'agreed_on_track'?"),
        ("role: chair", "role: chiar", "is not a valid role; did you mean 'chair'?"),
        ("population: 1100000", 'population: "1,100,000"', "is text, not a number; write it without quotes (and without commas): 1100000"),
        ("in_financial_balance: true", 'in_financial_balance: "yes"', "'yes' is text; write true or false (without quotes)"),
        ("  region: Synthetic region\n", "  regoin: Synthetic region\n", "unknown key 'regoin'; did you mean 'region'?"),
    ],
)
def test_common_mistakes_in_plain_words(run, tmp_path, old, new, says):
    text = EXEMPLAR.read_text()
    assert old in text, old
    path = tmp_path / "x.yaml"
    path.write_text(text.replace(old, new, 1))
    code, _, err = run("validate", path)
    assert code == 2 and says in problem_lines(err, "x.yaml")[0], err


def test_a_tab_in_the_indentation(run, tmp_path):
    path = tmp_path / "tab.yaml"
    path.write_text("system:\n  id: x\n\tname: y\n")
    code, _, err = run("validate", path)
    assert code == 2 and "tab.yaml:3: invalid YAML: a tab in the indentation" in err


def test_at_most_fifty_problems_are_reported(run, tmp_path):
    text = EXEMPLAR.read_text()
    extra = "".join(f"  - {{id: bad-{i}, name: Bad {i}, kind: hospital{i}}}\n" for i in range(60))
    path = tmp_path / "many.yaml"
    path.write_text(text.replace("organisations:\n", "organisations:\n" + extra, 1))
    code, _, err = run("validate", path)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 51 and lines[-1].endswith("many.yaml: 60 problems; the first 50 are shown"), lines[-1]


def test_batch_lists_an_invalid_description_in_one_line_with_the_count(run, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "five.yaml").write_text(FIVE)
    (folder / "good.yaml").write_text(EXEMPLAR.read_text())
    code, _, err = run("batch", folder, "-o", tmp_path / "out")
    line = next(line for line in err.splitlines() if "five.yaml" in line)
    assert code == 2 and "five.yaml:5:" in line and "(and 4 more problems in this file)" in line


def _properties(node, where="#"):
    if isinstance(node, dict):
        for name, value in (node.get("properties") or {}).items():
            yield f"{where}.{name}", value
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _properties(value, f"{where}[{i}]")


def test_every_field_of_the_published_schema_has_a_description():
    schema = json.loads((ROOT / "schema" / "system.schema.json").read_text())
    fields = list(_properties(schema))
    assert len(fields) > 80
    undescribed = [name for name, value in fields if not str(value.get("description", "")).strip()]
    assert not undescribed, undescribed
    assert all(definition.get("description") for definition in schema["$defs"].values())


def test_the_readme_example_description_validates_and_the_readme_shows_how_to_attach_the_schema(run, tmp_path):
    readme = (ROOT / "README.md").read_text()
    example = re.search(r"<!-- example-description -->\n```yaml\n(.*?)```\n<!-- /example-description -->", readme, re.S).group(1)
    path = tmp_path / "north.yaml"
    path.write_text(example)
    code, out, err = run("validate", path)
    assert code == 0, err
    assert "yaml-language-server: $schema=" in readme and '"yaml.schemas"' in readme
    for option in ("--full", "--quiet", "--no-color", "NO_COLOR", "--fail-on", "--rule", "--skip-rule", "--framework",
                   "[tool.icscheck]", "icscheck.yaml", ".pre-commit-hooks.yaml", "upload-sarif", "_ICSCHECK_COMPLETE=bash_source",
                   "icscheck.check("):
        assert option in readme, option


def test_messages_read_as_people_write():
    from icscheck import resources
    from icscheck.conditions import message_templates
    from icscheck.facts import Subject, catalogue
    from icscheck.findings import render
    from icscheck.rules import load_rules

    vocabulary = catalogue()
    for value in (None, 1, 2):
        for rule in load_rules([resources.rules_dir(), *resources.local_rule_dirs()]):
            facts = {}
            for name, spec in vocabulary[rule.kind].items():
                typed = {int: value, float: None if value is None else 1.5, bool: None if value is None else True}
                facts[name] = typed.get(spec.type, None if value is None else "x")
            facts["name"] = "North"
            subject = Subject("s", rule.kind, "North", "n", facts, {})
            for template in (rule.spec.message, *message_templates(rule.condition), *message_templates(rule.where)):
                text = render(template, subject, rule.spec.parameters)
                assert "(s)" not in text and "not stated%" not in text, (rule.id, text)
                assert not re.search(r"\b1 (?:[a-z]+ ){0,3}(?:places|seats|boards|CCGs|ICBs|collaboratives|members|chairs|leads|groups)\b", text), (rule.id, text)
                assert not re.search(r"(?:^|[.;] )an unstated", text), (rule.id, text)
