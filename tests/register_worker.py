"""A rep's process for the register tests: publish N proposals into a register, printing each
number as it is recorded. Run as a script (python register_worker.py TARGET FOLDER N TAG)."""

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xlpricing.pricebook import get_price_book  # noqa: E402
from xlpricing.register import Register  # noqa: E402
from xlpricing.quoting import QuoteRequest, publish  # noqa: E402
from xlpricing.sheets.proposal import Proposal  # noqa: E402


def main(target: str, folder: str, count: int, tag: str) -> None:
    book = get_price_book("tencent-im-cn-seed")
    request = QuoteRequest(options=(("pro", ()),), dau="35000", months="12")
    with Register.open(target) as reg:
        for i in range(count):
            info = Proposal(customer=f"{tag} customer {i}", quote_date=dt.date(2026, 12, 1),
                            valid_until=dt.date(2026, 12, 31))
            record, _ = publish(reg, book, request, info, rep=tag, output=Path(folder) / f"{tag}-{i}.xlsx")
            print(record.number, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
