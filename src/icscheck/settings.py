"""What makes a run fail (``--fail-on``) and the settings a project keeps in a file.

Settings are read by ``icscheck check`` from the first of these that exists:

1. ``icscheck.yaml`` in the description's folder;
2. ``pyproject.toml`` in the description's folder, if it has a ``[tool.icscheck]`` table;
3. ``icscheck.yaml`` in the working folder;
4. ``pyproject.toml`` in the working folder, if it has a ``[tool.icscheck]`` table.

One file is used; nothing is merged.  ``--config FILE`` names the file instead, ``--no-config`` reads
none.  The keys are ``rules`` (a list of rule folders), ``threshold``, ``stage-method``, ``waivers`` (a
file) and ``fail-on``; ``stage_method`` and ``fail_on`` are accepted too.  Folders and files are relative
to the settings file's folder.  An option given on the command line overrides the file.  An unknown key,
or a value of the wrong type, is an error at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, Location
from .frameworks import STAGE_METHODS, STAGES
from .hints import did_you_mean

STRENGTHS = ("must", "should", "may")
FAIL_ON_WORDS = (*STRENGTHS, "unknown", "gap", "none")
DEFAULT_FAIL_ON = "must,should"
FAIL_ON_HELP = (
    "What makes exit code 1, as a comma-separated list: the strengths whose gaps count (must, should, may), "
    "and 'unknown' to count their findings not evidenced too; 'none' never fails. "
    "'gap' means must,should,may; 'unknown' alone means must,should,may,unknown."
)


@dataclass(frozen=True)
class FailOn:
    """The findings that make exit code 1: gaps of rules of these strengths, and (``unknown``) their findings
    not evidenced.  Waived gaps and maturity matrix bullets beyond the readiness target never count."""

    strengths: frozenset[str]
    unknown: bool = False

    def __str__(self) -> str:
        words = [s for s in STRENGTHS if s in self.strengths] + (["unknown"] if self.unknown else [])
        return ",".join(words) or "none"

    def counts(self, status: str, strength: str) -> bool:
        if strength not in self.strengths:
            return False
        # a may rule that falls short is recorded as info: with --fail-on may it fails the run like a gap
        return status in ("gap", "info") or (self.unknown and status == "unknown")


def parse_fail_on(value: Any, where: Location | str = "--fail-on") -> FailOn:
    """``must,should`` (the default), ``must``, ``must,should,unknown``, ``none``; ``gap`` and ``unknown`` as aliases."""
    if isinstance(value, FailOn):
        return value
    if isinstance(value, (list, tuple)):
        if not all(isinstance(v, str) for v in value):
            raise InputError(where, "fail-on: give words such as must, should, unknown")
        words = [w.strip().lower() for w in value]
    elif isinstance(value, str):
        words = [w.strip().lower() for w in value.split(",")]
    else:
        raise InputError(where, f"fail-on: '{value}' is not a list of words such as must,should")
    if not words or any(not w for w in words):
        raise InputError(where, f"fail-on: '{value if isinstance(value, str) else ','.join(value)}' has an empty item; write e.g. must,should")
    for word in words:
        if word not in FAIL_ON_WORDS:
            raise InputError(
                where, f"fail-on: unknown '{word}'{did_you_mean(word, FAIL_ON_WORDS)} (choose from {', '.join(FAIL_ON_WORDS)})"
            )
    if "none" in words:
        if len(set(words)) > 1:
            raise InputError(where, "fail-on: 'none' stands alone")
        return FailOn(frozenset())
    strengths = {w for w in words if w in STRENGTHS}
    if "gap" in words:
        strengths |= set(STRENGTHS)
    unknown = "unknown" in words
    if unknown and not strengths:
        strengths = set(STRENGTHS)  # the old meaning of --fail-on unknown: every gap and every finding not evidenced
    return FailOn(frozenset(strengths), unknown)


# -- settings files ------------------------------------------------------------------------------

SETTINGS_YAML = "icscheck.yaml"
PYPROJECT = "pyproject.toml"
KEYS = ("rules", "threshold", "stage-method", "waivers", "fail-on")
#: The largest settings file read.
MAX_SETTINGS_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Settings from a file; ``None`` where the file does not set a value."""

    file: str | None = None
    rules: tuple[str, ...] | None = None
    threshold: str | None = None
    stage_method: str | None = None
    waivers: str | None = None
    fail_on: FailOn | None = None


NO_SETTINGS = Settings()


def _has_table(path: Path) -> bool:
    """Whether a pyproject.toml has a [tool.icscheck] table (one too large to read is reported when loaded)."""
    from .yamlsource import read_limited

    try:
        text = read_limited(path, str(path), MAX_SETTINGS_BYTES).decode("utf-8", errors="replace")
    except InputError:
        return True
    return bool(re.search(r"^\s*\[\s*tool\s*\.\s*icscheck\s*[\].]", text, re.M))


def find(description: Path | None, cwd: Path | None = None) -> Path | None:
    """The settings file for a description (see the module docstring for the order), or ``None``."""
    folders = []
    if description is not None:
        folders.append(Path(description).parent)
    folders.append(cwd or Path.cwd())
    seen: set[Path] = set()
    for folder in folders:
        try:
            key = folder.resolve()
        except (OSError, RuntimeError):
            key = folder.absolute()
        if key in seen:
            continue
        seen.add(key)
        yaml_file = folder / SETTINGS_YAML
        if yaml_file.is_file():
            return yaml_file
        toml_file = folder / PYPROJECT
        if toml_file.is_file() and _has_table(toml_file):
            return toml_file
    return None


def _toml_lines(text: str) -> tuple[int, dict[str, int]]:
    """The line of the ``[tool.icscheck]`` header and of each key in that table (best effort: tomllib gives none)."""
    header = 0
    keys: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = bool(re.match(r"^\[\s*tool\s*\.\s*icscheck\s*\]", stripped))
            if inside and not header:
                header = number
            continue
        if inside:
            match = re.match(r"""^\s*["']?([A-Za-z0-9_-]+)["']?\s*=""", line)
            if match:
                keys.setdefault(match.group(1), number)
    return header, keys


def _read_toml(path: Path, name: str) -> tuple[dict, int, dict[str, int]]:
    import tomllib

    from .yamlsource import read_limited

    raw = read_limited(path, name, MAX_SETTINGS_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(Location(name, raw[: exc.start].count(b"\n") + 1), "not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise InputError(Location(name, int(match.group(1)) if match else 0), f"invalid TOML: {str(exc).split(' (at ')[0]}") from None
    table = data.get("tool", {}).get("icscheck") if isinstance(data.get("tool"), dict) else None
    header, lines = _toml_lines(text)
    if table is None:
        raise InputError(Location(name, 0), "has no [tool.icscheck] table")
    if not isinstance(table, dict):
        raise InputError(Location(name, header), "tool.icscheck must be a table: [tool.icscheck]")
    return table, header, lines


def _read_yaml(path: Path, name: str) -> tuple[dict, int, dict[str, int]]:
    from .yamlsource import load_yaml

    data, smap = load_yaml(path, name)
    if not isinstance(data, dict):
        raise InputError(smap.location(()), "the settings must be a mapping of keys (rules, threshold, stage-method, waivers, fail-on)")
    return data, 1, {key: smap.line((key,)) for key in data if isinstance(key, str)}


def load(path: Path | str, display_name: str | None = None) -> Settings:
    """Read and check one settings file: ``icscheck.yaml``, or a ``pyproject.toml`` with ``[tool.icscheck]``."""
    path = Path(path)
    name = display_name or path.as_posix()
    if path.suffix == ".toml":
        table, header, lines = _read_toml(path, name)
    else:
        table, header, lines = _read_yaml(path, name)
    base = path.parent
    values: dict[str, Any] = {}
    for key, value in table.items():
        where = Location(name, lines.get(key, header))
        canonical = key.replace("_", "-") if isinstance(key, str) else key
        if canonical not in KEYS:
            raise InputError(where, f"unknown setting '{key}'{did_you_mean(str(key), KEYS)} (settings: {', '.join(KEYS)})")
        if canonical in values:
            raise InputError(where, f"'{key}' is set twice (as {canonical.replace('-', '_')} and {canonical})")
        values[canonical] = _value(canonical, value, where, base)
    return Settings(
        file=name,
        rules=values.get("rules"),
        threshold=values.get("threshold"),
        stage_method=values.get("stage-method"),
        waivers=values.get("waivers"),
        fail_on=values.get("fail-on"),
    )


def _relative(base: Path, value: str) -> str:
    path = Path(value)
    return (path if path.is_absolute() else base / path).as_posix()


def _value(key: str, value: Any, where: Location, base: Path) -> Any:
    if key == "rules":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise InputError(where, "rules: give a list of rule folders, e.g. rules = [\"rules\", \"rules-local/my-pack\"]")
        folders = []
        for item in value:
            folder = _relative(base, item)
            if not Path(folder).is_dir():
                raise InputError(where, f"rules: folder '{item}' not found (folders are relative to the settings file's folder)")
            folders.append(folder)
        return tuple(folders)
    if key in ("threshold", "stage-method"):
        choices = STAGES if key == "threshold" else STAGE_METHODS
        if not isinstance(value, str) or value not in choices:
            shown = value if isinstance(value, str) else repr(value)
            raise InputError(where, f"{key}: '{shown}' is not one of {', '.join(choices)}{did_you_mean(str(value), choices)}")
        return value
    if key == "waivers":
        if not isinstance(value, str) or not value.strip():
            raise InputError(where, "waivers: give the waiver file's name, e.g. waivers = \"waivers.yaml\"")
        file = _relative(base, value)
        if not Path(file).is_file():
            raise InputError(where, f"waivers: file '{value}' not found (it is relative to the settings file's folder)")
        return file
    return parse_fail_on(value, where)
