"""Evaluation with the durable-rules engine, used the safe way.

This is the only module that imports durable_rules.  Known defects of the
engine (2.0.28) and how this module avoids or detects each:

* negation is order-dependent -> each condition is matched twice, as the
  negation normal form of itself (where it holds) and of its negation (where
  it fails), both positive patterns only; a subject matched by neither is
  unknown, one matched by both is a conflict the findings report as an error;
  ``none`` is never used;
* fact identity is a 32-bit hash, so two distinct facts can collide and one is
  silently dropped -> every fact carries an explicit unique id, every assert's
  result code is checked, and a sentinel rule per subject kind must see every
  fact; a loss is retried with freshly salted ids and, if it persists, raised;
* the Host API runs actions on background timer threads and swallows action
  exceptions -> no Host is created; the ruleset is driven synchronously
  through the engine's low-level functions and matched facts are read from
  the action messages, so nothing runs inside the engine;
* ``set_rulesets`` mutates its input, names cannot be reused, and the memory
  of a ruleset is never given back (about 6 MB per system when every system
  had rulesets of its own) -> an evaluator creates each ruleset once, from a
  fresh JSON document and under a name of its own, and evaluates each system
  in a session of its own (the engine's ``sid``), deleted as soon as its
  matches are read: a session sees only its own facts, so nothing one system
  asserts is seen by another, and memory stays flat however many systems one
  evaluator checks.  The rulesets are deleted when the evaluator is closed or
  collected;
* deleting a session the engine never made can abort the process, and a
  session deleted with matches still pending could hand them to the next ->
  a session is deleted only if one of its facts was accepted, and only after
  everything it set going is read, on success and on failure alike;
* numbers in exponent form without a fraction (``1e-05``, ``1e+16``, as Python
  writes them) are refused (error 204), and its number reader knows no other
  exponent form -> facts and patterns are written by :func:`to_json`, which
  writes every float as its shortest exact decimal with a fraction
  (``1.0e-05``, ``1.0e+16``), read back as the same double;
* ruleset creation and every engine call can fail with a bare C error code ->
  each becomes an :class:`EngineError` (exit 3) with one line;
* more than 64 rules branching from the same first pattern fail at assert
  time with error 303 -> rules are evaluated per subject kind, in rulesets of
  at most ``MAX_ENGINE_RULES`` engine rules (two or four per icscheck rule,
  and a sentinel), and each ruleset is given only the facts of its kind.
"""

from __future__ import annotations

import itertools
import json
import re
import weakref
from collections.abc import Iterator
from typing import Any

import durable_rules_engine as _dr
import orjson

from .conditions import FAILS, HOLDS, UNKNOWN, Positive, Verdict, fails_form, holds_form
from .errors import EngineError
from .facts import MAX_ATTRIBUTES, Subject
from .outcome import Evaluation, RuleOutcome, rule_verdict
from .rules import Rule

RULESET = "icscheck"
ATTEMPTS = 3
MAX_ENGINE_RULES = 60
_OPS = {"ne": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}
#: Engine rule suffixes: the selector holds / fails, the condition holds / fails.
WHERE_HOLDS, WHERE_FAILS, HOLDS_SUFFIX, FAILS_SUFFIX = "where", "outside", "holds", "fails"


_STRING_OR_EXPONENT = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?[eE][-+]?\d+')
_EXPONENT = re.compile(r"\d[eE][-+]?\d")


def _fraction(match: re.Match[str]) -> str:
    """A number in exponent form without a fraction (``1e-05``) gets one (``1.0e-05``); strings stay as they are."""
    text = match.group(0)
    if text.startswith('"'):
        return text
    mantissa, _, exponent = text.lower().partition("e")
    return text if "." in mantissa else f"{mantissa}.0e{exponent}"


def to_json(value: Any) -> str:
    """JSON for the engine: ``json.dumps``, with every number in a form the engine reads exactly (Python's
    shortest repr of a float, which reads back as the same double, given a fraction before any exponent)."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError) as exc:
        raise EngineError(f"a value cannot be given to the engine: {exc}") from None
    return _STRING_OR_EXPONENT.sub(_fraction, text) if _EXPONENT.search(text) else text


def pattern(form: Positive) -> dict[str, Any]:
    """A positive form (see :func:`icscheck.conditions.holds_form`) as a durable-rules JSON pattern."""
    tag = form[0]
    if tag == "cmp":
        _, attribute, op, value = form
        if op == "eq":
            return {attribute: value}
        return {_OPS[op]: {attribute: value}}
    key = "$and" if tag == "all" else "$or"
    return {key: [pattern(child) for child in form[1]]}


def _match(kind: str, form: Positive | None = None) -> dict[str, Any]:
    parts = [{"kind": kind}] + ([pattern(form)] if form is not None else [])
    return {"all": [{"m": {"$and": parts}}]}


def engine_rules(rule: Rule) -> dict[str, Any]:
    """The engine rules of one icscheck rule: its condition and its negation, and its selector's if it has one."""
    out = {
        f"{rule.id}#{HOLDS_SUFFIX}": _match(rule.kind, holds_form(rule.condition)),
        f"{rule.id}#{FAILS_SUFFIX}": _match(rule.kind, fails_form(rule.condition)),
    }
    if rule.where is not None:
        out[f"{rule.id}#{WHERE_HOLDS}"] = _match(rule.kind, holds_form(rule.where))
        out[f"{rule.id}#{WHERE_FAILS}"] = _match(rule.kind, fails_form(rule.where))
    return out


def ruleset(rules: list[Rule], kinds: set[str]) -> dict[str, Any]:
    """The ruleset: per rule its engine rules, per kind a sentinel that must see every fact."""
    definition: dict[str, Any] = {}
    for kind in sorted(kinds):
        definition[f"seen#{kind}"] = _match(kind)
    for rule in rules:
        definition.update(engine_rules(rule))
    return definition


def _drain(handle: int) -> list[tuple[str, str]]:
    fired: list[tuple[str, str]] = []

    def record(message: str) -> None:
        for name, match in orjson.loads(message).items():
            fired.append((name, match["m"]["id"]))

    result = _dr.start_action(handle)
    while result:
        _state, message, state_handle = result
        record(message)
        following = _dr.complete_and_start_action(handle, state_handle)
        while following:
            record(following)
            following = _dr.complete_and_start_action(handle, state_handle)
        result = _dr.start_action(handle)
    return fired


def _run_once(handle: int, session: str, facts: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """Assert the facts (each a subject's id and its JSON with its fact id) in a new session of the ruleset,
    read every match, and delete the session: only a session the engine made (deleting one it never made
    can abort the process), and only once nothing of it is left pending, even when the run fails."""
    tail = f', "sid": {json.dumps(session)}}}'
    made = False
    try:
        for subject, text in facts:
            code = _dr.assert_fact(handle, text[:-1] + tail)[0]
            if code == 2:
                return None  # an id hash collided with an earlier fact's: retry
            if code not in (0, 3):
                raise EngineError(f"durable-rules refused fact {subject!r} with code {code}")
            made = True
        return _drain(handle)
    except _dr.error as exc:
        raise EngineError(f"durable-rules failed: {exc}") from None
    except EngineError:
        raise
    except Exception as exc:  # the engine reports some failures as plain exceptions (e.g. error code 303)
        raise EngineError(f"durable-rules failed: {exc}") from None
    finally:
        if made:  # nothing of this session may reach the next one: what it set going is read and dropped
            try:
                _drain(handle)
                _dr.delete_state(handle, session)
            except Exception:  # pragma: no cover - the engine refused: nothing more can be done
                pass


def _three_way(matched: set[str], positive: str, negative: str, sid: str, conflicts: set[str]) -> Verdict:
    yes, no = (positive, sid) in matched, (negative, sid) in matched
    if yes and no:
        conflicts.add(sid)
    return HOLDS if yes else FAILS if no else UNKNOWN


def _encoded(subjects: list[Subject]) -> list[str]:
    """Each subject's engine fact as JSON, made once for every ruleset of its kind."""
    out = []
    for subject in subjects:
        fact = subject.engine_fact()
        if len(fact) + 2 > MAX_ATTRIBUTES:  # with its id and its session
            raise EngineError(f"fact {fact['subject']!r} has {len(fact) + 2} attributes; the engine ignores facts with 253 or more")
        out.append(to_json(fact))
    return out


def _evaluate_chunk(
    rules: list[Rule], subjects: list[Subject], encoded: list[str], handle: int, sessions: Iterator[str]
) -> Evaluation:
    """Evaluate rules about one subject kind in a new session of their ruleset."""
    for salt in range(ATTEMPTS):
        ids = [f"{salt}:{index}" for index in range(len(subjects))]
        facts = [
            (subject.id, f'{text[:-1]}, "id": {json.dumps(fid)}}}')
            for subject, text, fid in zip(subjects, encoded, ids, strict=True)
        ]
        fired = _run_once(handle, next(sessions), facts)
        if fired is None:
            continue
        by_id = {fid: subject.id for fid, subject in zip(ids, subjects, strict=True)}
        seen = {fid for name, fid in fired if name.startswith("seen#")}
        if seen != set(ids):
            continue  # a fact was dropped without an error code: retry
        matched = {(name, by_id[fid]) for name, fid in fired}
        result: Evaluation = {}
        for rule in rules:
            verdicts: dict[str, Verdict] = {}
            conflicts: set[str] = set()
            for subject in subjects:
                sid = subject.id
                where = HOLDS if rule.where is None else _three_way(
                    matched, f"{rule.id}#{WHERE_HOLDS}", f"{rule.id}#{WHERE_FAILS}", sid, conflicts
                )
                condition = _three_way(matched, f"{rule.id}#{HOLDS_SUFFIX}", f"{rule.id}#{FAILS_SUFFIX}", sid, conflicts)
                outcome = rule_verdict(where, condition)
                if outcome is not None:
                    verdicts[sid] = outcome
            result[rule.id] = RuleOutcome(verdicts, frozenset(conflicts))
        return result
    raise EngineError(f"durable-rules lost facts in {ATTEMPTS} attempts; the result cannot be trusted")


def _chunks(rules: list[Rule]) -> list[list[Rule]]:
    """Rules in groups whose engine rules, with the sentinel, stay within the engine's limit."""
    chunks: list[list[Rule]] = [[]]
    size = 1
    for rule in rules:
        n = 2 if rule.where is None else 4
        if chunks[-1] and size + n > MAX_ENGINE_RULES:
            chunks.append([])
            size = 1
        chunks[-1].append(rule)
        size += n
    return chunks


def _delete_rulesets(handles: dict[tuple[str, ...], int]) -> None:
    for handle in handles.values():
        try:
            _dr.delete_ruleset(handle)
        except Exception:  # pragma: no cover - nothing more can be done for a ruleset the engine will not delete
            pass
    handles.clear()


class DurableEvaluator:
    """Evaluates rules with durable-rules; made once per run, it compiles each rule's engine rules once
    and creates each ruleset once, however many systems it evaluates.  Each evaluation asserts its facts
    in a session of its own, deleted once its matches are read, so nothing one system asserts is seen
    by another and the engine's memory does not grow with the number of systems.  ``close`` (or the
    evaluator's collection, or leaving a ``with`` block) deletes the rulesets."""

    name = "durable"

    def __init__(self) -> None:
        self._fragments: dict[str, str] = {}  # rule id -> its engine rules, as JSON members
        self._handles: dict[tuple[str, ...], int] = {}  # (kind, rule ids...) -> the engine's ruleset
        self._names = itertools.count()  # each ruleset under a name of its own
        self._sessions = (f"s{n}" for n in itertools.count())
        self._finalizer = weakref.finalize(self, _delete_rulesets, self._handles)

    def _fragment(self, rule: Rule) -> str:
        if rule.id not in self._fragments:
            self._fragments[rule.id] = to_json(engine_rules(rule))[1:-1]
        return self._fragments[rule.id]

    def _definition(self, kind: str, rules: list[Rule]) -> str:
        sentinel = to_json({f"seen#{kind}": _match(kind)})[1:-1]
        return "{" + ", ".join([sentinel, *(self._fragment(rule) for rule in rules)]) + "}"

    def _ruleset(self, kind: str, rules: list[Rule]) -> int:
        key = (kind, *(rule.id for rule in rules))
        if key not in self._handles:
            try:
                self._handles[key] = _dr.create_ruleset(f"{RULESET}-{id(self):x}-{next(self._names)}", self._definition(kind, rules))
            except Exception as exc:  # a bare C error code, e.g. 204 for a number it cannot read
                raise EngineError(f"durable-rules could not create the ruleset: {exc}") from None
        return self._handles[key]

    def evaluate(self, rules: list[Rule], subjects: list[Subject]) -> Evaluation:
        """Evaluate every rule over the subjects of its kind."""
        result: Evaluation = {}
        for kind in sorted({rule.kind for rule in rules}):
            mine = [rule for rule in rules if rule.kind == kind]
            of_kind = [s for s in subjects if s.kind == kind]
            if not of_kind:
                result.update({rule.id: RuleOutcome({}) for rule in mine})
                continue
            encoded = _encoded(of_kind)
            for chunk in _chunks(mine):
                result.update(_evaluate_chunk(chunk, of_kind, encoded, self._ruleset(kind, chunk), self._sessions))
        return result

    def close(self) -> None:
        """Delete the engine's rulesets; the evaluator can still be used, and creates them again."""
        _delete_rulesets(self._handles)

    def __enter__(self) -> DurableEvaluator:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
