"""A price book: one TOML file, read into immutable value objects and checked whole.

Every price, quota and rule lives in the data file; this module only knows the shape.
Loading collects *every* problem with its key path (``addons[3].prices.gold``) and raises
one :class:`PriceBookError`, so whoever edits the file sees the whole list at once. Which
books exist and which one a quote gets is the catalog's business (catalog.py).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from ..charges import USAGE_MODELS
from ..errors import PriceBookError

BILLING_MODES = ("prepaid", "postpaid")
REGIONS = ("cn", "overseas")
METRICS = ("peak_dau", "peak_groups")


@dataclass(frozen=True, slots=True)
class Note:
    code: str
    zh: str
    en: str


UNLIMITED = None  # a capability with no ceiling ("unlimited" in the file)


@dataclass(frozen=True, slots=True)
class Limit:
    """A capability that an edition sets and an add-on can raise (members per group, …)."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class CallRates:
    """Call minutes beyond the included package: drawn at weights per kind, priced per 1,000
    audio-equivalent minutes (TRTC postpaid)."""

    code: str
    name_zh: str
    name_en: str
    billing: str
    family: str  # the add-on family whose tiers include minutes
    per_1000_equivalent: Decimal
    weights: Mapping[str, int]  # audio / sd / hd / fhd -> audio-equivalent minutes per minute


@dataclass(frozen=True, slots=True)
class Tax:
    """How tax relates to the book's prices. ``included``: the list prices are the price-and-tax
    total at ``rate`` (China: 6% VAT inside). Otherwise tax is added on top at a rate that depends
    on the customer (overseas): no rate, and a quote shows no tax line, only that statement."""

    included: bool
    rate: Decimal | None
    name_zh: str
    name_en: str
    source: str


@dataclass(frozen=True, slots=True)
class Edition:
    code: str
    aliases: tuple[str, ...]
    name_zh: str
    name_en: str
    monthly_price: Decimal
    billing: str
    free_peak_dau: int
    free_peak_groups: int
    capped: bool  # True: the free quota is a hard cap, there is no overage
    # metrics an uncapped edition really never charges for above its free quota; said in the file,
    # so a deleted or narrowed [[overage]] entry cannot quietly make usage free
    unmetered: tuple[str, ...] = ()
    limits: Mapping[str, int | None] = field(default_factory=lambda: MappingProxyType({}))  # None: unlimited

    def free_quota(self, metric: str) -> int:
        return self.free_peak_dau if metric == "peak_dau" else self.free_peak_groups


@dataclass(frozen=True, slots=True)
class Overage:
    code: str
    metric: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    billing: str
    block_size: int
    block_price: Decimal
    editions: tuple[str, ...]
    model: str = "block"  # how usage above the free quota is charged: a name in charges.CHARGE_MODELS


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """An item taken off sale on a date: still in the book (for the record and ``diff``), never quoted."""

    on: dt.date
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Source:
    """A document a book's figures come from."""

    doc: str  # Tencent's document id, e.g. 269/11673
    url: str
    what: str


@dataclass(frozen=True, slots=True)
class Addon:
    code: str
    family: str
    name_zh: str
    name_en: str
    short_zh: str
    short_en: str
    billing: str
    prices: Mapping[str, Decimal]  # edition code -> monthly price; absent = cannot buy
    included_in: tuple[str, ...]  # editions that already have it
    included_minutes: int | None = None
    raises: Mapping[str, int | None] = field(default_factory=lambda: MappingProxyType({}))  # capability -> ceiling
    withdrawn: Withdrawal | None = None  # then ``prices`` is empty: no edition can buy it
    list_prices: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))  # as in the file
    formerly: tuple[str, ...] = ()  # the codes earlier books gave the same item (call_premium → call_group_380k)


@dataclass(frozen=True, slots=True)
class PriceBook:
    id: str
    name_zh: str
    name_en: str
    region: str
    region_zh: str
    region_en: str
    currency: str
    source_url: str
    sources: tuple[Source, ...]
    effective_from: dt.date | None  # None: in force since before anything we know of
    effective_to: dt.date | None  # None: still in force
    min_months: int
    max_months: int
    max_apps: int  # SDKAppIDs one account may hold, each with its own package
    tax: Tax
    notes: tuple[Note, ...]
    limits: tuple[Limit, ...]
    calls: CallRates | None
    editions: tuple[Edition, ...]
    overage: tuple[Overage, ...]
    addons: tuple[Addon, ...]
    _edition_names: Mapping[str, Edition] = field(repr=False, compare=False)
    _addon_codes: Mapping[str, Addon] = field(repr=False, compare=False)
    toml: str = field(default="", repr=False, compare=False)  # the text it was read from (for xlwings Lite)
    # a book that sells no add-ons says why, and every add-on asked for is refused with it
    addons_unavailable: str = ""

    def in_force(self, day: dt.date) -> bool:
        return ((self.effective_from is None or self.effective_from <= day)
                and (self.effective_to is None or day <= self.effective_to))

    @property
    def period(self) -> str:
        """'2023-03-07 – 2023-12-31', 'from 2024-01-01', 'until 2023-03-06' or 'no dates'."""
        start, end = self.effective_from, self.effective_to
        if start and end:
            return f"{start} – {end}"
        if start:
            return f"from {start}"
        return f"until {end}" if end else "no dates"

    def find_edition(self, name: str) -> Edition | None:
        """The edition called ``name`` (code or alias, any case, spaces trimmed), or None."""
        return self._edition_names.get(name.strip().casefold())

    def find_addon(self, code: str) -> Addon | None:
        return self._addon_codes.get(code.strip().casefold())

    def overage_for(self, edition: Edition) -> tuple[Overage, ...]:
        return tuple(o for o in self.overage if edition.code in o.editions)

    @property
    def edition_codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.editions)

    @property
    def addon_codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.addons)


# ---------------------------------------------------------------------------------- loading


def load_price_book(path: str | Path) -> PriceBook:
    path = Path(path)
    return parse_price_book(PriceBookError.read_text(path), source=str(path))


def parse_price_book(text: str, source: str = "<text>") -> PriceBook:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PriceBookError(source, [f"not valid TOML: {exc}"]) from None
    checker = _Checker()
    book = checker.price_book(data, text)
    if checker.problems:
        raise PriceBookError(source, checker.problems)
    assert book is not None
    return book


class _Checker:
    """Reads the TOML tree into value objects, noting every problem instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.limit_codes: tuple[str, ...] = ()

    def bad(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    # -- scalars ------------------------------------------------------------------
    def table(self, data: Any, path: str, allowed: set[str]) -> dict:
        if not isinstance(data, dict):
            self.bad(path, f"must be a table, got {type(data).__name__}")
            return {}
        for key in data:
            if key not in allowed:
                self.bad(f"{path}.{key}", f"unknown key (expected one of: {', '.join(sorted(allowed))})")
        return data

    def text(self, d: dict, key: str, path: str, required: bool = True) -> str:
        if key not in d:
            if required:
                self.bad(f"{path}.{key}", "missing")
            return ""
        value = d[key]
        if not isinstance(value, str) or not value.strip():
            self.bad(f"{path}.{key}", f"must be non-empty text, got {value!r}")
            return ""
        return value

    def code(self, d: dict, key: str, path: str) -> str:
        value = self.text(d, key, path)
        if value and (value != value.strip().lower() or " " in value):
            self.bad(f"{path}.{key}", f"codes are lower case without spaces, got {value!r}")
        return value

    def money(self, value: Any, path: str) -> Decimal:
        # Integers or decimal strings only: a TOML float (0.1) is binary and inexact.
        if isinstance(value, bool) or isinstance(value, float):
            kind = "a float" if isinstance(value, float) else "true/false"
            self.bad(path, f"must be a whole number or a quoted decimal such as \"0.007\", got {kind} ({value!r})")
            return Decimal(0)
        if isinstance(value, int):
            amount = Decimal(value)
        elif isinstance(value, str):
            try:
                amount = Decimal(value.strip())
            except InvalidOperation:
                self.bad(path, f"is not a number: {value!r}")
                return Decimal(0)
            if not amount.is_finite():
                self.bad(path, f"must be a finite amount, got {value!r}")
                return Decimal(0)
        else:
            self.bad(path, f"must be an amount, got {type(value).__name__}")
            return Decimal(0)
        if amount < 0:
            self.bad(path, f"must not be negative, got {value}")
        return amount

    def required_money(self, d: dict, key: str, path: str) -> Decimal:
        if key not in d:
            self.bad(f"{path}.{key}", "missing")
            return Decimal(0)
        return self.money(d[key], f"{path}.{key}")

    def count(self, d: dict, key: str, path: str, minimum: int = 0, required: bool = True) -> int:
        if key not in d:
            if required:
                self.bad(f"{path}.{key}", "missing")
            return minimum
        value = d[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(f"{path}.{key}", f"must be a whole number, got {value!r}")
            return minimum
        if value < minimum:
            self.bad(f"{path}.{key}", f"must be at least {minimum}, got {value}")
        return value

    def flag(self, d: dict, key: str, path: str) -> bool:
        value = d.get(key, False)
        if not isinstance(value, bool):
            self.bad(f"{path}.{key}", f"must be true or false, got {value!r}")
            return False
        return value

    def billing(self, d: dict, path: str) -> str:
        value = self.text(d, "billing", path)
        if value and value not in BILLING_MODES:
            self.bad(f"{path}.billing", f"must be one of {', '.join(BILLING_MODES)}, got {value!r}")
        return value

    def codes_list(self, d: dict, key: str, path: str, known: tuple[str, ...], what: str) -> tuple[str, ...]:
        value = d.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.bad(f"{path}.{key}", f"must be a list of {what} codes, got {value!r}")
            return ()
        for i, v in enumerate(value):
            if v not in known:
                self.bad(f"{path}.{key}[{i}]", f"no {what} {v!r} (known: {', '.join(known)})")
        return tuple(value)

    def unique(self, items: list[tuple[str, str]], what: str) -> None:
        seen: dict[str, str] = {}
        for path, value in items:
            if not value:
                continue
            key = value.casefold()
            if key in seen:
                self.bad(path, f"duplicate {what} {value!r} (first at {seen[key]})")
            else:
                seen[key] = path

    # -- sections -----------------------------------------------------------------
    def array(self, data: dict, key: str) -> list:
        value = data.get(key)
        if value is None:
            self.bad(key, "missing (at least one entry is needed)")
            return []
        if not isinstance(value, list) or not value:
            self.bad(key, "must be a non-empty array of tables ([[...]])")
            return []
        return value

    def price_book(self, data: dict, text: str = "") -> PriceBook | None:
        self.table(data, "<top>", {"meta", "notes", "limits", "editions", "overage", "addons", "calls"})
        meta = self.table(data.get("meta", {}), "meta", {
            "id", "name_zh", "name_en", "region", "region_zh", "region_en", "currency",
            "source_url", "sources", "effective_from", "effective_to", "min_months", "max_months",
            "addons_unavailable", "max_apps", "tax",
        })
        if "meta" not in data:
            self.bad("meta", "missing")
        book_id = self.code(meta, "id", "meta")
        currency = self.text(meta, "currency", "meta")
        if currency and (len(currency) != 3 or not currency.isupper()):
            self.bad("meta.currency", f"must be an ISO 4217 code such as CNY, got {currency!r}")
        effective = self.date(meta, "effective_from", "meta")
        effective_to = self.date(meta, "effective_to", "meta")
        if effective and effective_to and effective_to < effective:
            self.bad("meta.effective_to", f"must not be before effective_from ({effective}), got {effective_to}")
        region = self.code(meta, "region", "meta")
        if region and region not in REGIONS:
            self.bad("meta.region", f"must be one of {', '.join(REGIONS)}, got {region!r}")
        sources = [self.source(x, f"meta.sources[{i}]") for i, x in enumerate(self.list_of(meta, "sources", "meta"))]
        addons_unavailable = self.text(meta, "addons_unavailable", "meta", required=False)
        min_months = self.count(meta, "min_months", "meta", minimum=1)
        max_months = self.count(meta, "max_months", "meta", minimum=1)
        if min_months > max_months:
            self.bad("meta.max_months", f"must be at least min_months ({min_months}), got {max_months}")
        max_apps = self.count(meta, "max_apps", "meta", minimum=1)
        tax = self.tax(meta["tax"], "meta.tax") if "tax" in meta else self.bad("meta.tax", "missing")
        # read with every other check, so a problem here is never hidden behind one elsewhere
        meta_text = {key: self.text(meta, key, "meta") for key in ("name_zh", "name_en", "region_zh", "region_en",
                                                                  "source_url")}

        notes = [self.note(n, f"notes[{i}]") for i, n in enumerate(data.get("notes", []))]
        self.unique([(f"notes[{i}].code", n.code) for i, n in enumerate(notes)], "note code")

        limits = [self.limit(x, f"limits[{i}]") for i, x in enumerate(data.get("limits", []))]
        self.unique([(f"limits[{i}].code", x.code) for i, x in enumerate(limits)], "limit code")
        self.limit_codes = tuple(x.code for x in limits)
        editions = [self.edition(e, f"editions[{i}]") for i, e in enumerate(self.array(data, "editions"))]
        edition_codes = tuple(e.code for e in editions if e.code)
        names = []
        for i, e in enumerate(editions):
            names.append((f"editions[{i}].code", e.code))
            names += [(f"editions[{i}].aliases[{j}]", a) for j, a in enumerate(e.aliases)]
        self.unique(names, "edition name")

        overage = [self.overage(o, f"overage[{i}]", edition_codes)
                   for i, o in enumerate(self.array(data, "overage"))]
        for i, o in enumerate(overage):
            for code in o.editions:
                edition = next((e for e in editions if e.code == code), None)
                if edition is not None and edition.capped:
                    self.bad(f"overage[{i}].editions", f"{code} is capped (capped = true) and has no overage")
        for metric in METRICS:
            for i, e in enumerate(editions):
                n = sum(1 for o in overage if o.metric == metric and e.code in o.editions)
                if n > 1:
                    self.bad("overage", f"{e.code} has {n} overage charges for {metric}; one is allowed")
                elif n == 0 and e.code and not e.capped and metric not in e.unmetered:
                    self.bad(f"editions[{i}]", f"{e.code} is not capped and no [[overage]] charges its {metric} "
                                               f"above the free quota: list {e.code} in that overage's editions, "
                                               f"or say unmetered = [\"{metric}\"] if it really is free")
                elif n == 1 and metric in e.unmetered:
                    self.bad(f"editions[{i}].unmetered", f"{e.code} has an overage charge for {metric}")

        if addons_unavailable and "addons" in data:
            self.bad("meta.addons_unavailable", "a book that lists [[addons]] sells them: drop one of the two")
        raw_addons = [] if addons_unavailable else self.array(data, "addons")
        addons = [self.addon(a, f"addons[{i}]", edition_codes) for i, a in enumerate(raw_addons)]
        calls = self.calls(data["calls"], "calls", {a.family for a in addons}) if "calls" in data else None
        # One namespace for every priced code: IMPRICE(code) must never be ambiguous.
        self.unique(
            [(f"editions[{i}].code", e.code) for i, e in enumerate(editions)]
            + [(f"overage[{i}].code", o.code) for i, o in enumerate(overage)]
            + [(f"addons[{i}].code", a.code) for i, a in enumerate(addons)],
            "code",
        )
        # An alias equal to an add-on or overage code would make IMPRICE("moderation") price an edition.
        item_codes = {c.casefold(): path for path, c in
                      [(f"overage[{i}].code", o.code) for i, o in enumerate(overage)]
                      + [(f"addons[{i}].code", a.code) for i, a in enumerate(addons)] if c}
        for i, e in enumerate(editions):
            for j, alias in enumerate(e.aliases):
                if alias.strip().casefold() in item_codes:
                    self.bad(f"editions[{i}].aliases[{j}]",
                             f"{alias!r} is also the code at {item_codes[alias.strip().casefold()]}; choose another alias")
        if self.problems:
            return None
        return PriceBook(
            id=book_id,
            name_zh=meta_text["name_zh"],
            name_en=meta_text["name_en"],
            region=region,
            region_zh=meta_text["region_zh"],
            region_en=meta_text["region_en"],
            currency=currency,
            source_url=meta_text["source_url"],
            sources=tuple(sources),
            effective_from=effective,
            effective_to=effective_to,
            min_months=min_months,
            max_months=max_months,
            max_apps=max_apps,
            tax=tax,
            notes=tuple(notes),
            limits=tuple(limits),
            calls=calls,
            editions=tuple(editions),
            overage=tuple(overage),
            addons=tuple(addons),
            _edition_names=MappingProxyType(
                {n.casefold(): e for e in editions for n in (e.code, *e.aliases)}
            ),
            _addon_codes=MappingProxyType({a.code: a for a in addons}),
            toml=text,
            addons_unavailable=addons_unavailable,
        )

    def tax(self, data: Any, path: str) -> Tax | None:
        d = self.table(data, path, {"included", "rate", "name_zh", "name_en", "source"})
        if "included" not in d:
            self.bad(f"{path}.included", "missing: say whether the list prices include the tax")
        included = self.flag(d, "included", path)
        rate = None
        if included:
            if "rate" not in d:
                self.bad(f"{path}.rate", "missing: prices that include tax need its rate, e.g. \"0.06\"")
            else:
                rate = self.money(d["rate"], f"{path}.rate")
                if not rate < 1:
                    self.bad(f"{path}.rate", f"is a fraction below 1 (\"0.06\" for 6%), got {d['rate']}")
        elif "rate" in d:
            self.bad(f"{path}.rate", "tax added on top depends on the customer's country: give no rate")
        return Tax(included, rate, self.text(d, "name_zh", path), self.text(d, "name_en", path),
                   self.text(d, "source", path))

    def date(self, d: dict, key: str, path: str) -> dt.date | None:
        value = d.get(key)
        if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            self.bad(f"{path}.{key}", f"must be a date such as 2024-01-01 (no quotes), got {value!r}")
            return None
        return value

    def list_of(self, d: dict, key: str, path: str) -> list:
        value = d.get(key, [])
        if not isinstance(value, list):
            self.bad(f"{path}.{key}", f"must be a list, got {value!r}")
            return []
        return value

    def source(self, data: Any, path: str) -> Source:
        d = self.table(data, path, {"doc", "url", "what"})
        url = self.text(d, "url", path)
        if url and not url.startswith("https://"):
            self.bad(f"{path}.url", f"must be an https:// address, got {url!r}")
        return Source(self.text(d, "doc", path), url, self.text(d, "what", path))

    def withdrawal(self, data: Any, path: str) -> Withdrawal | None:
        d = self.table(data, path, {"on", "zh", "en"})
        if "on" not in d:
            self.bad(f"{path}.on", "missing: the date it was withdrawn from sale")
        on = self.date(d, "on", path)
        zh, en = self.text(d, "zh", path), self.text(d, "en", path)
        return Withdrawal(on, zh, en) if on else None

    def limit(self, data: Any, path: str) -> Limit:
        d = self.table(data, path, {"code", "name_zh", "name_en"})
        return Limit(self.code(d, "code", path), self.text(d, "name_zh", path), self.text(d, "name_en", path))

    def ceilings(self, d: dict, key: str, path: str) -> Mapping[str, int | None]:
        """{capability: whole number or "unlimited"}, capabilities from [[limits]]."""
        value = d.get(key, {})
        if not isinstance(value, dict):
            self.bad(f"{path}.{key}", f"must be a table such as {{ members_per_group = 200 }}, got {value!r}")
            return MappingProxyType({})
        out: dict[str, int | None] = {}
        for name, ceiling in value.items():
            if name not in self.limit_codes:
                self.bad(f"{path}.{key}.{name}", f"no limit {name!r} (known: {', '.join(self.limit_codes)})")
            if ceiling == "unlimited":
                out[name] = UNLIMITED
            elif isinstance(ceiling, bool) or not isinstance(ceiling, int) or ceiling < 0:
                self.bad(f"{path}.{key}.{name}", f'must be a whole number or "unlimited", got {ceiling!r}')
            else:
                out[name] = ceiling
        return MappingProxyType(out)

    def calls(self, data: Any, path: str, families: set[str]) -> CallRates:
        d = self.table(data, path, {"code", "name_zh", "name_en", "billing", "family", "per_1000_equivalent",
                                    "weights"})
        family = self.code(d, "family", path)
        if family and family not in families:
            self.bad(f"{path}.family", f"no add-on family {family!r} (known: {', '.join(sorted(families))})")
        weights = d.get("weights", {})
        if not isinstance(weights, dict) or not weights:
            self.bad(f"{path}.weights", f"must be a table such as {{ audio = 1, sd = 2 }}, got {weights!r}")
            weights = {}
        for kind, weight in weights.items():
            if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
                self.bad(f"{path}.weights.{kind}", f"must be a whole number, 1 or more, got {weight!r}")
        return CallRates(self.code(d, "code", path), self.text(d, "name_zh", path), self.text(d, "name_en", path),
                         self.billing(d, path), family, self.required_money(d, "per_1000_equivalent", path),
                         MappingProxyType(dict(weights)))

    def note(self, data: Any, path: str) -> Note:
        d = self.table(data, path, {"code", "zh", "en"})
        return Note(self.code(d, "code", path), self.text(d, "zh", path), self.text(d, "en", path))

    def edition(self, data: Any, path: str) -> Edition:
        d = self.table(data, path, {
            "code", "aliases", "name_zh", "name_en", "monthly_price", "billing",
            "free_peak_dau", "free_peak_groups", "capped", "limits", "unmetered",
        })
        unmetered = d.get("unmetered", [])
        if not isinstance(unmetered, list) or any(m not in METRICS for m in unmetered):
            self.bad(f"{path}.unmetered", f"must be a list of metrics ({', '.join(METRICS)}), got {unmetered!r}")
            unmetered = []
        aliases = d.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            self.bad(f"{path}.aliases", f"must be a list of names, got {aliases!r}")
            aliases = []
        return Edition(
            code=self.code(d, "code", path),
            aliases=tuple(aliases),
            name_zh=self.text(d, "name_zh", path),
            name_en=self.text(d, "name_en", path),
            monthly_price=self.required_money(d, "monthly_price", path),
            billing=self.billing(d, path),
            free_peak_dau=self.count(d, "free_peak_dau", path),
            free_peak_groups=self.count(d, "free_peak_groups", path),
            capped=self.flag(d, "capped", path),
            limits=self.ceilings(d, "limits", path),
            unmetered=tuple(unmetered),
        )

    def overage(self, data: Any, path: str, edition_codes: tuple[str, ...]) -> Overage:
        d = self.table(data, path, {
            "code", "metric", "name_zh", "name_en", "unit_zh", "unit_en", "billing",
            "block_size", "block_price", "editions", "model",
        })
        metric = self.text(d, "metric", path)
        if metric and metric not in METRICS:
            self.bad(f"{path}.metric", f"must be one of {', '.join(METRICS)}, got {metric!r}")
        model = self.text(d, "model", path)
        if model and model not in USAGE_MODELS:
            self.bad(f"{path}.model", f"must be one of {', '.join(USAGE_MODELS)} (how usage above the free quota "
                                      f"is charged), got {model!r}")
        return Overage(
            code=self.code(d, "code", path),
            metric=metric,
            name_zh=self.text(d, "name_zh", path),
            name_en=self.text(d, "name_en", path),
            unit_zh=self.text(d, "unit_zh", path),
            unit_en=self.text(d, "unit_en", path),
            billing=self.billing(d, path),
            block_size=self.count(d, "block_size", path, minimum=1),
            block_price=self.required_money(d, "block_price", path),
            editions=self.codes_list(d, "editions", path, edition_codes, "edition"),
            model=model or "block",
        )

    def addon(self, data: Any, path: str, edition_codes: tuple[str, ...]) -> Addon:
        d = self.table(data, path, {
            "code", "family", "name_zh", "name_en", "short_zh", "short_en", "billing",
            "prices", "included_in", "included_minutes", "raises", "withdrawn", "formerly",
        })
        formerly = d.get("formerly", [])
        if not isinstance(formerly, list) or not all(isinstance(c, str) and c.strip() for c in formerly):
            self.bad(f"{path}.formerly", f"a list of the codes earlier books gave this add-on, got {formerly!r}")
            formerly = []
        withdrawn = self.withdrawal(d["withdrawn"], f"{path}.withdrawn") if "withdrawn" in d else None
        prices: dict[str, Decimal] = {}
        raw_prices = d.get("prices")
        if raw_prices is None:
            self.bad(f"{path}.prices", "missing (a table such as { pro = 500 })")
        elif not isinstance(raw_prices, dict):
            self.bad(f"{path}.prices", f"must be a table of edition = price, got {raw_prices!r}")
        else:
            for edition, price in raw_prices.items():
                if edition not in edition_codes:
                    self.bad(f"{path}.prices.{edition}", f"no edition {edition!r} (known: {', '.join(edition_codes)})")
                prices[edition] = self.money(price, f"{path}.prices.{edition}")
        included = self.codes_list(d, "included_in", path, edition_codes, "edition")
        for edition in included:
            if edition in prices:
                self.bad(f"{path}.included_in", f"{edition} both includes it and has a price for it")
        if raw_prices is not None and not prices and not included:
            self.bad(f"{path}.prices", "offered on no edition")
        minutes = self.count(d, "included_minutes", path, minimum=1, required=False) if "included_minutes" in d else None
        return Addon(
            code=self.code(d, "code", path),
            family=self.code(d, "family", path),
            name_zh=self.text(d, "name_zh", path),
            name_en=self.text(d, "name_en", path),
            short_zh=self.text(d, "short_zh", path),
            short_en=self.text(d, "short_en", path),
            billing=self.billing(d, path),
            prices=MappingProxyType({} if withdrawn else prices),
            included_in=included,
            included_minutes=minutes,
            raises=self.ceilings(d, "raises", path),
            withdrawn=withdrawn,
            list_prices=MappingProxyType(prices),
            formerly=tuple(c.strip().casefold() for c in formerly),
        )
