"""The seller's profile: who sends the proposal. A small TOML file, checked whole like a price book.

    [seller]
    name_zh = "示例云服务有限公司"
    name_en = "Example Cloud Services Ltd."
    address = "北京市海淀区…"
    contact = "王伟"
    phone = "+86 10 1234 5678"
    email = "sales@example.com"
    # optional: tax_id, bank, account, logo (PNG or JPEG, relative to this file), payment_terms, price_note

Chosen by ``--seller FILE``, else the file named by XLPRICING_SELLER, else none (no seller block).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import SellerError
from .formatting import text_problems

SELLER_ENV = "XLPRICING_SELLER"
REQUIRED = ("name_zh", "name_en", "address", "contact", "phone", "email")
OPTIONAL = ("tax_id", "bank", "account", "logo", "payment_terms", "price_note")
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
    payment_terms: str = ""  # printed first among the proposal's terms
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
    problems += [f"seller.{p}" for p in text_problems({k: v for k, v in values.items() if k != "logo"})]
    if "logo" in values:
        logo = (path.parent / str(values["logo"])).resolve()
        problem = logo_problem(logo)
        if problem:
            problems.append(f"seller.logo: {values['logo']!r} {problem} (looked at {logo})")
        values["logo"] = logo
    if problems:
        raise SellerError(str(path), problems)
    return Seller(**values)  # type: ignore[arg-type]


LOGO_MAX_BYTES = 2 * 1024 * 1024  # a logo is embedded whole in every proposal
LOGO_MAX_SIDE = 4000  # pixels: more is never needed at 48 points high, and bounds the decoding


def logo_problem(path: Path) -> str:
    """'' for a logo that can go on a proposal, else what is wrong with it. Never opens anything
    but a regular file (a FIFO would block), checks size and dimensions before decoding, and
    decodes the whole image once (a corrupt or truncated file is found here, not as a black box)."""
    import stat
    try:
        info = path.stat()
    except OSError:
        return "is not a PNG or JPEG file (no such file)"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_size > LOGO_MAX_BYTES:
        return f"is {info.st_size / 1024 / 1024:,.1f} MB: a logo may be at most {LOGO_MAX_BYTES // 1024 // 1024} MB"
    if _image_kind(path) is None:
        return "is not a PNG or JPEG file (unknown format)"
    try:
        from PIL import Image
    except ImportError:
        return "cannot be checked: a seller logo needs Pillow (pip install pillow)"
    try:
        with Image.open(path) as image:
            width, height = image.size
            if max(width, height) > LOGO_MAX_SIDE:
                return f"is {width:,} × {height:,} pixels: a logo may be at most {LOGO_MAX_SIDE:,} on a side"
            image.load()  # the whole image: a truncated or corrupt file fails here
    except Image.DecompressionBombError:
        return f"is too large an image: a logo may be at most {LOGO_MAX_SIDE:,} pixels on a side"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"cannot be read as an image (corrupt or truncated: {exc})"
    return ""


def _image_kind(path: Path) -> str | None:
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError:
        return None
    return next((kind for magic, kind in IMAGE_MAGIC.items() if head.startswith(magic)), None)


def chosen_seller_path(path: str | None = None) -> str:
    """The profile --seller FILE or $XLPRICING_SELLER names, as an absolute path ('' for none)."""
    path = path or os.environ.get(SELLER_ENV, "").strip()
    return str(Path(path).resolve()) if path else ""


def choose_seller(path: str | None = None) -> Seller | None:
    """--seller FILE, else $XLPRICING_SELLER, else no seller block."""
    path = path or os.environ.get(SELLER_ENV, "").strip()
    return load_seller(path) if path else None
