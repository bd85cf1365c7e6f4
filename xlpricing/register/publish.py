"""A request to quote (what to price, how to present it) → priced, written and recorded in one
step. The same function serves ``quote``, ``batch``, ``quotes revise`` and ``quotes approve``:
the register keeps the request, so any version can be priced or written again."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..pricebook import PriceBook
from .core import Draft, Record, Register
from .errors import RegisterError


@dataclass(frozen=True)
class QuoteRequest:
    """What is priced: up to three options of one app, or a deal file's text (several apps, phases)."""

    options: tuple[tuple[str, tuple[str, ...]], ...] = ()
    dau: str = "0"
    groups: str = "0"
    months: str = "1"
    discount: str | None = None
    deal: str = ""  # a deal file (TOML), when the quote is a deal
    forecast_growth: str | None = None
    forecast_months: str = "12"

    def price(self, book: PriceBook):
        """A list of Quote (the options) or a DealQuote; QuoteError when the request is wrong."""
        from .. import inputs
        if self.deal:
            from ..dealinput import deal_from_toml
            from ..deals import quote_deal
            return quote_deal(book, deal_from_toml(self.deal, "the recorded deal"))
        return inputs.price_options(book, [(e, list(a)) for e, a in self.options], self.dau, self.groups,
                                    self.months, self.discount)

    def to_json(self) -> dict:
        return {k: (list(map(list, v)) if k == "options" else v) for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict) -> "QuoteRequest":
        return cls(**{**data, "options": tuple((e, tuple(a)) for e, a in data.get("options", ()))})

    def replace(self, **changes: Any) -> "QuoteRequest":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


READ = object()  # ProposalInfo.proposal: read the seller profile from its path


@dataclass(frozen=True)
class ProposalInfo:
    """What the proposal says besides prices, as the register keeps it."""

    customer: str
    contact: str = ""
    notes: str = ""
    lang: str = "both"
    recommend: int | None = None
    seller: str = ""  # the seller profile's path, read again when a version is written
    quote_date: str = ""  # ISO date
    valid_days: int = 30
    customer_address: str = ""
    customer_contact: str = ""

    def proposal(self, label: str, banner: str = "", seller: Any = READ):
        """The proposal's texts; ``seller``: the profile already loaded (READ: read it from its path,
        as a revision or an approval does)."""
        from ..seller import choose_seller
        from ..sheets.proposal import Proposal
        day = dt.date.fromisoformat(self.quote_date)
        return Proposal(customer=self.customer, contact=self.contact, quote_number=label, quote_date=day,
                        valid_until=day + dt.timedelta(days=self.valid_days), notes=self.notes,
                        seller=choose_seller(self.seller or None) if seller is READ else seller, lang=self.lang,
                        recommend=self.recommend, banner=banner, customer_address=self.customer_address,
                        customer_contact=self.customer_contact)

    @property
    def valid_until(self) -> dt.date:
        return dt.date.fromisoformat(self.quote_date) + dt.timedelta(days=self.valid_days)


def pending_banner(approvals: list) -> str:
    roles = ", ".join(a["role"] for a in approvals if a["by"] is None)
    return f"待审批 · PENDING APPROVAL ({roles}): not an offer until approved — do not send"


def totals(priced, book: PriceBook) -> tuple[Decimal, Decimal | None, Decimal | None, Decimal, list]:
    """(total, net, tax, discount percent, options) of a priced request: the first option's
    figures for a proposal of options (the summary's convention), with every option listed."""
    from ..engine import tax_split
    if isinstance(priced, list):
        first = priced[0]
        split = tax_split(book, first.total)
        options = [{"edition": q.edition, "addons": list(q.addons), "total": str(q.total)} for q in priced]
        return first.total, _net(split), _tax(split), first.discount_percent, options
    options = [{"app": a.name, "editions": list(dict.fromkeys(p.quote.edition for p in a.phases)),
                "total": str(a.total)} for a in priced.apps]
    return priced.total, _net(priced.tax), _tax(priced.tax), Decimal(priced.discount_percent), options


def _net(split) -> Decimal | None:
    return None if split is None else split.net


def _tax(split) -> Decimal | None:
    return None if split is None else split.tax


def write_priced(path: Path, book: PriceBook, request: QuoteRequest, priced, proposal, force: bool,
                 saved=None, writer=None) -> Path:
    """The proposal workbook for a priced request (a deal, or 1 to 3 options with a forecast)."""
    if not isinstance(priced, list):
        from ..sheets.dealproposal import write_deal_workbook
        return write_deal_workbook(path, book, priced, proposal, force=force, saved=saved)
    projection = None
    if request.forecast_growth is not None:
        from .. import inputs
        from ..advisor import forecast, growth
        q = priced[0]
        rate = inputs.percent(request.forecast_growth, "--forecast-growth", signed=True) / 100
        usage = growth(q.peak_dau, q.peak_groups, rate, inputs.whole_number(request.forecast_months,
                                                                            "--forecast-months", 12))
        projection = forecast(book, q.edition, q.addons, usage)
    if writer is not None:  # a batch reuses one workbook for every row
        return writer.write(path, priced, proposal, force=force, forecast=projection, saved=saved)
    from ..sheets.proposal import write_quote_workbook
    return write_quote_workbook(path, book, priced, proposal, force=force, forecast=projection, saved=saved)


def default_name(customer: str, label: str) -> str:
    from ..files import safe_file_stem
    return f"{safe_file_stem(customer)}-{safe_file_stem(label, limit=60)}.xlsx"


def publish(register: Register, book: PriceBook, request: QuoteRequest, info: ProposalInfo, *,
            rep: str, who: str, output: Path | None = None, folder: Path = Path("."), force: bool = False,
            number: str | None = None, version: int = 1, request_key: str | None = None, priced=None,
            writer=None, beside: tuple[str, ...] = (), seller: Any = READ) -> tuple[Record, Any]:
    """Price ``request`` (unless given ``priced``), write its proposal and record it, together.
    ``output`` None: <customer>-<number>.xlsx in ``folder``. ``beside``: suffixes of files to be
    written next to it afterwards (".pdf"), checked with it before anything is written. ``seller``:
    the profile already loaded (a batch loads it once, not per row). Returns
    the record and the priced quote."""
    from ..errors import Problem, QuoteError
    from ..files import check_target
    if priced is None:
        priced = request.price(book)
    too_long = info.proposal(number or "", seller=None).problems()
    if too_long:  # refused before a number is spent, never cut on the page
        raise QuoteError([Problem("proposal", p) for p in too_long])
    if output is not None:
        for target in (output, *(output.with_suffix(x) for x in beside)):
            check_target(target, force)  # refused before a number is spent
        owner = register.owner_of(output) if output.exists() else None
        if owner is not None:  # --force must not swap another quote's workbook under its record
            raise RegisterError(f"{output.name} is the workbook of quote {owner.label} in the register: write this "
                                f"one under another name (a changed quote is a new version: xlpricing quotes "
                                f"revise {owner.number})")
    total, net, tax, discount, options = totals(priced, book)
    approvals = register.settings.approvals_for(discount, total)
    draft = Draft(customer=info.customer, rep=rep, quote_date=dt.date.fromisoformat(info.quote_date),
                  valid_until=info.valid_until, price_book=book.id, currency=book.currency, total=total, net=net,
                  tax=tax, discount=discount, options=options, request=request.to_json(),
                  proposal=dataclasses.asdict(info), approvals=approvals, number=number, version=version,
                  request_key=request_key, book_toml=book.toml)
    with register.publishing(draft, who) as slot:
        slot.path = output if output is not None else folder / default_name(info.customer, slot.label)
        for suffix in beside:
            check_target(slot.path.with_suffix(suffix), force)
        banner = pending_banner(approvals) if approvals else ""
        write_priced(slot.path, book, request, priced, info.proposal(slot.label, banner, seller), force, slot.saved,
                     writer)
    return register.get(slot.number, slot.version), priced


def rewrite_approved(record: Record, book: PriceBook) -> str:
    """Write an approved quote's proposal again, without the banner, with the book it was priced
    with (Register.book_of); its new SHA-256."""
    from .core import sha256_of
    request = QuoteRequest.from_json(record.request)
    info = ProposalInfo(**record.proposal)
    digest: dict[str, str] = {}
    write_priced(Path(record.path), book, request, request.price(book), info.proposal(record.label), force=True,
                 saved=lambda tmp: digest.update(sha=sha256_of(tmp)))
    return digest["sha"]


def revise(register: Register, number: str, book: PriceBook, changes: dict, info_changes: dict, *, rep: str,
           who: str, output: Path | None = None, force: bool = False) -> Record:
    """Version n+1 of ``number`` with the changes; the version before is superseded (an accepted
    one stays accepted: it was signed)."""
    latest = register.get(number)
    request = QuoteRequest.from_json(latest.request).replace(**changes)
    info = dataclasses.replace(ProposalInfo(**latest.proposal), quote_date=dt.date.today().isoformat(),
                               **{k: v for k, v in info_changes.items() if v is not None})
    record, _ = publish(register, book, request, info, rep=rep or latest.rep, who=who, output=output,
                        folder=Path(latest.path).parent, force=force, number=latest.number,
                        version=latest.version + 1)
    return record


@dataclass(frozen=True)
class Repriced:
    record: Record
    book: PriceBook
    new_total: Decimal | None
    lines: list[tuple[str, Decimal, Decimal]]  # (line, old, new) of the lines that change
    problem: str = ""
    crossing: list[str] = dataclasses.field(default_factory=list)  # books taking effect while it is valid

    @property
    def difference(self) -> Decimal | None:
        return None if self.new_total is None else self.new_total - self.record.total


def line_amounts(priced) -> dict[str, Decimal]:
    """Each line's term amount by a name that stays the same across books: option 1's lines, or
    each app's phase lines."""
    if isinstance(priced, list):
        return {l.code: l.amount for l in priced[0].lines}
    from ..presenter import months_label
    return {f"{a.name} m{months_label(p)} {l.code}": l.amount for a in priced.apps for p in a.phases
            for l in p.quote.lines}


def reprice(register: Register, book_for_record, today: dt.date | None = None) -> list[Repriced]:
    """Every open quote priced again with ``book_for_record(record)`` (the book in force on a date,
    or one named); nothing is written."""
    from ..errors import QuoteError
    from ..pricebook import shipped_books
    today = today or dt.date.today()
    out = []
    for r in register.quotes(today=today):
        if r.status_on(today) not in ("draft", "pending approval", "sent"):
            continue
        book = book_for_record(r)
        crossing = [f"{b.id} from {b.effective_from}" for b in shipped_books()
                    if b.effective_from is not None and r.quote_date < b.effective_from <= r.valid_until]
        request = QuoteRequest.from_json(r.request)
        try:
            old = line_amounts(request.price(register.book_of(r)))
        except (QuoteError, RegisterError):
            old = {}
        try:
            priced = request.price(book)
        except QuoteError as exc:
            out.append(Repriced(r, book, None, [], f"cannot be priced with {book.id}: {exc}", crossing))
            continue
        new_total = totals(priced, book)[0]
        new = line_amounts(priced)
        changed = [(k, old.get(k, Decimal(0)), new.get(k, Decimal(0))) for k in dict.fromkeys([*old, *new])
                   if old.get(k, Decimal(0)) != new.get(k, Decimal(0))]
        out.append(Repriced(r, book, new_total, changed, "", crossing))
    return out
