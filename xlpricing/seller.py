"""The seller's profile: who sends the proposal. A small TOML file, checked whole like a price book.

    [seller]
    name_zh = "示例云服务有限公司"
    name_en = "Example Cloud Services Ltd."
    address = "北京市海淀区…"
    contact = "王伟"
    phone = "+86 10 1234 5678"
    email = "sales@example.com"
    # optional: tax_id, bank, account, logo (PNG or JPEG, relative to this file), price_note

Chosen by ``--seller FILE``, else the file named by XLPRICING_SELLER, else none (no seller block).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import SellerError

SELLER_ENV = "XLPRICING_SELLER"
REQUIRED = ("name_zh", "name_en", "address", "contact", "phone", "email")
OPTIONAL = ("tax_id", "bank", "account", "logo", "price_note")
IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


@dataclass(frozen=True)
class Seller:
    name_zh: str
    name_en: str
    address: str
    contact: str
    phone: str
    email: str
    tax_id: str = ""
    bank: str = ""
    account: str = ""
    logo: Path | None = None
    price_note: str = ""


def load_seller(path: str | Path) -> Seller:
    path = Path(path)
    try:
        data = tomllib.loads(SellerError.read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise SellerError(str(path), [f"not valid TOML: {exc}"]) from None
    problems = []
    for key in data:
        if key != "seller":
            problems.append(f"{key}: unknown table (expected [seller])")
    seller = data.get("seller")
    if not isinstance(seller, dict):
        raise SellerError(str(path), problems + ["seller: missing (a [seller] table)"])
    values: dict[str, object] = {}
    for key, value in seller.items():
        if key not in REQUIRED + OPTIONAL:
            problems.append(f"seller.{key}: unknown key (expected one of: {', '.join(REQUIRED + OPTIONAL)})")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"seller.{key}: must be non-empty text, got {value!r}")
        else:
            values[key] = value.strip()
    for key in REQUIRED:
        if key not in seller:
            problems.append(f"seller.{key}: missing")
    if "logo" in values:
        logo = (path.parent / str(values["logo"])).resolve()
        kind = _image_kind(logo)
        if kind is None:
            problems.append(f"seller.logo: {values['logo']!r} is not a PNG or JPEG file "
                            f"({'no such file' if not logo.is_file() else 'unknown format'}, looked at {logo})")
        values["logo"] = logo
    if problems:
        raise SellerError(str(path), problems)
    return Seller(**values)  # type: ignore[arg-type]


def _image_kind(path: Path) -> str | None:
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError:
        return None
    return next((kind for magic, kind in IMAGE_MAGIC.items() if head.startswith(magic)), None)


def choose_seller(path: str | None = None) -> Seller | None:
    """--seller FILE, else $XLPRICING_SELLER, else no seller block."""
    path = path or os.environ.get(SELLER_ENV, "").strip()
    return load_seller(path) if path else None
