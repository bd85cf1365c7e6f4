"""What a browser's form or an API call asks to quote, translated to the quoting service's request
and proposal: the same engine and the same rules as the command line (one app: 1 option like
``xlpricing quote``; two apps or more: a deal, read by the table reader IMDEAL uses)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .. import inputs
from ..errors import QuoteError
from ..quoting import QuoteRequest

MAX_APPS = 12
TEXT_FIELDS = ("customer", "contact", "customer_contact", "customer_address", "notes")


@dataclass(frozen=True)
class AppRow:
    name: str = ""
    edition: str = ""
    addons: str = ""  # codes, comma-separated
    peak_dau: str = ""
    peak_groups: str = ""

    @property
    def blank(self) -> bool:
        return not any(v.strip() for v in (self.name, self.edition, self.addons, self.peak_dau, self.peak_groups))


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise QuoteError.of(field, f"{field}: a text or a number is expected, got {type(value).__name__}")
    return str(value)


def app_rows(apps: Any) -> list[AppRow]:
    """The apps asked for, blanks left out: a list of {name, edition, addons, peak_dau, peak_groups}
    (addons a list or a comma-separated text)."""
    if not isinstance(apps, list) or not apps:
        raise QuoteError.of("apps", "give at least one app: its edition and peak DAU")
    if len(apps) > MAX_APPS:
        raise QuoteError.of("apps", f"at most {MAX_APPS} apps in one quote, got {len(apps)}")
    rows = []
    for i, app in enumerate(apps, 1):
        if not isinstance(app, dict):
            raise QuoteError.of("apps", f"app {i}: a table of name, edition, addons, peak_dau, peak_groups is expected")
        addons = app.get("addons", "")
        if isinstance(addons, list):
            addons = ", ".join(_text(a, "addons") for a in addons)
        row = AppRow(*(_text(value, key).strip() for key, value in (
            ("name", app.get("name")), ("edition", app.get("edition")), ("addons", addons),
            ("peak_dau", app.get("peak_dau")), ("peak_groups", app.get("peak_groups")))))
        if not row.blank:
            rows.append(row)
    if not rows:
        raise QuoteError.of("apps", "give at least one app: its edition and peak DAU")
    return rows


def quote_request(data: dict) -> QuoteRequest:
    """{apps: [...], months, discount} → the request. One app is priced as ``xlpricing quote``
    prices it; several are a deal, read from rows as IMDEAL reads a table (its header names).
    Also {deal: "<a deal file's TOML>"}, and {options: [{edition, addons}, …] (1 to 3), peak_dau,
    peak_groups, months, discount}: what ``xlpricing quote --server`` sends."""
    months = _text(data.get("months"), "months").strip() or "1"
    discount = _text(data.get("discount"), "discount").strip() or None
    if data.get("deal") is not None:
        from ..dealinput import deal_from_toml
        text = _text(data["deal"], "deal")
        deal_from_toml(text, "the deal")  # its problems, all at once
        return QuoteRequest(deal=text)
    if data.get("options") is not None:
        options = data["options"]
        if not isinstance(options, list) or not 1 <= len(options) <= 3 or not all(isinstance(o, dict) for o in options):
            raise QuoteError.of("options", "1 to 3 options, each {edition, addons}")
        return QuoteRequest(options=tuple((_text(o.get("edition"), "edition").strip(), inputs.addon_codes(
            o.get("addons") if isinstance(o.get("addons"), list) else _text(o.get("addons"), "addons")))
            for o in options), dau=_text(data.get("peak_dau"), "peak_dau").strip() or "0",
            groups=_text(data.get("peak_groups"), "peak_groups").strip() or "0",
            months=months, discount=discount)
    rows = app_rows(data.get("apps"))
    if len(rows) == 1:
        row = rows[0]
        if not row.edition:
            raise QuoteError.of("edition", "choose the app's edition")
        return QuoteRequest(options=((row.edition, inputs.addon_codes(row.addons)),), dau=row.peak_dau or "0",
                            groups=row.peak_groups or "0", months=months, discount=discount)
    from ..dealinput import deal_from_rows, deal_to_toml
    table = [["app", "edition", "peak_dau", "peak_groups", "addons"]]
    for i, row in enumerate(rows, 1):
        table.append([row.name or f"app {i}", row.edition or None, row.peak_dau or None, row.peak_groups or None,
                      row.addons or None])
    names = [r[0].casefold() for r in table[1:]]
    if len(set(names)) != len(names):
        raise QuoteError.of("apps", "two apps have the same name: give each app its own name")
    return QuoteRequest(deal=deal_to_toml(deal_from_rows(table, months, discount)))


def proposal_of(data: dict, seller, seller_path: str, valid_days_default: int, today: dt.date | None = None):
    """The proposal's texts from the form (the customer's are always literal text)."""
    from ..sheets.proposal import Proposal, check_quote_dates
    texts = {k: _text(data.get(k), k) for k in TEXT_FIELDS}
    if not texts["customer"].strip():
        raise QuoteError.of("customer", "the customer's name is needed")
    days_text = _text(data.get("valid_days"), "valid_days").strip()
    valid_days = valid_days_default if not days_text else inputs.whole_number(days_text, "valid_days")
    quote_date = today or dt.date.today()
    problem = check_quote_dates(quote_date, valid_days, ("date", "valid_days"))
    if problem:
        raise QuoteError.of("valid_days", problem)
    lang = _text(data.get("lang"), "lang").strip() or "both"
    if lang not in inputs.PROPOSAL_LANGS:
        raise QuoteError.of("lang", f"a proposal's language is {', '.join(inputs.PROPOSAL_LANGS)}, got {lang!r}")
    proposal = Proposal(customer=texts["customer"].strip(), contact=texts["contact"], notes=texts["notes"], lang=lang,
                        seller=seller, seller_path=seller_path, quote_date=quote_date,
                        valid_until=quote_date + dt.timedelta(days=valid_days),
                        customer_address=texts["customer_address"], customer_contact=texts["customer_contact"])
    return proposal  # its texts are checked with the request's, by quoting.check_request (publish calls it)
