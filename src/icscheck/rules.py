"""Rule files: their strict model, loading, checking and compilation.

One YAML file per rule, file name = rule id.  A rule says what it applies to
(a subject kind and an optional ``where`` condition), the condition a
compliant subject meets, in icscheck's own small vocabulary::

    {fact: NAME, op: eq|ne|gt|gte|lt|lte|in|not_in, value: V}
    {all: [...]}   {any: [...]}   {not: {...}}

and where the requirement comes from.  Conditions are parsed once into the
typed tree of :mod:`icscheck.conditions`, which evaluates them with
three-valued logic: a comparison on a fact the description does not state is
unknown, never false.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from .conditions import ConditionSpec, FactType, Node, Scalar, check_template, facts_read, parse, type_ok
from .errors import InputError
from .facts import RESERVED, SUBJECT_KINDS, FactSpec, catalogue
from .frameworks import FRAMEWORKS, STAGES
from .model import Date, Strict, Text
from .validation import validate
from .resources import data_root
from .yamlsource import SourceMap, display_path, load_yaml

RuleId = Annotated[str, StringConstraints(pattern=r"^[A-Z]+(-[A-Z0-9]+)+$", max_length=40)]


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


SourceDate = Annotated[
    str,
    BeforeValidator(_iso),
    StringConstraints(pattern=r"^(19|20)\d\d-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"),
]
PARAPHRASE_LABEL = "paraphrase — source text not checked"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


class Source(Strict):
    document: Text
    publisher: Text
    date: SourceDate = Field(description="Publication date: YYYY-MM-DD, or YYYY-MM where the source gives only a month")
    paragraph: Text = Field(description="Paragraph, section, table row or page")
    requirement: Text = Field(description="The requirement, paraphrased")
    quote: Text | None = Field(default=None, description="The source's own words, verbatim")
    paraphrase: Text | None = Field(
        default=None,
        description="For a document that is not among the checked sources: what it says, in our words (never presented as a quote)",
    )
    note: Text | None = None

    @model_validator(mode="after")
    def _quote_or_paraphrase(self):
        if self.quote and self.paraphrase:
            raise ValueError("a source has a quote (its own words) or a paraphrase, not both")
        return self

    def citation(self) -> str:
        return f"{self.document} ({self.publisher}, {self.date_text()}), {self.paragraph}"

    def cited(self) -> str:
        """The citation, marked where the words are a paraphrase that no source text here can check."""
        return self.citation() + (f" [{PARAPHRASE_LABEL}]" if self.paraphrase else "")

    def wording(self) -> str:
        """The source's words as reports show them: a quote, or a paraphrase labelled as such."""
        if self.quote:
            return f"\u201c{self.quote}\u201d"
        return f"{PARAPHRASE_LABEL}: {self.paraphrase}" if self.paraphrase else ""

    def date_text(self) -> str:
        parts = self.date.split("-")
        month = f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
        return f"{int(parts[2])} {month}" if len(parts) == 3 else month


class AppliesTo(Strict):
    kind: Literal[SUBJECT_KINDS]  # type: ignore[valid-type]
    where: ConditionSpec | None = None


class Example(Strict):
    name: Text
    facts: dict[str, Scalar]


class Examples(Strict):
    pass_: list[Example] = Field(alias="pass", min_length=1)
    gap: list[Example] = Field(min_length=1)
    unknown: list[Example] = Field(
        default_factory=list, description="Cases where the description does not state what the rule needs: not evidenced"
    )


class RuleFile(Strict):
    id: RuleId
    title: Text
    framework: Literal[FRAMEWORKS]  # type: ignore[valid-type]
    domain: Text | None = None
    stage: Literal[STAGES] | None = None  # type: ignore[valid-type]
    arrangement: Text | None = None
    strength: Literal["must", "should", "may"]
    source: Source
    also_cites: list[Source] = Field(default_factory=list)
    rationale: Text
    applies_to: AppliesTo
    condition: ConditionSpec
    parameters: dict[str, Scalar] = Field(default_factory=dict)
    message: Text = Field(description="Gap message template; {fact} placeholders")
    pass_message: Text | None = None
    effective_from: Date = Field(description="The source's publication or commencement date (or the deadline it sets)")
    effective_to: Date | None = Field(default=None, description="Last day in force, where later guidance or law replaced it")
    superseded_by: Text | None = Field(default=None, description="What replaced the source on effective_to")
    successors: list[RuleId] = Field(default_factory=list, description="Rules that take over from effective_to")
    aliases: list[RuleId] = Field(default_factory=list)
    examples: Examples

    @model_validator(mode="after")
    def _sourced_and_dated(self):
        if not (self.source.quote or self.source.paraphrase):
            raise ValueError("the source needs a quote (verbatim) or, for a document not among the sources, a paraphrase")
        if self.effective_to and not self.superseded_by:
            raise ValueError("effective_to needs superseded_by: what replaced the source")
        if self.superseded_by and not self.effective_to:
            raise ValueError("superseded_by needs effective_to: the last day the rule is in force")
        if self.successors and not self.effective_to:
            raise ValueError("successors need effective_to")
        return self


@dataclass(frozen=True)
class Rule:
    """A validated rule with its typed selector and condition."""

    spec: RuleFile
    file: str
    line: int
    kind: str
    where: Node | None
    condition: Node
    examined: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.spec.id

    def in_force(self, as_of: dt.date) -> bool:
        spec = self.spec
        if as_of < spec.effective_from:
            return False
        if spec.effective_to and as_of > spec.effective_to:
            return False
        return True


def _build(spec: RuleFile, smap: SourceMap, vocabulary: dict[str, dict[str, FactSpec]]) -> Rule:
    kind = spec.applies_to.kind
    facts = vocabulary[kind]
    types = {name: FactType(f.type, f.bounded) for name, f in facts.items()}
    params = spec.parameters
    where = parse(spec.applies_to.where, types, params, ("applies_to", "where"), smap, kind) if spec.applies_to.where is not None else None
    condition = parse(spec.condition, types, params, ("condition",), smap, kind)
    check_template(spec.message, facts, ("message",), smap, params)
    if spec.pass_message:
        check_template(spec.pass_message, facts, ("pass_message",), smap, params)
    if spec.framework == "maturity-matrix" and (spec.domain is None or spec.stage is None):
        raise InputError(smap.location(("framework",)), "a maturity-matrix rule needs a domain and a stage")
    if spec.effective_from and spec.effective_to and spec.effective_to < spec.effective_from:
        raise InputError(smap.location(("effective_to",)), "effective_to is before effective_from")
    for group, examples in (("pass", spec.examples.pass_), ("gap", spec.examples.gap), ("unknown", spec.examples.unknown)):
        for i, example in enumerate(examples):
            for name, value in example.facts.items():
                path = ("examples", group, i, "facts", name)
                if name not in facts or name in RESERVED:
                    raise InputError(smap.location(path), f"example uses unknown fact '{name}'")
                if not type_ok(facts[name].type, value):
                    raise InputError(smap.location(path), f"example fact '{name}' should be {facts[name].type.__name__}")
    examined = tuple(dict.fromkeys(facts_read(where) + facts_read(condition)))
    return Rule(spec, smap.file, smap.line(()), kind, where, condition, examined)


Parameters = dict[str, dict[str, Scalar]]


def _same_kind(value: Scalar, original: Scalar) -> bool:
    if isinstance(original, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(original, bool)
    if isinstance(original, float):
        return isinstance(value, (int, float))
    return type(value) is type(original)


def _override(spec: RuleFile, overrides: dict[str, Scalar]) -> RuleFile:
    params = dict(spec.parameters)
    for name, value in sorted(overrides.items()):
        if name not in params:
            known = ", ".join(sorted(params)) or "none"
            raise InputError("--param", f"rule {spec.id} has no parameter '{name}' (its parameters: {known})")
        if not _same_kind(value, params[name]):
            raise InputError("--param", f"{spec.id}.{name} takes a {type(params[name]).__name__} like {params[name]!r}, not {value!r}")
        params[name] = value
    return spec.model_copy(update={"parameters": params})


def load_rule(
    path: Path, display_name: str | None = None, vocabulary: dict | None = None, overrides: dict[str, Scalar] | None = None
) -> Rule:
    data, smap = load_yaml(path, display_name)
    if not isinstance(data, dict):
        raise InputError(smap.location(()), "a rule file must be a mapping")
    spec = validate(RuleFile, data, smap)
    if spec.id != path.stem:
        raise InputError(smap.location(("id",)), f"rule id '{spec.id}' does not match the file name '{path.name}'")
    if overrides:
        spec = _override(spec, overrides)
    return _build(spec, smap, vocabulary or catalogue())


def rule_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise InputError(str(directory), "rules folder not found")
    return sorted(
        p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith("_")
    )


def load_rules(directories: list[Path], parameters: Parameters | None = None) -> list[Rule]:
    """Load every rule under the given folders; any bad file stops the load.

    ``parameters`` sets rule parameters otherwise than their files do
    ({rule id: {name: value}}), for example a rate on which sources disagree.
    """
    parameters = parameters or {}
    vocabulary = catalogue()
    rules: dict[str, Rule] = {}
    names: dict[str, str] = {}
    for directory in directories:
        files = rule_files(Path(directory))
        if not files:
            raise InputError(str(directory), "no rule files (*.yaml) in this folder")
        for path in files:
            rule = load_rule(
                path, display_path(path, data_root(), Path.cwd(), Path(directory).parent), vocabulary, parameters.get(path.stem)
            )
            for name in (rule.id, *rule.spec.aliases):
                if name in names:
                    raise InputError(rule.file, f"rule id or alias '{name}' is already used by {names[name]}")
                names[name] = rule.file
            rules[rule.id] = rule
    unknown = sorted(set(parameters) - set(rules))
    if unknown:
        raise InputError("--param", f"no rule {unknown[0]} in the rules loaded")
    return [rules[key] for key in sorted(rules)]
