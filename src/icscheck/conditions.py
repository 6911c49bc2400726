"""Rule conditions as a typed tree, evaluated with three-valued logic.

A rule's ``condition`` (and its ``applies_to.where``) is written in YAML in a
small vocabulary::

    {fact: NAME, op: eq|ne|gt|gte|lt|lte, value: V}
    {fact: NAME, op: in|not_in, value: [V, ...]}
    {all: [...]}   {any: [...]}   {not: {...}}

It is parsed once into frozen nodes (:class:`Compare`, :class:`Member`,
:class:`All`, :class:`Any`, :class:`Not`), checked against the fact catalogue.
This module is the only code that walks a condition:

* :func:`evaluate` gives a :class:`Trace` — for every node *holds*, *fails* or
  *unknown* (Kleene's strong three-valued logic), the values it read and the
  facts that were missing;
* :func:`verdict` gives the same verdict without building the trace (the
  plain-Python evaluator);
* :func:`describe` says a node in plain English;
* :func:`holds_form` gives the negation normal form an engine needs: a tree of
  positive comparisons that matches exactly the subjects for which the node
  holds.  The subjects for which it fails are matched by ``holds_form(Not(node))``.

A fact the description does not state is unknown: a comparison on it is
unknown, never false.  A count over a list the description gives only in part
is a *lower bound*: ``at least one Healthwatch seat`` holds when one is listed
and is unknown when none is; ``no more than one CCG`` fails when two are listed
and is otherwise unknown.
"""

from __future__ import annotations

import difflib
import operator
import string
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any as AnyType, Callable, Iterator, Literal, Mapping, Union

from pydantic import Discriminator, Field, Tag

from .errors import InputError
from .model import Strict, Text
from .yamlsource import PathKey, SourceMap

Scalar = Union[bool, int, float, str]
Op = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"]
ORDERED_OPS = frozenset({"gt", "gte", "lt", "lte"})
NEGATE = {"eq": "ne", "ne": "eq", "gt": "lte", "lte": "gt", "gte": "lt", "lt": "gte"}
OPS: dict[str, Callable[[AnyType, AnyType], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
OP_PHRASE = {"eq": "is", "ne": "is not", "gt": "is more than", "gte": "is at least", "lt": "is less than", "lte": "is at most"}
#: The suffix of the attribute that carries a lower bound in an engine fact.
AT_LEAST = "__at_least"


# -- the YAML form -----------------------------------------------------------------

class Param(Strict):
    param: str


class AtomSpec(Strict):
    fact: str
    op: Op
    value: Scalar | list[Scalar] | Param
    message: Text | None = Field(default=None, description="What is missing when this part fails")


class AllSpec(Strict):
    all: list["ConditionSpec"] = Field(min_length=1)
    message: Text | None = None


class AnySpec(Strict):
    any: list["ConditionSpec"] = Field(min_length=1)
    message: Text | None = None


class NotSpec(Strict):
    not_: "ConditionSpec" = Field(alias="not")


def _condition_tag(data: AnyType) -> str | None:
    if isinstance(data, dict):
        for tag in ("fact", "all", "any", "not"):
            if tag in data:
                return tag
        return None
    tags: dict[type, str] = {AtomSpec: "fact", AllSpec: "all", AnySpec: "any", NotSpec: "not"}
    return tags.get(type(data))


ConditionSpec = Annotated[
    Union[
        Annotated[AtomSpec, Tag("fact")],
        Annotated[AllSpec, Tag("all")],
        Annotated[AnySpec, Tag("any")],
        Annotated[NotSpec, Tag("not")],
    ],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message="a condition needs one of the keys fact, all, any, not",
    ),
]
AllSpec.model_rebuild()
AnySpec.model_rebuild()
NotSpec.model_rebuild()


# -- the typed tree ------------------------------------------------------------------

@dataclass(frozen=True)
class Compare:
    """``fact op value``; ``bounded`` when the fact can be a lower bound (a count over a partial list)."""

    fact: str
    op: str
    value: Scalar
    bounded: bool = False
    message: str | None = None


@dataclass(frozen=True)
class Member:
    """``fact in values`` (or ``not in`` when ``negated``)."""

    fact: str
    values: tuple[Scalar, ...]
    negated: bool = False
    bounded: bool = False
    message: str | None = None


@dataclass(frozen=True)
class All:
    children: tuple["Node", ...]
    message: str | None = None


@dataclass(frozen=True)
class Any:
    children: tuple["Node", ...]
    message: str | None = None


@dataclass(frozen=True)
class Not:
    child: "Node"


Node = Union[Compare, Member, All, Any, Not]


class Verdict(str, Enum):
    HOLDS = "holds"
    FAILS = "fails"
    UNKNOWN = "unknown"


HOLDS, FAILS, UNKNOWN = Verdict.HOLDS, Verdict.FAILS, Verdict.UNKNOWN
_FLIP = {HOLDS: FAILS, FAILS: HOLDS, UNKNOWN: UNKNOWN}


class Facts:
    """What a subject states: fact values (``None`` = not stated) and which counts are only lower bounds."""

    __slots__ = ("values", "at_least")

    def __init__(self, values: Mapping[str, AnyType], at_least: frozenset[str] = frozenset()):
        self.values = values
        self.at_least = at_least

    def read(self, name: str) -> tuple[AnyType, bool]:
        return self.values.get(name), name in self.at_least


# -- evaluation ------------------------------------------------------------------------

def _compare(op: str, actual: AnyType, value: AnyType, at_least: bool) -> Verdict:
    if actual is None:
        return UNKNOWN
    if not at_least:
        return HOLDS if OPS[op](actual, value) else FAILS
    # the true count is ``actual`` or more
    if op in ("gte", "gt"):
        return HOLDS if OPS[op](actual, value) else UNKNOWN
    if op == "ne":
        return HOLDS if actual > value else UNKNOWN
    if op == "lt":
        return FAILS if actual >= value else UNKNOWN
    # lte, eq
    return FAILS if actual > value else UNKNOWN


def _kleene(verdicts: Iterator[Verdict], decisive: Verdict) -> Verdict:
    """``all`` (decisive: fails) or ``any`` (decisive: holds) in Kleene's logic: one decisive part
    decides; otherwise an unknown part leaves it unknown."""
    out = _FLIP[decisive]
    for v in verdicts:
        if v is decisive:
            return decisive
        if v is UNKNOWN:
            out = UNKNOWN
    return out


def _and(verdicts: Iterator[Verdict]) -> Verdict:
    return _kleene(verdicts, FAILS)


def _or(verdicts: Iterator[Verdict]) -> Verdict:
    return _kleene(verdicts, HOLDS)


def verdict(node: Node | None, facts: Facts) -> Verdict:
    """Whether a condition holds, fails or is unknown for one subject (no condition holds)."""
    if node is None:
        return HOLDS
    if isinstance(node, Compare):
        actual, at_least = facts.read(node.fact)
        return _compare(node.op, actual, node.value, at_least)
    if isinstance(node, Member):
        actual, at_least = facts.read(node.fact)
        if node.negated:
            return _and(_compare("ne", actual, v, at_least) for v in node.values)
        return _or(_compare("eq", actual, v, at_least) for v in node.values)
    if isinstance(node, All):
        return _and(verdict(child, facts) for child in node.children)
    if isinstance(node, Any):
        return _or(verdict(child, facts) for child in node.children)
    return _FLIP[verdict(node.child, facts)]


@dataclass(frozen=True)
class Reading:
    """A value a comparison read: ``None`` when the description does not state it."""

    fact: str
    value: AnyType
    at_least: bool = False


@dataclass(frozen=True)
class Trace:
    """One node's verdict, the values it read, and its children's traces."""

    node: Node
    verdict: Verdict
    readings: tuple[Reading, ...] = ()
    children: tuple["Trace", ...] = ()

    def walk(self) -> Iterator["Trace"]:
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def leaves(self) -> tuple["Trace", ...]:
        return tuple(t for t in self.walk() if isinstance(t.node, (Compare, Member)))

    @property
    def missing(self) -> tuple[str, ...]:
        """The unstated facts that leave this node undetermined (none when it holds or fails)."""
        if self.verdict is not UNKNOWN:
            return ()
        if not self.children:
            return tuple(r.fact for r in self.readings)
        out: list[str] = []
        for child in self.children:
            for name in child.missing:
                if name not in out:
                    out.append(name)
        return tuple(out)

    @property
    def unstated(self) -> tuple[str, ...]:
        """Every fact this node read that the description does not state, decisive or not."""
        out: list[str] = []
        for t in self.leaves:
            for r in t.readings:
                if r.value is None and r.fact not in out:
                    out.append(r.fact)
        return tuple(out)

    def deciding(self) -> Iterator["Trace"]:
        """The leaves that decide this node's verdict: those that agree with it."""
        if not self.children:
            yield self
            return
        for child in self.children:
            if isinstance(self.node, Not) or child.verdict is self.verdict:
                yield from child.deciding()


@dataclass(frozen=True)
class Line:
    """One node of a trace, flattened for a report: its depth, its test in words, its verdict, what it read."""

    depth: int
    test: str  # "all", "any", "not", or the comparison in words
    verdict: Verdict
    reading: Reading | None = None


def outline(trace: Trace, names: Mapping[str, str] | None = None, depth: int = 0) -> list[Line]:
    """A trace as lines in document order, each with its depth."""
    node = trace.node
    if isinstance(node, (Compare, Member)):
        return [Line(depth, describe(node, names), trace.verdict, trace.readings[0])]
    test = "not" if isinstance(node, Not) else "all" if isinstance(node, All) else "any"
    out = [Line(depth, test, trace.verdict)]
    for child in trace.children:
        out += outline(child, names, depth + 1)
    return out


@dataclass(frozen=True)
class Test:
    """A comparison as the report states it: fact, op (including ``in`` and ``not_in``) and value."""

    fact: str
    op: str
    value: AnyType
    reading: Reading
    verdict: Verdict


def tests(trace: Trace) -> tuple[Test, ...]:
    """Every comparison of a trace, with the value it read and its own verdict."""
    out = []
    for leaf in trace.leaves:
        node = leaf.node
        if isinstance(node, Member):
            out.append(Test(node.fact, "not_in" if node.negated else "in", list(node.values), leaf.readings[0], leaf.verdict))
        elif isinstance(node, Compare):
            out.append(Test(node.fact, node.op, node.value, leaf.readings[0], leaf.verdict))
    return tuple(out)


def evaluate(node: Node, facts: Facts) -> Trace:
    """The trace of a condition for one subject: every node's verdict and what it read."""
    if isinstance(node, Compare):
        actual, at_least = facts.read(node.fact)
        return Trace(node, _compare(node.op, actual, node.value, at_least), (Reading(node.fact, actual, at_least),))
    if isinstance(node, Member):
        actual, at_least = facts.read(node.fact)
        return Trace(node, verdict(node, facts), (Reading(node.fact, actual, at_least),))
    if isinstance(node, Not):
        child = evaluate(node.child, facts)
        return Trace(node, _FLIP[child.verdict], (), (child,))
    children = tuple(evaluate(child, facts) for child in node.children)
    combine = _and if isinstance(node, All) else _or
    return Trace(node, combine(c.verdict for c in children), (), children)


# -- facts read, messages --------------------------------------------------------------

def facts_read(node: Node | None) -> tuple[str, ...]:
    """The facts a condition reads, in first-use order."""
    if node is None:
        return ()
    if isinstance(node, (Compare, Member)):
        return (node.fact,)
    children = (node.child,) if isinstance(node, Not) else node.children
    out: list[str] = []
    for child in children:
        out += [name for name in facts_read(child) if name not in out]
    return tuple(out)


def message_templates(node: Node | None) -> tuple[str, ...]:
    """Every part ``message`` a condition carries, in order."""
    if node is None:
        return ()
    own = (node.message,) if getattr(node, "message", None) else ()
    if isinstance(node, Not):
        return own + message_templates(node.child)
    if isinstance(node, (All, Any)):
        return own + tuple(m for child in node.children for m in message_templates(child))
    return own  # type: ignore[return-value]


def part_messages(trace: Trace, wanted: Verdict = FAILS) -> tuple[str, ...]:
    """The ``message`` templates of the parts that stand against the condition with the ``wanted`` verdict:
    ``FAILS`` for the parts that fail, ``UNKNOWN`` for those left undetermined."""
    out: list[str] = []

    def visit(t: Trace, negated: bool) -> None:
        node = t.node
        # the verdict this part has, read in the direction of the whole condition
        seen = _FLIP[t.verdict] if negated else t.verdict
        if seen is HOLDS or (wanted is FAILS and seen is not FAILS):
            return
        message = getattr(node, "message", None)
        if message and seen is wanted:
            if message not in out:
                out.append(message)
            return
        for child in t.children:
            visit(child, negated ^ isinstance(node, Not))

    visit(trace, False)
    return tuple(out)


# -- plain English -----------------------------------------------------------------------

def _shown(value: AnyType) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def describe(node: Node | None, names: Mapping[str, str] | None = None) -> str:
    """A condition in words; ``names`` may give a fact's description to use instead of its name."""
    if node is None:
        return "always"
    label = (lambda fact: f"{names[fact]} ({fact})" if fact in names else fact) if names else (lambda fact: fact)
    if isinstance(node, Compare):
        return f"{label(node.fact)} {OP_PHRASE[node.op]} {_shown(node.value)}"
    if isinstance(node, Member):
        values = ", ".join(_shown(v) for v in node.values)
        if len(node.values) == 1:
            return f"{label(node.fact)} {'is not' if node.negated else 'is'} {values}"
        return f"{label(node.fact)} is {'none' if node.negated else 'one'} of {values}"
    if isinstance(node, Not):
        return f"not ({describe(node.child, names)})"
    joiner = " and " if isinstance(node, All) else " or "
    parts = [describe(child, names) for child in node.children]
    return joiner.join(f"({p})" if isinstance(c, (All, Any)) and len(c.children) > 1 else p for p, c in zip(parts, node.children))


# -- negation normal form for an engine ------------------------------------------------------
# A positive form is ("cmp", attribute, op, value) or ("all" | "any", (child, ...)); an
# attribute ending in AT_LEAST is the lower bound of a count stated only in part.

Positive = tuple


def _bound_holds(fact: str, op: str, value: Scalar) -> Positive | None:
    """The comparison on a lower bound that proves ``fact op value``, if any can."""
    if op in ("gte", "gt"):
        return ("cmp", fact + AT_LEAST, op, value)
    if op == "ne":
        return ("cmp", fact + AT_LEAST, "gt", value)
    return None


def _leaf(fact: str, op: str, value: Scalar, bounded: bool) -> Positive:
    exact = ("cmp", fact, op, value)
    if not bounded:
        return exact
    bound = _bound_holds(fact, op, value)
    return exact if bound is None else ("any", (exact, bound))


def holds_form(node: Node, negated: bool = False) -> Positive:
    """Positive comparisons that match exactly where ``node`` holds (or fails, when ``negated``)."""
    if isinstance(node, Not):
        return holds_form(node.child, not negated)
    if isinstance(node, Compare):
        return _leaf(node.fact, NEGATE[node.op] if negated else node.op, node.value, node.bounded)
    if isinstance(node, Member):
        positive = node.negated == negated  # "in" holds, or "not in" fails: equal to one of the values
        parts = tuple(_leaf(node.fact, "eq" if positive else "ne", v, node.bounded) for v in node.values)
        return parts[0] if len(parts) == 1 else ("any" if positive else "all", parts)
    conjunctive = isinstance(node, All) != negated
    children = tuple(holds_form(child, negated) for child in node.children)
    return children[0] if len(children) == 1 else ("all" if conjunctive else "any", children)


def fails_form(node: Node) -> Positive:
    return holds_form(node, negated=True)


# -- parsing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class FactType:
    """What the parser needs to know of a fact: its type and whether it can be a lower bound."""

    type: type
    bounded: bool = False


def type_ok(expected: type, value: AnyType) -> bool:
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, expected)


def check_template(
    template: str, facts: Mapping[str, AnyType], path: PathKey, smap: SourceMap, params: Mapping[str, Scalar] | None = None
) -> None:
    """A message template may name the subject, its facts and the rule's parameters."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InputError(smap.location(path), f"bad message template: {exc}") from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if spec or conversion:
            raise InputError(smap.location(path), f"message placeholder '{{{field}}}' may not carry a format or conversion")
        if field not in facts and field != "subject" and field not in (params or {}):
            raise InputError(smap.location(path), f"message names unknown fact '{field}'")


def parse(
    spec: AtomSpec | AllSpec | AnySpec | NotSpec,
    facts: Mapping[str, FactType],
    params: Mapping[str, Scalar],
    path: PathKey,
    smap: SourceMap,
    kind: str = "subject",
) -> Node:
    """Check a condition against the fact vocabulary and build its typed tree."""
    message = getattr(spec, "message", None)
    if message:
        check_template(message, facts, path + ("message",), smap, params)
    if isinstance(spec, NotSpec):
        return Not(parse(spec.not_, facts, params, path + ("not",), smap, kind))
    if isinstance(spec, (AllSpec, AnySpec)):
        key = "all" if isinstance(spec, AllSpec) else "any"
        children = tuple(parse(c, facts, params, path + (key, i), smap, kind) for i, c in enumerate(getattr(spec, key)))
        return All(children, message) if key == "all" else Any(children, message)
    if spec.fact not in facts:
        close = difflib.get_close_matches(spec.fact, list(facts), n=3)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else "; see 'icscheck facts'"
        raise InputError(smap.location(path + ("fact",)), f"unknown fact '{spec.fact}' for a {kind}{hint}")
    fact = facts[spec.fact]
    value = spec.value
    if isinstance(value, Param):
        if value.param not in params:
            raise InputError(smap.location(path + ("value",)), f"unknown parameter '{value.param}'")
        value = params[value.param]
    op = spec.op
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise InputError(smap.location(path + ("value",)), f"op '{op}' needs a non-empty list")
        values = value
    else:
        if isinstance(value, list):
            raise InputError(smap.location(path + ("value",)), f"op '{op}' needs a single value, not a list")
        values = [value]
    for v in values:
        if not type_ok(fact.type, v):
            raise InputError(
                smap.location(path + ("value",)), f"fact '{spec.fact}' is {fact.type.__name__}, but the value {v!r} is not"
            )
    if op in ORDERED_OPS and fact.type not in (int, float):
        raise InputError(smap.location(path + ("op",)), f"op '{op}' needs a number, but '{spec.fact}' is {fact.type.__name__}")
    if op in ("in", "not_in"):
        return Member(spec.fact, tuple(values), op == "not_in", fact.bounded, message)
    return Compare(spec.fact, op, value, fact.bounded, message)
