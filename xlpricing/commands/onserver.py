"""The register's commands against a team server (``--server URL``, or $XLPRICING_SERVER) instead
of a database: ``quote``, ``quotes list``, ``show``, ``status`` and ``approve`` through its API,
as the user whose token $XLPRICING_TOKEN holds (never an argument: it would be in the shell's
history and in the process list)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote as url_quote
from urllib.parse import urlencode

from .. import formatting
from ..remote import SERVER_ENV, TOKEN_ENV, ServerError, call, download
from .base import LIST_COLUMNS, UsageError, write_list_csv


def server_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", metavar="URL", default=os.environ.get(SERVER_ENV) or None,
                        help=f"work on a team server (xlpricing serve) instead of a register; its API token in "
                             f"${TOKEN_ENV} (default ${SERVER_ENV})")


def api(args: argparse.Namespace, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise UsageError(f"--server needs an API token in ${TOKEN_ENV} (make one on the server's account page, or "
                         "xlpricing users token LOGIN on the server)")
    if not args.server.startswith(("http://", "https://")):
        raise UsageError(f"--server is an address such as https://quotes.example.com, got {args.server!r}")
    try:
        return asyncio.run(call(method, path, body, headers, server=args.server, token=token))
    except ServerError as exc:
        raise UsageError(f"{args.server}: {exc}") from None


def _ref(number: str) -> str:
    return url_quote(number.strip(), safe="")


def cmd_list(args: argparse.Namespace) -> int:
    query = {k: v for k, v in (("status", args.status), ("customer", args.customer), ("rep", args.rep),
                               ("expiring", args.expiring)) if v is not None and v != ""}
    rows = api(args, "GET", "/quotes" + (f"?{urlencode(query)}" if query else ""))["quotes"]
    if args.format == "csv":  # the register's columns; a workbook's path is its address on the server
        values = ({**r, "version": str(r["version"]), "discount": r["discount_percent"], "path": r["documents"]["xlsx"]}
                  for r in rows)
        write_list_csv(["" if v[c] is None else str(v[c]) for c in LIST_COLUMNS] for v in values)
        return 0
    if not rows:
        print("no quotes match")
        return 0
    from ..batch import printable
    table = [[r["label"], r["status"], printable(r["customer"])[:40], printable(r["rep"])[:20], r["valid_until"],
              formatting.money(Decimal(r["total"]), r["currency"])] for r in rows]
    print(formatting.table(["quote", "status", "customer", "rep", "valid until", "total"], table, right={5}))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from ..batch import printable
    q = api(args, "GET", f"/quotes/{_ref(args.number)}")
    for r in q["versions"]:
        print(f"{r['label']}  {r['status']}  {printable(r['customer'])}  rep {printable(r['rep'])}")
        print(f"  dated {r['quote_date']}, valid until {r['valid_until']}, priced with {r['price_book']}")
        tax = "" if r["net"] is None else (f" (net {formatting.amount(Decimal(r['net']))}, tax "
                                           f"{formatting.amount(Decimal(r['tax']))})")
        print(f"  total {formatting.money(Decimal(r['total']), r['currency'])}{tax}")
        for a in r["approvals"]:
            by = a.get("by_name") or a["by"]  # approved since quotes kept the approver's login: her name too
            print(f"  approval by {a['role']} ({a['why']}): " + (f"{by} at {a['at']}" if a["by"] else "waiting"))
        print(f"  workbook {r['documents']['xlsx']}")
        if "pdf" in r["documents"]:
            print(f"  PDF {r['documents']['pdf']}")
        for copy in q.get("stamped_copies", []):  # 盖章回传
            if copy["version"] == r["version"]:
                print(f"  stamped copy {copy['url']}  sha256 {copy['sha256']}  (uploaded by "
                      f"{printable(copy['uploaded_by'])} at {copy['uploaded_at']})")
    print("history:")
    for e in q["events"]:
        change = (f" {e['from']} → {e['to']}" if e["from"] else f" → {e['to']}") if e["to"] else ""
        print(f"  {e['at']}  v{e['version']}  {e['action']}{change}  by {printable(e['who'])}"
              + (f"  ({printable(e['detail'])})" if e["detail"] else ""))
    print(f"page: {q['page']}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    r = api(args, "POST", f"/quotes/{_ref(args.number)}/status", {"status": args.new_status})
    print(f"{r['label']} is {r['status']}")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    r = api(args, "POST", f"/quotes/{_ref(args.number)}/approve", {"role": args.role})
    waiting = ", ".join(a["role"] for a in r["approvals"] if a["by"] is None)
    print(f"{r['label']}: approved" + (f"; still waiting for {waiting}" if waiting else
                                       "; its documents were written again without the pending banner"))
    return 0


NOT_ON_SERVER = (("--pdf", "pdf"), ("--seller", "seller"), ("--quote-number", "quote_number"), ("--date", "date"),
                 ("--forecast-growth", "forecast_growth"), ("--recommend", "recommend"),
                 ("--price-book", "price_book"), ("--as-of", "as_of"), ("--region", "region"))


def cmd_quote(args: argparse.Namespace, options: list | None, deal_text: str | None) -> int:
    """Price and record on the server (its book in force, its seller profile); -o downloads the workbook."""
    given = [flag for flag, name in NOT_ON_SERVER if getattr(args, name, None) not in (None, False)]
    if given:
        raise UsageError(f"{', '.join(given)}: not with --server (the server prices with its book in force, dates "
                         "and numbers the quote, and prints the PDF when the quote is shared)")
    body = {"customer": args.customer, "contact": args.contact or "", "notes": args.notes or "",
            "customer_address": args.customer_address or "", "customer_contact": args.customer_contact or "",
            "valid_days": args.valid_days, "lang": args.lang, "months": args.months, "discount": args.discount}
    if args.rep:
        body["rep"] = args.rep
    if deal_text is not None:
        body["deal"] = deal_text
    else:
        body.update(options=[{"edition": e, "addons": list(a)} for e, a in options], peak_dau=args.dau,
                    peak_groups=args.groups)
    output = Path(args.output) if args.output else None
    if output is not None and output.exists() and not args.force:
        raise UsageError(f"{output} exists: use --force to replace it")
    r = api(args, "POST", "/quotes", body)
    print(f"recorded {r['label']} ({r['status']}, valid until {r['valid_until']}, total "
          f"{formatting.money(Decimal(r['total']), r['currency'])}) on {args.server}")
    print(f"page: {r['page']}")
    if output is not None:
        try:
            output.write_bytes(download(r["documents"]["xlsx"], os.environ[TOKEN_ENV].strip()))
        except ServerError as exc:
            print(f"xlpricing: error: the quote is recorded, but its workbook could not be downloaded: {exc}",
                  file=sys.stderr)
            return 1
        print(f"wrote {output}")
    return 0
