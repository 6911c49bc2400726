"""Evaluation with the durable-rules engine, used the safe way.

This is the only module that imports durable_rules.  Known defects of the
engine (2.0.28) and how this module avoids or detects each:

* negation is order-dependent -> conditions arrive in negation normal form
  and are compiled to positive patterns only; gaps are computed afterwards as
  a complement, never with ``none``;
* fact identity is a 32-bit hash, so two distinct facts can collide and one is
  silently dropped -> every fact carries an explicit unique id, every assert's
  result code is checked, and a sentinel rule per subject kind must see every
  fact; a loss is retried with freshly salted ids and, if it persists, raised;
* the Host API runs actions on background timer threads and swallows action
  exceptions -> no Host is created; the ruleset is driven synchronously
  through the engine's low-level functions and matched facts are read from
  the action messages, so nothing runs inside the engine;
* ``set_rulesets`` mutates its input and names cannot be reused -> each
  evaluation creates its own rulesets from fresh JSON documents and deletes
  them afterwards; no state survives between two evaluations;
* more than 64 rules branching from the same first pattern fail at assert
  time with error 303 -> rules are evaluated per subject kind, in rulesets of
  at most ``CHUNK`` icscheck rules (two engine rules each), and each ruleset
  is given only the facts of its kind.
"""

from __future__ import annotations

import json
from typing import Any

import durable_rules_engine as _dr

from .engine import Evaluation, RuleOutcome
from .errors import EngineError
from .facts import MAX_ATTRIBUTES, Subject
from .rules import Compiled, Rule

RULESET = "icscheck"
ATTEMPTS = 3
CHUNK = 30
_OPS = {"ne": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}


def pattern(condition: Compiled) -> dict[str, Any]:
    """A compiled (negation-normal) condition as a durable-rules JSON pattern."""
    tag = condition[0]
    if tag == "cmp":
        _, attribute, op, value = condition
        if op == "eq":
            return {attribute: value}
        return {_OPS[op]: {attribute: value}}
    key = "$and" if tag == "all" else "$or"
    return {key: [pattern(child) for child in condition[1]]}


def _match(kind: str, *conditions: Compiled | None) -> dict[str, Any]:
    parts = [{"kind": kind}] + [pattern(c) for c in conditions if c is not None]
    return {"all": [{"m": {"$and": parts}}]}


def ruleset(rules: list[Rule], kinds: set[str]) -> dict[str, Any]:
    """The ruleset: per rule an 'applies' and a 'passes' rule, per kind a sentinel."""
    definition: dict[str, Any] = {}
    for kind in sorted(kinds):
        definition[f"seen#{kind}"] = _match(kind)
    for rule in rules:
        definition[f"{rule.id}#applies"] = _match(rule.kind, rule.where)
        definition[f"{rule.id}#passes"] = _match(rule.kind, rule.where, rule.condition)
    return definition


def _drain(handle: int) -> list[tuple[str, str]]:
    fired: list[tuple[str, str]] = []

    def record(message: str) -> None:
        for name, match in json.loads(message).items():
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


def _run_once(definition_json: str, facts: list[dict[str, Any]]) -> list[tuple[str, str]] | None:
    handle = _dr.create_ruleset(RULESET, definition_json)
    try:
        for fact in facts:
            code = _dr.assert_fact(handle, json.dumps(fact, ensure_ascii=False))[0]
            if code == 2:
                return None  # an id hash collided with an earlier fact's: retry
            if code not in (0, 3):
                raise EngineError(f"durable-rules refused fact {fact['subject']!r} with code {code}")
        return _drain(handle)
    except _dr.error as exc:
        raise EngineError(f"durable-rules failed: {exc}") from None
    except Exception as exc:  # the engine reports some failures as plain exceptions (e.g. error code 303)
        raise EngineError(f"durable-rules failed: {exc}") from None
    finally:
        _dr.delete_ruleset(handle)


def _evaluate_chunk(rules: list[Rule], kind: str, subjects: list[Subject]) -> Evaluation:
    """Evaluate rules about one subject kind in one fresh ruleset."""
    definition_json = json.dumps(ruleset(rules, {kind}), ensure_ascii=False)
    base = [s.engine_fact() for s in subjects]
    for fact in base:
        if len(fact) + 1 > MAX_ATTRIBUTES:
            raise EngineError(f"fact {fact['subject']!r} has {len(fact) + 1} attributes; the engine ignores facts with 253 or more")
    for salt in range(ATTEMPTS):
        ids = [f"{salt}:{index}" for index in range(len(base))]
        facts = [dict(fact, id=fid) for fact, fid in zip(base, ids, strict=True)]
        fired = _run_once(definition_json, facts)
        if fired is None:
            continue
        by_id = {fid: subject.id for fid, subject in zip(ids, subjects, strict=True)}
        seen = {fid for name, fid in fired if name.startswith("seen#")}
        if seen != set(ids):
            continue  # a fact was dropped without an error code: retry
        applicable: dict[str, set[str]] = {rule.id: set() for rule in rules}
        passing: dict[str, set[str]] = {rule.id: set() for rule in rules}
        for name, fid in fired:
            rule_id, _, part = name.partition("#")
            if part == "applies":
                applicable[rule_id].add(by_id[fid])
            elif part == "passes":
                passing[rule_id].add(by_id[fid])
        return {rid: RuleOutcome(frozenset(applicable[rid]), frozenset(passing[rid])) for rid in applicable}
    raise EngineError(f"durable-rules lost facts in {ATTEMPTS} attempts; the result cannot be trusted")


def evaluate(rules: list[Rule], subjects: list[Subject]) -> Evaluation:
    """Evaluate every rule over the subjects of its kind."""
    result: Evaluation = {}
    for kind in sorted({rule.kind for rule in rules}):
        mine = [rule for rule in rules if rule.kind == kind]
        of_kind = [s for s in subjects if s.kind == kind]
        if not of_kind:
            result.update({rule.id: RuleOutcome(frozenset(), frozenset()) for rule in mine})
            continue
        for start in range(0, len(mine), CHUNK):
            result.update(_evaluate_chunk(mine[start : start + CHUNK], kind, of_kind))
    return result
