"""The quoting service: a request to quote priced, its documents (workbook, and PDF when asked)
written, and the quote recorded, in one step. The command line, a batch, approvals, revisions
and repricing all call it; the register (``xlpricing.register``) only stores what it is given.

The register keeps each quote's request and proposal texts, so any version can be priced or
written again: an approval writes the documents again without the pending banner, a revision
writes the next version with its changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .pricebook import PriceBook
from .register.core import Draft, Record, Register, sha256_of
from .register.errors import RegisterError


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

    def price(self, book: PriceBook) -> "PricedQuote":
        """The request priced; QuoteError when it is wrong."""
        from . import inputs
        if self.deal:
            from .dealinput import deal_from_toml
            from .deals import quote_deal
            return PricedQuote.of(quote_deal(book, deal_from_toml(self.deal, "the recorded deal")), book)
        return PricedQuote.of(inputs.price_options(book, [(e, list(a)) for e, a in self.options], self.dau,
                                                   self.groups, self.months, self.discount), book)

    def to_json(self) -> dict:
        return {k: (list(map(list, v)) if k == "options" else v) for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict) -> "QuoteRequest":
        return cls(**{**data, "options": tuple((e, tuple(a)) for e, a in data.get("options", ()))})

    def usage_revisable(self) -> bool:
        """Whether a revision's peak DAU and groups say what they change: not in a deal of several
        apps or phases (which app, which months?), there a new deal file does."""
        if not self.deal:
            return True
        from .dealinput import deal_from_toml
        d = deal_from_toml(self.deal, "the recorded deal")
        return len(d.apps) == 1 and len(d.apps[0].phases) == 1

    def revised(self, options=None, dau=None, groups=None, months=None, discount=None, deal=None) -> "QuoteRequest":
        """This request with a revision's changes (None: unchanged). A deal's term and discount
        change in its deal file; its usage only where it has one app of one phase (else a new
        deal file says which app and month)."""
        from .errors import QuoteError
        if deal is not None:  # a new deal file replaces the apps (a one-app quote may become a deal)
            if options is not None:
                raise QuoteError.of("deal", "give a new deal file (--deal) or new options, not both")
            return dataclasses.replace(self, deal=deal, options=())
        if not self.deal:
            return dataclasses.replace(self, **{k: v for k, v in (("options", options), ("dau", dau),
                                                                   ("groups", groups), ("months", months),
                                                                   ("discount", discount)) if v is not None})
        from . import inputs
        from .dealinput import deal_from_toml, deal_to_toml
        if options is not None:
            raise QuoteError.of("option", "this quote is a deal: its editions and add-ons change in a new deal "
                                          "file (--deal FILE); see it with xlpricing quotes show")
        d = deal_from_toml(self.deal, "the recorded deal")
        if dau is not None or groups is not None:
            if not self.usage_revisable():
                raise QuoteError.of("dau", f"this deal has {len(d.apps)} app(s) and "
                                           f"{sum(len(a.phases) for a in d.apps)} phase(s): --dau/--groups would not "
                                           "say which; give a new deal file (--deal FILE)")
            app = d.apps[0]
            phase = dataclasses.replace(
                app.phases[0],
                **({"peak_dau": inputs.whole_number(dau, "--dau")} if dau is not None else {}),
                **({"peak_groups": inputs.whole_number(groups, "--groups")} if groups is not None else {}))
            d = dataclasses.replace(d, apps=(dataclasses.replace(app, phases=(phase,)),))
        if months is not None:
            d = dataclasses.replace(d, months=inputs.whole_number(months, "--months"))
        if discount is not None:
            d = dataclasses.replace(d, discount_percent=inputs.percent(discount, "--discount"))
        return dataclasses.replace(self, deal=deal_to_toml(d))


@dataclass(frozen=True)
class PricedQuote:
    """A priced request, options and deals alike: 1 to 3 options of one app (each a Quote), or a
    deal of apps and phases (a DealQuote). Its total, tax split and currency are the quote's."""

    options: tuple = ()  # engine.Quote, each an option side by side
    deal: Any = None  # deals.DealQuote
    tax: Any = None  # engine.TaxSplit of the total; None where tax is added on top

    @classmethod
    def of(cls, priced, book: PriceBook) -> "PricedQuote":
        """From what the engine returns: a list of Quote, or a DealQuote."""
        if isinstance(priced, PricedQuote):
            return priced
        if isinstance(priced, (list, tuple)):
            from .engine import tax_split
            return cls(options=tuple(priced), tax=tax_split(book, priced[0].total))
        return cls(deal=priced, tax=priced.tax)

    @property
    def is_deal(self) -> bool:
        return self.deal is not None

    @property
    def total(self) -> Decimal:
        """The quote's total: a deal's, or the first option's (the summary's convention)."""
        return self.deal.total if self.is_deal else self.options[0].total

    @property
    def net(self) -> Decimal | None:
        return None if self.tax is None else self.tax.net

    @property
    def tax_amount(self) -> Decimal | None:
        return None if self.tax is None else self.tax.tax

    @property
    def currency(self) -> str:
        return self.deal.currency if self.is_deal else self.options[0].currency

    @property
    def months(self) -> int:
        return self.deal.months if self.is_deal else self.options[0].months

    @property
    def discount_percent(self) -> Decimal:
        return Decimal(self.deal.discount_percent) if self.is_deal else self.options[0].discount_percent

    @property
    def monthly(self) -> Decimal:
        """A month's run rate: the last month of a deal, an option's month."""
        return self.deal.month_totals[-1] if self.is_deal else self.options[0].monthly_total

    @property
    def editions(self) -> str:
        """What is sold, in a few words: the first option's edition, or a deal's apps and editions."""
        if not self.is_deal:
            return self.options[0].edition
        names = ", ".join(dict.fromkeys(p.quote.edition for a in self.deal.apps for p in a.phases))
        return f"{len(self.deal.apps)} app(s): {names}"

    def summary(self) -> list[dict]:
        """Each option (or app) and its total, as the register lists them."""
        if self.is_deal:
            return [{"app": a.name, "editions": list(dict.fromkeys(p.quote.edition for p in a.phases)),
                     "total": str(a.total)} for a in self.deal.apps]
        return [{"edition": q.edition, "addons": list(q.addons), "total": str(q.total)} for q in self.options]

    def line_amounts(self) -> dict[str, Decimal]:
        """Each line's term amount by a name that stays the same across books: option 1's lines, or
        each app's phase lines."""
        if not self.is_deal:
            return {l.code: l.amount for l in self.options[0].lines}
        from .presenter import months_label
        return {f"{a.name} m{months_label(p)} {l.code}": l.amount for a in self.deal.apps for p in a.phases
                for l in p.quote.lines}


def pending_banner(approvals: list) -> str:
    roles = ", ".join(a["role"] for a in approvals if a["by"] is None)
    return f"待审批 · PENDING APPROVAL ({roles}): not an offer until approved — do not send"


def write_priced(path: Path, book: PriceBook, request: QuoteRequest, priced: PricedQuote, proposal, force: bool,
                 saved=None, writer=None) -> Path:
    """The proposal workbook for a priced request (a deal, or 1 to 3 options with a forecast)."""
    if priced.is_deal:
        from .sheets.dealproposal import write_deal_workbook
        return write_deal_workbook(path, book, priced.deal, proposal, force=force, saved=saved)
    projection = None
    if request.forecast_growth is not None:
        from . import inputs
        from .advisor import forecast, growth
        q = priced.options[0]
        rate = inputs.percent(request.forecast_growth, "--forecast-growth", signed=True) / 100
        usage = growth(q.peak_dau, q.peak_groups, rate, inputs.whole_number(request.forecast_months,
                                                                            "--forecast-months", 12))
        projection = forecast(book, q.edition, q.addons, usage)
    if writer is not None:  # a batch reuses one workbook for every row
        return writer.write(path, list(priced.options), proposal, force=force, forecast=projection, saved=saved)
    from .sheets.proposal import write_quote_workbook
    return write_quote_workbook(path, book, list(priced.options), proposal, force=force, forecast=projection,
                                saved=saved)


def check_request(request: QuoteRequest, proposal, names: tuple[str, str] = ("date", "valid_days")) -> None:
    """The one validation of a request to quote, whichever door it came through (the command line,
    a batch's row, the web form, the API, a revision; ``publish`` calls it before a number is
    spent): the proposal's date and validity (``names``: what the door calls them), its texts
    (length, lines and characters: formatting.text_problems) and the request's own texts. The
    term, the discount and the apps' names are the engine's, checked by pricing the request; a
    book a client names is pricebook.client_book's. QuoteError with every problem found."""
    from .errors import Problem, QuoteError
    from .formatting import character_problem
    from .sheets.proposal import check_quote_dates
    problems = []
    dates = check_quote_dates(proposal.quote_date, (proposal.expiry() - proposal.quote_date).days, names)
    if dates:
        problems.append(Problem(names[0] if dates.startswith(names[0]) else names[1], dates))
    problems += [Problem(p.split(":")[0].replace(" ", "_"), p) for p in proposal.problems()]
    texts = [("edition", e) for e, _ in request.options] + [("addons", a) for _, codes in request.options
                                                             for a in codes]
    texts += [("peak_dau", request.dau), ("peak_groups", request.groups), ("months", request.months),
              ("discount", request.discount), ("deal", request.deal), ("forecast_growth", request.forecast_growth),
              ("forecast_months", request.forecast_months)]
    for field, text in texts:
        bad = character_problem(field, text) if isinstance(text, str) else None
        if bad:
            problems.append(Problem(field, bad))
    if problems:
        raise QuoteError(problems)


def default_name(customer: str, label: str) -> str:
    from .files import safe_file_stem
    return f"{safe_file_stem(customer)}-{safe_file_stem(label, limit=60)}.xlsx"


def publish(register: Register, book: PriceBook, request: QuoteRequest, proposal, *,
            rep: str, output: Path | None = None, folder: Path = Path("."), force: bool = False,
            number: str | None = None, version: int = 1, request_key: str | None = None, priced=None,
            writer=None, pdf: bool = False, request_sha256: str | None = None) -> tuple[Record, PricedQuote]:
    """Price ``request`` (unless given ``priced``), write its documents and record it, together,
    as the register's acting user. ``proposal``: a sheets.proposal.Proposal, its seller profile
    loaded (a batch loads it once, not per row); the register gives its number. ``output`` None:
    <customer>-<number>.xlsx in ``folder``. ``pdf``: its PDF too, published with the workbook (both
    or neither). ``request_key``: a retried call finds its record (KeyInUse: another record holds
    it), ``request_sha256`` what was asked under it. Returns the record and the priced quote."""
    from .files import check_target
    actor = register.actor()  # an unknown user is refused before anything is priced or written
    priced = request.price(book) if priced is None else PricedQuote.of(priced, book)
    # refused before a number is spent, never cut on the page (a revision is checked here too)
    check_request(request, dataclasses.replace(proposal, quote_number=number or ""))
    beside = (".pdf",) if pdf else ()
    if output is not None:
        for target in (output, *(output.with_suffix(x) for x in beside)):
            check_target(target, force)  # refused before a number is spent
        owner = register.owner_of(output) if output.exists() else None
        if owner is not None:  # --force must not swap another quote's workbook under its record
            raise RegisterError(f"{output.name} is the workbook of quote {owner.label} in the register: write this "
                                f"one under another name (a changed quote is a new version: xlpricing quotes "
                                f"revise {owner.number})")
    approvals = register.settings.approvals_for(priced.discount_percent, priced.total)
    rep_name, rep_login = register.rep_named(rep)
    draft = Draft(customer=proposal.customer, rep=rep_name, rep_login=rep_login, quote_date=proposal.quote_date,
                  valid_until=proposal.expiry(), price_book=book.id, currency=book.currency, total=priced.total,
                  net=priced.net, tax=priced.tax_amount, discount=priced.discount_percent, options=priced.summary(),
                  request=request.to_json(), proposal=proposal.to_record(), approvals=approvals, number=number,
                  version=version, request_key=request_key, book_toml=book.toml, pdf=pdf,
                  request_sha256=request_sha256)
    with register.publishing(draft, actor.id) as slot:
        slot.aim(output if output is not None else folder / default_name(proposal.customer, slot.label))
        for suffix in beside:
            check_target(slot.path.with_suffix(suffix), force)
        banner = pending_banner(approvals) if approvals else ""
        _write_documents(slot.path, pdf, force, slot.saved, slot.saved_pdf,
                         lambda saved: write_priced(slot.path, book, request, priced,
                                                    dataclasses.replace(proposal, quote_number=slot.label,
                                                                        banner=banner), force, saved, writer))
    return register.get(slot.number, slot.version), priced


def _write_documents(path: Path, pdf: bool, force: bool, saved, saved_pdf, write) -> None:
    """``write(saved)`` writes the workbook (``saved(tmp)`` is told when it is complete, before it
    takes its name); with ``pdf`` its PDF is printed from that temp file, recorded through
    ``saved_pdf(tmp)``, and takes its name right after the workbook."""
    staged: list[Path] = []

    def both(tmp: Path) -> None:
        saved(tmp)
        if pdf:
            from .sheets.pdf import stage_pdf
            staged.append(stage_pdf(tmp, path.with_suffix(".pdf")))
            saved_pdf(staged[0])

    try:
        write(both)
        if staged:
            from .files import publish_temp
            publish_temp(staged[0], path.with_suffix(".pdf"), force)
    finally:
        for tmp in staged:
            tmp.unlink(missing_ok=True)


def rewrite_documents(record: Record, book: PriceBook, banner: str = "") -> tuple[str, str | None]:
    """Write a quote's documents again (an approval: without the banner) with the book it was
    priced with (Register.book_of): the workbook, and its PDF when it has one (recorded, or
    lying beside it); their new SHA-256s."""
    from .sheets.proposal import Proposal
    request = QuoteRequest.from_json(record.request)
    proposal = Proposal.from_record(record.proposal, record.label, banner)
    digest: dict[str, str] = {}
    path = Path(record.path)
    pdf = record.pdf_sha256 is not None or record.pdf_path.exists()
    _write_documents(path, pdf, True, lambda tmp: digest.update(sha=sha256_of(tmp)),
                     lambda tmp: digest.update(pdf=sha256_of(tmp)),
                     lambda saved: write_priced(path, book, request, request.price(book), proposal, force=True,
                                                saved=saved))
    return digest["sha"], digest.get("pdf")


def approve(register: Register, number: str, role: str | None = None) -> Record:
    """The acting user's approval; the last one needed writes the documents again without the
    pending banner, in the same step."""
    return register.approve(number, register.actor(), role, rewrite=rewrite_documents)



def revise(register: Register, number: str, book: PriceBook, changes: dict, info_changes: dict, *, rep: str = "",
           output: Path | None = None, force: bool = False, pdf: bool | None = None,
           today: dt.date | None = None, names: tuple[str, str] = ("date", "valid_days")) -> Record:
    """Version n+1 of ``number`` with the changes (``changes``: QuoteRequest.revised's; ``info_changes``:
    the proposal's texts), dated today; the version before is superseded (an accepted one stays
    accepted: it was signed). ``pdf`` None: a PDF when the version before had one. A revision
    that changes nothing is refused. ``names``: what the door calls the date and the validity."""
    from .errors import QuoteError
    from .sheets.proposal import Proposal, check_quote_dates
    today = today or dt.date.today()
    days = info_changes.get("valid_days")
    if days is not None:  # before a date is computed from it: 10^12 days is no date at all
        problem = check_quote_dates(today, days, names)
        if problem:
            raise QuoteError.of(names[1], problem)
    latest = register.get(number)
    old_request = QuoteRequest.from_json(latest.request)
    request = old_request.revised(**changes)
    texts = {**latest.proposal, **{k: v for k, v in info_changes.items() if v is not None}}
    rep = rep or latest.rep_login or latest.rep  # unchanged: the same user (shown by their name as it is now)
    if pdf is None:
        pdf = latest.pdf_sha256 is not None
    same_rep = register.rep_named(rep) == (latest.rep, latest.rep_login)
    if (request == old_request and texts == latest.proposal and same_rep
            and book.id == latest.price_book and bool(pdf) == (latest.pdf_sha256 is not None)):
        raise RegisterError(f"nothing to change in {latest.label}: give what the new version changes (--dau, "
                            "--months, --discount, --deal, --option, --customer, …, or another --price-book)")
    texts["quote_date"] = today.isoformat()  # dated today, valid as long as asked
    proposal = Proposal.from_record(texts)
    check_request(request, proposal, names)  # the changed texts, said as this door names them
    record, _ = publish(register, book, request, proposal, rep=rep, output=output,
                        folder=Path(latest.path).parent, force=force, number=latest.number,
                        version=latest.version + 1, pdf=pdf)
    return record


def attach_pdf(register: Register, record: Record) -> None:
    """A PDF printed beside a recorded workbook afterwards (a batch's chunks): recorded with it."""
    register.record_pdf(record.number, record.version, sha256_of(record.pdf_path), register.actor().id)


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


def reprice(register: Register, book_for_record, today: dt.date | None = None) -> list[Repriced]:
    """Every open quote priced again with ``book_for_record(record)`` (the book in force on a date,
    or one named); nothing is written. The books taking effect while a quote is valid are those of
    the register's catalog."""
    from .errors import QuoteError
    today = today or dt.date.today()
    out = []
    for r in register.quotes(today=today):
        if r.status_on(today) not in ("draft", "pending approval", "sent"):
            continue
        book = book_for_record(r)
        crossing = [f"{b.id} from {b.effective_from}" for b in register.catalog.books()
                    if b.effective_from is not None and r.quote_date < b.effective_from <= r.valid_until]
        request = QuoteRequest.from_json(r.request)
        try:
            old = request.price(register.book_of(r)).line_amounts()
        except (QuoteError, RegisterError):
            old = {}
        try:
            priced = request.price(book)
        except QuoteError as exc:
            out.append(Repriced(r, book, None, [], f"cannot be priced with {book.id}: {exc}", crossing))
            continue
        new = priced.line_amounts()
        changed = [(k, old.get(k, Decimal(0)), new.get(k, Decimal(0))) for k in dict.fromkeys([*old, *new])
                   if old.get(k, Decimal(0)) != new.get(k, Decimal(0))]
        out.append(Repriced(r, book, priced.total, changed, "", crossing))
    return out



# ------------------------------------------------------------------------------ as data (JSON)

def _jsonable(value: Any) -> Any:
    from .formatting import plain
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def quote_data(q) -> dict:
    """An engine.Quote as JSON-ready data: amounts as exact decimal texts, never floats."""
    fields = ("code", "label_zh", "label_en", "billing", "quantity", "unit_price", "monthly_amount", "months",
              "amount", "note_en", "note_zh")
    data = {k: _jsonable(getattr(q, k)) for k in q.__slots__ if k != "lines"}
    data["lines"] = [{k: _jsonable(getattr(line, k)) for k in fields} for line in q.lines]
    for total in ("monthly_prepaid", "monthly_postpaid", "monthly_total", "prepaid", "postpaid", "total"):
        data[total] = str(getattr(q, total))
    return data


def deal_data(q) -> dict:
    """A deals.DealQuote as JSON-ready data."""
    from .formatting import plain
    return {"price_book_id": q.price_book_id, "currency": q.currency, "months": q.months,
            "discount_percent": plain(Decimal(q.discount_percent)), "total": str(q.total),
            "tax": None if q.tax is None else {k: str(getattr(q.tax, k)) for k in ("gross", "net", "tax", "rate")},
            "month_totals": [str(t) for t in q.month_totals],
            "apps": [{"name": a.name, "total": str(a.total), "phases": [
                {"first_month": p.first_month, "last_month": p.last_month, "quote": quote_data(p.quote)}
                for p in a.phases]} for a in q.apps]}


def priced_data(priced: PricedQuote) -> dict:
    """A priced request as the API answers it: the total, its tax split, and the options or the deal."""
    out = {"kind": "deal" if priced.is_deal else "options", "currency": priced.currency,
           "total": str(priced.total), "net": None if priced.net is None else str(priced.net),
           "tax": None if priced.tax_amount is None else str(priced.tax_amount), "months": priced.months,
           "discount_percent": _jsonable(priced.discount_percent)}
    if priced.is_deal:
        out["deal"] = deal_data(priced.deal)
    else:
        out["options"] = [quote_data(q) for q in priced.options]
    return out
