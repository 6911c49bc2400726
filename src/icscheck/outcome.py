"""What an evaluator returns: per rule, the verdict for each subject its selector does not exclude.

Shared by both evaluators (:mod:`icscheck.engine` and :mod:`icscheck.durable_engine`)
and by the findings, so that neither evaluator imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from .conditions import FAILS, HOLDS, UNKNOWN, Verdict


@dataclass(frozen=True)
class RuleOutcome:
    """Verdicts by subject id; ``conflicts`` are subjects an engine matched as both holding and failing."""

    verdicts: Mapping[str, Verdict]
    conflicts: frozenset[str] = field(default=frozenset())

    def ids(self, wanted: Verdict) -> frozenset[str]:
        return frozenset(sid for sid, v in self.verdicts.items() if v is wanted)


Evaluation = dict[str, RuleOutcome]


def rule_verdict(where: Verdict, condition: Verdict) -> Verdict | None:
    """A rule reads "where → condition": ``None`` when the selector excludes the subject.

    When it is unknown whether the rule applies, a condition that holds is met
    either way; otherwise the verdict is unknown.
    """
    if where is FAILS:
        return None
    if where is HOLDS or condition is HOLDS:
        return condition
    return UNKNOWN
