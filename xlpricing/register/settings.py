"""A team's register settings (TOML): numbering, default validity, approval rules and roles.

    [numbering]
    prefix = "Q"              # numbers read Q-2026-000123
    [quotes]
    valid_days = 30           # when a quote does not say
    [[approvals]]
    discount_above = 10       # percent: 10 passes, 10.01 needs approval
    role = "sales manager"
    [roles]
    "sales manager" = ["Li Na", "Wang Wei"]   # who may approve for a role (empty: anyone named)
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import RegisterError

SETTINGS_ENV = "XLPRICING_TEAM_SETTINGS"
SETTINGS_NAME = "xlpricing-team.toml"
PREFIX = re.compile(r"[A-Z][A-Z0-9]{0,7}")


@dataclass(frozen=True)
class ApprovalRule:
    role: str
    discount_above: Decimal | None = None
    total_above: Decimal | None = None

    def applies(self, discount: Decimal, total: Decimal) -> str | None:
        """Why a quote needs this rule's approval, or None."""
        if self.discount_above is not None and discount > self.discount_above:
            return f"discount {discount}% is above {self.discount_above}%"
        if self.total_above is not None and total > self.total_above:
            return f"total {total} is above {self.total_above}"
        return None


@dataclass(frozen=True)
class TeamSettings:
    prefix: str = "Q"
    valid_days: int = 30
    approvals: tuple[ApprovalRule, ...] = ()
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "defaults"

    def approvals_for(self, discount: Decimal, total: Decimal) -> list[dict]:
        needed = []
        for rule in self.approvals:
            why = rule.applies(discount, total)
            if why:
                needed.append({"role": rule.role, "why": why, "by": None, "at": None})
        return needed

    def may_approve(self, role: str, person: str) -> bool:
        members = self.roles.get(role, ())
        return not members or person.casefold() in {m.casefold() for m in members}


def _decimal(value: object, where: str, problems: list[str]) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        problems.append(f"{where}: a number is expected, got {value!r}")
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        problems.append(f"{where}: a number is expected, got {value!r}")
        return None
    if not d.is_finite() or d < 0:
        problems.append(f"{where}: must be 0 or more, got {value!r}")
        return None
    return d


def load_settings(path: str | Path | None, register_path: Path | None) -> TeamSettings:
    """--settings FILE, else $XLPRICING_TEAM_SETTINGS, else xlpricing-team.toml beside a SQLite
    register, else the defaults. Every problem is reported at once, with its key."""
    chosen = path or os.environ.get(SETTINGS_ENV, "").strip() or None
    if chosen is None and register_path is not None and (register_path.parent / SETTINGS_NAME).is_file():
        chosen = register_path.parent / SETTINGS_NAME
    if chosen is None:
        return TeamSettings()
    chosen = Path(chosen)
    try:
        data = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegisterError(f"cannot read the team settings {chosen}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RegisterError(f"the team settings {chosen} are not valid TOML: {exc}") from None
    problems: list[str] = []
    known = {"numbering", "quotes", "approvals", "roles"}
    problems += [f"{k}: unknown section (known: {', '.join(sorted(known))})" for k in data if k not in known]
    prefix = data.get("numbering", {}).get("prefix", "Q")
    if not isinstance(prefix, str) or not PREFIX.fullmatch(prefix):
        problems.append(f"numbering.prefix: 1 to 8 capital letters or digits, starting with a letter, got {prefix!r}")
    valid_days = data.get("quotes", {}).get("valid_days", 30)
    if isinstance(valid_days, bool) or not isinstance(valid_days, int) or not 1 <= valid_days <= 365:
        problems.append(f"quotes.valid_days: a whole number of days, 1 to 365, got {valid_days!r}")
    rules = []
    for i, rule in enumerate(data.get("approvals", [])):
        where = f"approvals[{i}]"
        if not isinstance(rule, dict):
            problems.append(f"{where}: a table is expected")
            continue
        role = rule.get("role")
        if not isinstance(role, str) or not role.strip():
            problems.append(f"{where}.role: the role that approves, e.g. \"sales manager\"")
        unknown = set(rule) - {"role", "discount_above", "total_above"}
        problems += [f"{where}.{k}: unknown key (known: role, discount_above, total_above)" for k in sorted(unknown)]
        limits = {k: _decimal(rule[k], f"{where}.{k}", problems) for k in ("discount_above", "total_above") if k in rule}
        if not limits:
            problems.append(f"{where}: give discount_above (percent) or total_above (CNY)")
        rules.append(ApprovalRule(str(role or "").strip(), limits.get("discount_above"), limits.get("total_above")))
    roles = {}
    for role, members in data.get("roles", {}).items():
        if not isinstance(members, list) or not all(isinstance(m, str) and m.strip() for m in members):
            problems.append(f"roles.{role}: a list of names is expected")
            continue
        roles[role] = tuple(m.strip() for m in members)
    if problems:
        raise RegisterError(f"the team settings {chosen} have {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return TeamSettings(prefix, valid_days, tuple(rules), roles, str(chosen))
