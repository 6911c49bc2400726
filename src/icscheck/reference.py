"""England's integrated care boards: the bundled reference list (``icscheck/data/icbs``).

The 42 ICBs of 1 July 2022 to 31 March 2026 and the successors of 1 April 2026,
with ODS and ONS codes, NHS region, what became of each, and each row's source.
It is the one place descriptions take ICB codes from; ``validate`` checks a
description's codes against it and ``init`` scaffolds a new description from it.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

DATA = Path(__file__).resolve().parent / "data" / "icbs"
LIST_TITLE = "England's integrated care boards: reference list bundled with icscheck (icscheck/data/icbs)"
LIST_PUBLISHER = "Compiled from ONS and NHS Organisation Data Service codes (Open Government Licence v3.0)"
LIST_DATE = dt.date(2026, 4, 1)
ESTABLISHED = dt.date(2022, 7, 1)
SUCCESSION = dt.date(2026, 4, 1)


@dataclass(frozen=True)
class Icb:
    ods_code: str
    ons_code: str
    name: str
    region: str
    from_date: dt.date
    to_date: dt.date | None  # last day it existed, for the ICBs merged or changed on 1 April 2026
    fate: str  # what became of it on 1 April 2026, or its predecessors for a successor
    source: str

    @property
    def short_name(self) -> str:
        """The name people use: without 'NHS' and 'ICB'."""
        return re.sub(r"^NHS\s+|\s+ICB$|\s+Integrated Care Board$", "", self.name).strip()

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.short_name.lower()).strip("-")


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def icbs() -> list[Icb]:
    """Every ICB in the list, the 2022 ones first, in the list's order."""
    out = []
    for row in _rows("icbs-2022.csv"):
        fate = row["fate_1_april_2026"]
        ends = None if fate == "unchanged" else SUCCESSION - dt.timedelta(days=1)
        out.append(Icb(row["ods_code"], row["ons_code_icb23"], row["name"], row["nhs_region"], ESTABLISHED, ends, fate, row["source"]))
    for row in _rows("icbs-2026-successors.csv"):
        out.append(
            Icb(row["ods_code"], row["ons_code_icb26"], row["name"], row["nhs_region"], SUCCESSION, None,
                f"formed from {row['predecessors']}", row["source"])
        )
    return out


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).replace(" and ", " ").strip()


def _in_being(matches: list[Icb], on: dt.date) -> Icb:
    """Of the list's entries for one ICB (an enlarged ICB keeps its ODS code), the one in being on a date."""
    for icb in matches:
        if icb.from_date <= on and (icb.to_date is None or on <= icb.to_date):
            return icb
    return max(matches, key=lambda icb: icb.from_date) if on >= SUCCESSION else min(matches, key=lambda icb: icb.from_date)


def find(query: str, on: dt.date | None = None) -> Icb:
    """An ICB by ODS code or by name (any case; 'NHS' and 'ICB' optional), as it was on a date (default: today)."""
    on = on or dt.date.today()
    known = icbs()
    by_code = {icb.ods_code.upper(): icb for icb in known}
    code = [icb for icb in known if icb.ods_code.upper() == query.strip().upper()]
    if code:
        return _in_being(code, on)
    wanted = _key(re.sub(r"(?i)^nhs\s+|\s+icb$", "", query.strip()))
    named = [icb for icb in known if _key(icb.short_name) == wanted]
    if named:
        return _in_being(named, on)
    names = {icb.short_name: icb for icb in known}
    close = difflib.get_close_matches(query, list(names) + list(by_code), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else "; give an ODS code such as QE1 or a name"
    raise InputError("--icb", f"no ICB '{query}' in the bundled reference list{hint}")


def code_warnings(name: str, ods_code: str | None, ons_code: str | None, as_of: dt.date) -> list[str]:
    """Where a description's ICB codes disagree with the reference list.

    A listed code must belong to the system of that name; and a system named in
    the list, described while its ICB existed, should carry the list's codes
    (before July 2022 systems had STP codes, which the list does not hold).
    """
    known = icbs()
    warnings = []
    by_ods = {icb.ods_code: icb for icb in known}
    by_ons = {icb.ons_code: icb for icb in known}
    if ods_code in by_ods and _key(by_ods[ods_code].short_name) != _key(name):
        warnings.append(f"ODS code {ods_code} is {by_ods[ods_code].name} in the reference list, not '{name}'")
    if ons_code in by_ons and _key(by_ons[ons_code].short_name) != _key(name):
        warnings.append(f"ONS code {ons_code} is {by_ons[ons_code].name} in the reference list, not '{name}'")
    for icb in known:
        if _key(icb.short_name) != _key(name) or as_of < icb.from_date or (icb.to_date and as_of > icb.to_date):
            continue
        if ods_code and ods_code != icb.ods_code:
            warnings.append(f"'{name}' has ODS code {icb.ods_code} in the reference list, not {ods_code}")
        if ons_code and ons_code != icb.ons_code:
            warnings.append(f"'{name}' has ONS code {icb.ons_code} in the reference list, not {ons_code}")
    return warnings
