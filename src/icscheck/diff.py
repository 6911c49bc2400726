"""Assessment diff: how a system moved between two reports.

Works on two JSON reports (as ``check --format json`` writes them): per
maturity domain the stage change, per operating arrangement the RAG change,
and per (rule, subject) fingerprint the gaps that are new, closed and
unchanged.  Stages and RAG levels are compared by their order, never
averaged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError
from .findings import STATUSES
from .frameworks import MATRIX_DOMAINS, OPERATING_ARRANGEMENTS, RAG_KEY, STAGES
from .validation import dotted
from .yamlsource import read_limited

#: The largest JSON report read (64 MiB; a report of a large system is a few MiB).
MAX_REPORT_BYTES = 64 * 1024 * 1024
#: The deepest nesting accepted in a JSON report (a report nests about eight levels).
MAX_REPORT_DEPTH = 64

UP, SAME, DOWN = "↑", "↔", "↓"
OPEN = ("gap", "error", "waived")


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Subject(_Shape):
    id: str
    kind: str
    name: str


class _Finding(_Shape):
    rule_id: str
    status: Literal[STATUSES]  # type: ignore[valid-type]
    subject: _Subject
    fingerprint: str
    message: str


class _System(_Shape):
    id: str
    name: str


class _Summary(_Shape):
    maturity: dict[str, Literal[STAGES] | None]  # type: ignore[valid-type]
    coa: dict[str, Literal[tuple(RAG_KEY)] | None]  # type: ignore[valid-type]


class _Report(_Shape):
    system: _System
    as_of: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    summary: _Summary
    findings: list[_Finding]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key '{key}'")
        out[key] = value
    return out


def _depth(data: Any) -> int:
    deepest, todo = 0, [(data, 1)]
    while todo:
        node, depth = todo.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_REPORT_DEPTH:
            break
        if isinstance(node, dict):
            todo.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            todo.extend((v, depth + 1) for v in node)
    return deepest


def read_report(path: Path | str, name: str | None = None) -> dict[str, Any]:
    """An icscheck JSON report read from a file, with its shape checked; any problem is one InputError."""
    name = name or str(path)
    raw = read_limited(path, name, MAX_REPORT_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}:{line}", f"not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}", f"not a JSON report ({exc.msg})") from None
    except RecursionError:
        raise InputError(name, "not a JSON report (nested too deeply)") from None
    except ValueError as exc:  # NaN or Infinity, a duplicate key, an integer of thousands of digits
        raise InputError(name, f"not a JSON report ({str(exc).splitlines()[0]})") from None
    return check_report(data, name)


def check_report(data: Any, name: str) -> dict[str, Any]:
    """``data`` if it has the shape of an icscheck JSON report (what :func:`diff` reads), else an InputError."""
    if not isinstance(data, dict):
        raise InputError(name, "not an icscheck JSON report (it is not a JSON object)")
    missing = [key for key in ("system", "as_of", "summary", "findings") if key not in data]
    if missing:
        raise InputError(name, f"not an icscheck JSON report ({', '.join(missing)} missing)")
    if _depth(data) > MAX_REPORT_DEPTH:
        raise InputError(name, f"not an icscheck JSON report (nested more than {MAX_REPORT_DEPTH} levels deep)")
    try:
        _Report.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise InputError(name, f"not an icscheck JSON report ({dotted(tuple(error['loc']))}: {error['msg']})") from None
    return data


def _stage_rank(stage: str | None) -> int:
    return -1 if stage is None else STAGES.index(stage)


STATE_RANK = {"not met": 0, "not evidenced": 1, "met": 2}  # an unstaged domain's state (no gap beats a gap)


def _domain_value(summary: dict[str, Any], key: str) -> tuple[str | None, int]:
    """A domain's stage, or for a domain with the same bullets at every stage (reports from 2.1 on) its state."""
    unstaged = summary.get("maturity_unstaged") or {}
    if key in unstaged:
        state = unstaged[key]
        return state, STATE_RANK.get(state, 1)
    stage = summary["maturity"].get(key)
    return stage, _stage_rank(stage)


def _rag_rank(rag: str | None) -> int:
    order = list(RAG_KEY)  # best first
    return len(order) - order.index(rag) if rag in order else 0


def _arrow(old: int, new: int) -> str:
    return UP if new > old else DOWN if new < old else SAME


def _gaps(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["fingerprint"]: f for f in report["findings"] if f["status"] in OPEN}


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    old_summary, new_summary = old["summary"], new["summary"]
    domains = []
    for key, name in MATRIX_DOMAINS.items():
        (a, rank_a), (b, rank_b) = _domain_value(old_summary, key), _domain_value(new_summary, key)
        if (key in (old_summary.get("maturity_unstaged") or {})) != (key in (new_summary.get("maturity_unstaged") or {})):
            change = SAME if a == b else "≠"  # a stage against a state (reports of different versions): no order
        else:
            change = _arrow(rank_a, rank_b)
        domains.append({"domain": key, "name": name, "old": a, "new": b, "change": change})
    arrangements = []
    for key, name in OPERATING_ARRANGEMENTS.items():
        a, b = old_summary["coa"].get(key), new_summary["coa"].get(key)
        arrangements.append({"arrangement": key, "name": name, "old": a, "new": b, "change": _arrow(_rag_rank(a), _rag_rank(b))})
    before, after = _gaps(old), _gaps(new)

    def brief(f: dict[str, Any]) -> dict[str, Any]:
        return {"fingerprint": f["fingerprint"], "rule_id": f["rule_id"], "subject": f["subject"], "status": f["status"], "message": f["message"]}

    return {
        "old": {"system": old["system"], "as_of": old["as_of"]},
        "new": {"system": new["system"], "as_of": new["as_of"]},
        "domains": domains,
        "arrangements": arrangements,
        "gaps": {
            "new": [brief(after[k]) for k in sorted(after.keys() - before.keys())],
            "closed": [brief(before[k]) for k in sorted(before.keys() - after.keys())],
            "unchanged": [brief(after[k]) for k in sorted(after.keys() & before.keys())],
        },
    }
