"""#19.7: the proposal's pages. Page numbers on every page, a table broken across pages starts the
next page with its header again, every free text is printed whole or refused with its limit (never
cut short), the customer's address and contact, the seller's payment terms.

The pages are checked in the PDF that LibreOffice prints (an engine nobody here wrote): the page
count is the one the proposal planned (so LibreOffice added no break of its own), and a text cut
short by its row would be missing from the page's text (LibreOffice prints no line below a row).
"""
import csv
import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Alignment
from openpyxl.worksheet.pagebreak import Break

from test_proposals import SELLER_TOML, needs_cjk_font, needs_libreoffice
from xlpricing.batch import run_batch
from xlpricing.cli import main
from xlpricing.deals import Deal, quote_deal
from xlpricing.errors import QuoteError, SellerError
from xlpricing.formatting import TEXT_LIMITS
from xlpricing.seller import load_seller
from xlpricing.sheets import layout as L
from xlpricing.sheets import style
from xlpricing.sheets.libreoffice import convert
from xlpricing import get_price_book

# a deal long enough for several pages: 3 apps, 7 phases, 24 months (app 1 upgrades in month 7)
LONG_DEAL = """months = 24
discount = 5
[[apps]]
name = "主应用 Production"
edition = "pro"
addons = ["history_90", "moderation"]
peak_dau = 8000
peak_groups = 190000
  [[apps.phases]]
  from_month = 4
  peak_dau = 25000
  [[apps.phases]]
  from_month = 7
  edition = "flagship"
  peak_dau = 61000
  [[apps.phases]]
  from_month = 13
  peak_dau = 91000
[[apps]]
name = "第二产品 Second product"
from_month = 3
edition = "pro"
addons = ["history_90", "moderation"]
peak_dau = 12000
peak_groups = 150000
  [[apps.phases]]
  from_month = 9
  peak_dau = 42000
[[apps]]
name = "第三产品 Third"
edition = "pro"
addons = ["history_90"]
peak_dau = 22000
peak_groups = 120000
  [[apps.phases]]
  from_month = 5
  peak_dau = 32000
"""


def planned(xlsx: Path) -> tuple[int, list[bool]]:
    """(pages, for each page after the first: does it start with a table's header again?)"""
    ws = openpyxl.load_workbook(xlsx)[L.PROPOSAL_SHEET]
    breaks = sorted(b.id for b in ws.row_breaks.brk)
    continued = [any("(continued)" in str(ws.cell(b + 1, col).value or "") for col in (1, 2)) for b in breaks]
    return len(breaks) + 1, continued


def page_texts(pdf: Path) -> list[str]:
    import pypdf
    return [page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages]


def top_lines(pdf: Path) -> list[str]:
    """The text of each page's topmost line (above the footer)."""
    import pypdf
    tops = []
    for page in pypdf.PdfReader(str(pdf)).pages:
        runs = []
        page.extract_text(visitor_text=lambda t, cm, tm, fd, fs: runs.append((tm[5] * cm[3] + cm[5], t))
                          if t.strip() else None)
        top = max(y for y, _ in runs)
        tops.append(" ".join(t for y, t in runs if y > top - 3))
    return tops


def squeezed(text: str) -> str:
    return "".join(text.split())


def seller_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "seller.toml"
    path.write_text(SELLER_TOML + extra, encoding="utf-8")
    return path


# ---------------------------------------------------------------- rows hold their text


@needs_libreoffice
@needs_cjk_font
def test_a_rows_height_holds_every_line_libreoffice_prints(tmp_path):
    """The height the proposal gives a row of wrapped text is at least what LibreOffice prints:
    each text alone in a row of 400 points, one to a page, its lines measured in the PDF."""
    texts = ["示例科技有限公司" * k for k in (1, 6, 25, 60)] + [
        "上海市浦东新区世纪大道 100 号 环球金融中心 50 楼 5001 室 " * 4,
        "Payment: 50% on signing, 50% within 30 days of acceptance, by bank transfer. " * 6,
        "SHENZHEN EXAMPLE HOLDINGS GROUP CO LTD " * 5,
        "张三 · +86 138 0000 0000 · zhang.san@example.com\n李四 · +86 139 0000 0000",
        "第一段\n第二段 second paragraph\n" * 4,
        "9111 0000 0000 0000 0X " * 8,
    ]
    widths = (17, 24, 30, 48, 89, 119)
    wb = openpyxl.Workbook()
    style.portable_widths(wb)
    wb.remove(wb.active)
    for width in widths:
        ws = wb.create_sheet(f"w{width}")
        ws.column_dimensions["A"].width = width
        for i, text in enumerate(texts, 1):
            cell = ws.cell(i, 1, text)
            cell.font, cell.alignment = style.BODY, Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[i].height = 400
            ws.row_breaks.append(Break(id=i))
    wb.save(tmp_path / "rows.xlsx")
    pdf = convert([tmp_path / "rows.xlsx"], "pdf", tmp_path)[0]
    import pypdf
    pages = pypdf.PdfReader(str(pdf)).pages
    assert len(pages) == len(widths) * len(texts)
    for k, page in enumerate(pages):
        width, text = widths[k // len(texts)], texts[k % len(texts)]
        baselines = []
        page.extract_text(visitor_text=lambda t, cm, tm, fd, fs: baselines.append(tm[5] * cm[3] + cm[5])
                          if t.strip() else None)
        # the first line's top to the last line's bottom: 10-point text, lines 11.7 points apart
        printed = max(baselines) - min(baselines) + 13
        assert style.text_height([(text, width)]) >= printed, (width, text[:30], printed)


# ---------------------------------------------------------------- page breaks and headers


@needs_libreoffice
@needs_cjk_font
def test_a_long_deal_breaks_between_rows_each_table_header_again_and_every_page_numbered(tmp_path, capsys):
    deal = tmp_path / "deal.toml"
    deal.write_text(LONG_DEAL, encoding="utf-8")
    out = tmp_path / "long.xlsx"
    assert main(["quote", "--deal", str(deal), "--customer", "示例科技有限公司", "--seller",
                 str(seller_file(tmp_path)), "--quote-number", "LONG-1", "-o", str(out), "--pdf"]) == 0
    pages, continued = planned(out)
    texts = page_texts(out.with_suffix(".pdf"))
    assert len(texts) == pages >= 4  # LibreOffice breaks where the proposal did, nowhere else
    assert sum(continued) >= 2  # the app tables run across pages
    tops = top_lines(out.with_suffix(".pdf"))
    for n, text in enumerate(texts, 1):
        assert f"Page {n} of {pages}" in text and f"第 {n} 页，共 {pages} 页" in text and "LONG-1" in text
        if n > 1 and continued[n - 2]:  # its first row is the table's title and header again
            assert "(continued)" in tops[n - 1] and "（续）" in tops[n - 1], tops[n - 1]
            assert ("项目 Item" in text and "金额 Amount" in text) or ("月份 Month" in text and "合计 Total" in text)
        else:
            assert "(continued)" not in text
    # the signatures are one block: both parties and both lines on the same page
    signing = [t for t in texts if "Party A (customer)" in t]
    assert len(signing) == 1 and "Party B (seller)" in signing[0] and signing[0].count("Date:") >= 2
    # and the money is all there: 3 apps, the grand total (the engine's, checked by hand in test_deals)
    whole = "\n".join(texts)
    total = quote_deal(get_price_book(), _deal_of(deal)).total
    assert f"{total:,.2f}" in whole


def _deal_of(path: Path) -> Deal:
    from xlpricing.dealinput import deal_from_toml
    return deal_from_toml(path.read_text(encoding="utf-8"), str(path))


# ---------------------------------------------------------------- long texts: whole, or refused


def at_limit(name: str, seed: str, end: str) -> str:
    """A text of exactly its limit (characters and lines): ``seed`` repeated, ending with ``end``."""
    chars, lines = TEXT_LIMITS[name]
    text = list((seed * (chars // len(seed) + 1))[:chars - len(end)] + end)
    for k in range(1, lines):  # a line break in place of a character: still ``chars`` long
        text[k * (chars // lines)] = "\n"
    return "".join(text)


@needs_libreoffice
@needs_cjk_font
def test_texts_at_their_limits_print_whole_and_one_more_character_is_refused(tmp_path, capsys):
    texts = {
        "customer": at_limit("customer", "深圳市示例网络科技股份有限公司 ", "终客户"),
        "customer address": at_limit("customer address", "上海市浦东新区世纪大道 100 号 ", "终地址"),
        "customer contact": at_limit("customer contact", "张三 +86 138 0000 0000 ", "终联系"),
        "notes": at_limit("notes", "本报价含首年技术支持服务，Includes first-year support. ", "终备注"),
    }
    for name, text in texts.items():
        assert len(text) == TEXT_LIMITS[name][0] and text.count("\n") + 1 <= TEXT_LIMITS[name][1], name
    terms = at_limit("payment_terms", "合同签订后 30 日内支付 50%，Pay 50% within 30 days. ", "终付款")
    seller_name = at_limit("name_zh", "深圳市示例云计算服务有限责任公司", "终卖方")  # a 16-point title
    profile = seller_file(tmp_path, f"payment_terms = '''{terms}'''\n")
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        'name_zh = "示例云服务有限公司"', f"name_zh = '''{seller_name}'''"), encoding="utf-8")
    out = tmp_path / "limits.xlsx"
    args = ["quote", "--edition", "pro", "--addon", "history_90", "--dau", "35000", "--seller", str(profile),
            "--quote-number", "LIMITS-1", "--pdf"]
    assert main([*args, "--customer", texts["customer"], "--customer-address", texts["customer address"],
                 "--customer-contact", texts["customer contact"], "--notes", texts["notes"], "-o", str(out)]) == 0
    pages, _ = planned(out)
    pdf = page_texts(out.with_suffix(".pdf"))
    assert len(pdf) == pages
    whole = squeezed("".join(pdf))
    for what, marker in (("customer", "终客户"), ("address", "终地址"), ("contact", "终联系"), ("notes", "终备注"),
                         ("payment terms", "终付款"), ("seller's name", "终卖方")):
        assert marker in whole, f"the end of the {what} is not on the page"
    assert whole.count("终客户") == 2 and whole.count("终卖方") == 2  # the heading and the signature block
    # one character more, or one line more: refused, saying the limit, and nothing written
    capsys.readouterr()
    for option, name, text in (("--customer", "customer", texts["customer"] + "x"),
                               ("--notes", "notes", "\n".join(["一行"] * 21))):
        base = {"--customer": "示例科技有限公司"}
        base[option] = text
        target = tmp_path / f"refused-{name}.xlsx"
        assert main([*args, *[x for k, v in base.items() for x in (k, v)], "-o", str(target)]) != 0
        err = capsys.readouterr().err
        limit = TEXT_LIMITS[name]
        assert (f"{name}: {limit[0] + 1:,} characters, a proposal takes at most {limit[0]:,}" in err
                or f"{name}: 21 lines, a proposal takes at most {limit[1]} lines" in err), err
        assert not target.exists() and not target.with_suffix(".pdf").exists()


@needs_libreoffice
@needs_cjk_font
def test_the_readmes_page_counts_with_the_sample_seller(tmp_path, capsys):
    """The README's promise, with the sample profile (bank details, payment terms, price note) and
    the book in force: four items (package, an add-on, two overages) fit one page; three options
    side by side take two."""
    sample = Path(__file__).parent.parent / "workbooks" / "seller-sample.toml"
    base = ["quote", "--dau", "35000", "--groups", "202000", "--months", "12", "--customer", "示例科技有限公司",
            "--seller", str(sample), "--price-book", "tencent-im-cn-2024", "--date", "2026-12-02", "--pdf"]
    assert main([*base, "--edition", "pro", "--addon", "history_90", "-o", str(tmp_path / "four.xlsx")]) == 0
    texts = page_texts(tmp_path / "four.pdf")
    assert len(texts) == 1 and "Page 1 of 1" in texts[0] and "Payment terms" in texts[0]
    assert main([*base, "--option", "pro:history_90", "--option", "flagship", "--option",
                 "pro:history_90,moderation", "-o", str(tmp_path / "three.xlsx")]) == 0
    texts = page_texts(tmp_path / "three.pdf")
    assert len(texts) == 2 and "Page 2 of 2" in texts[1]


def test_a_batch_row_with_too_long_a_text_fails_alone_naming_its_column(tmp_path):
    rows = [["customer", "edition", "notes", "customer_address"],
            ["甲公司", "pro", "ok", "北京"],
            ["乙公司", "pro", "很" * 1_001, "北京"],
            ["丙公司", "pro", "ok", "北" * 201]]
    path = tmp_path / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    outcomes = run_batch(path, tmp_path / "out").outcomes
    assert [o.ok for o in outcomes] == [True, False, False]
    assert "notes: 1,001 characters, a proposal takes at most 1,000" in outcomes[1].reason
    assert "customer address: 201 characters, a proposal takes at most 200" in outcomes[2].reason
    assert len(list((tmp_path / "out").glob("*.xlsx"))) == 2  # the good row and the summary


def test_seller_profile_texts_over_their_limits_are_profile_problems_with_the_others(tmp_path):
    profile = seller_file(tmp_path, "payment_terms = '''" + "付" * 1_001 + "'''\n").read_text(encoding="utf-8")
    profile = profile.replace('name_zh = "示例云服务有限公司"', 'name_zh = "' + "名" * 101 + '"')
    profile = profile.replace('email = "sales@example.com"\n', "")
    (tmp_path / "bad.toml").write_text(profile, encoding="utf-8")
    with pytest.raises(SellerError) as caught:
        load_seller(tmp_path / "bad.toml")
    said = str(caught.value)
    for problem in ("seller.email: missing", "seller.name_zh: 101 characters, a proposal takes at most 100",
                    "seller.payment_terms: 1,001 characters, a proposal takes at most 1,000"):
        assert problem in said, said


def test_an_app_name_over_its_limit_is_refused_by_the_deal():
    from xlpricing.deals import App, Phase
    long_name = "应用" * 50 + "x"  # 101 characters
    deal = Deal((App(long_name, (Phase(1, "pro", (), 1_000, 0),)),), months=1)
    quote_deal(get_price_book(), Deal((App(long_name[:100], (Phase(1, "pro", (), 1_000, 0),)),)))  # 100: fine
    with pytest.raises(QuoteError, match="app name: 101 characters, a proposal takes at most 100"):
        quote_deal(get_price_book(), deal)


# ---------------------------------------------------------------- what the page says


def proposal_texts(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)[L.PROPOSAL_SHEET]
    return [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_customer_address_and_contact_on_the_page_and_kept_by_a_revision(tmp_path, capsys):
    out = tmp_path / "addr.xlsx"
    assert main(["quote", "--edition", "pro", "--customer", "示例科技有限公司", "--customer-address",
                 "=上海市浦东新区世纪大道 100 号", "--customer-contact", "张三 · 138 0000 0000",
                 "--contact", "李娜", "-o", str(out)]) == 0
    said = proposal_texts(out)
    assert "=上海市浦东新区世纪大道 100 号" in said and "张三 · 138 0000 0000" in said  # literal text, not a formula
    assert "客户地址 Address" in said and "客户联系人 Customer contact" in said
    number = re.search(r"recorded (Q-\d{4}-\d{6})", capsys.readouterr().out).group(1)
    assert main(["quotes", "revise", number, "--notes", "第二版"]) == 0
    revised = re.search(r"wrote (.+\.xlsx)", capsys.readouterr().out).group(1)
    said = proposal_texts(Path(revised))
    assert "=上海市浦东新区世纪大道 100 号" in said and "张三 · 138 0000 0000" in said and "第二版" in said
    # a revision may change them (and the customer's name, e.g. to fit the page's limit)
    assert main(["quotes", "revise", number, "--customer-contact", "李四", "--customer", "示例科技"]) == 0
    said = proposal_texts(Path(re.search(r"wrote (.+\.xlsx)", capsys.readouterr().out).group(1)))
    assert "李四" in said and "张三 · 138 0000 0000" not in said and "示例科技" in said
    assert "=上海市浦东新区世纪大道 100 号" in said and "第二版" in said
    # without them, no empty rows for them
    assert main(["quote", "--edition", "pro", "--customer", "乙公司", "-o", str(tmp_path / "plain.xlsx")]) == 0
    assert "客户地址 Address" not in proposal_texts(tmp_path / "plain.xlsx")


def test_payment_terms_come_first_among_the_terms(tmp_path, capsys):
    profile = seller_file(tmp_path, 'payment_terms = "合同签订后 30 日内付清。Payable within 30 days."\n')
    out = tmp_path / "terms.xlsx"
    assert main(["quote", "--edition", "pro", "--customer", "甲公司", "--seller", str(profile),
                 "-o", str(out)]) == 0
    said = proposal_texts(out)
    bullets = [t for t in said if t.startswith("• ")]
    assert bullets[0] == "• 付款条件 Payment terms: 合同签订后 30 日内付清。Payable within 30 days."
    assert any("价格不含税" in b for b in bullets[1:])  # the price note still comes last
    assert bullets[-1].startswith("• 价格不含税")


def test_the_footer_names_the_quote_and_counts_pages_and_an_ampersand_stays_text(tmp_path):
    """'&' starts a code in a header or footer ("&P" is the page number): a quote number with one
    is written doubled, which Excel and LibreOffice print as one."""
    from xlpricing import quote
    from xlpricing.sheets.proposal import Proposal, write_quote_workbook
    path = write_quote_workbook(tmp_path / "f.xlsx", get_price_book(), quote("pro", 0, 0, (), 1),
                                Proposal("甲公司", quote_number="R&D-7", lang="en"))
    ws = openpyxl.load_workbook(path)[L.PROPOSAL_SHEET]
    assert ws.oddFooter.left.text == "R&&D-7"
    assert ws.oddFooter.right.text == "Page &P of &N"


def test_the_print_setup_is_written_as_excel_writes_it(tmp_path):
    """The row breaks, the footer and the scale, element by element against extracts of files Excel
    saved (tests/golden/excel/print_setup.xml); ids and values that differ by design are not compared."""
    import xml.etree.ElementTree as ET
    import zipfile
    deal = tmp_path / "deal.toml"
    deal.write_text(LONG_DEAL, encoding="utf-8")
    out = tmp_path / "long.xlsx"
    assert main(["quote", "--deal", str(deal), "--customer", "甲公司", "-o", str(out)]) == 0
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(out) as z:
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        workbook = z.read("xl/workbook.xml").decode("utf-8")
    assert re.search(r'<(\w+:)?sheet [^>]*name="报价单 Proposal"[^>]*r:id="rId1"', workbook)  # sheet1 is the proposal
    excel = ET.parse(Path(__file__).parent / "golden" / "excel" / "print_setup.xml").getroot()

    (theirs,) = excel.find("rowBreaks")
    breaks = sheet.find("m:rowBreaks", ns)
    assert int(breaks.get("count")) == int(breaks.get("manualBreakCount")) == len(breaks) >= 3
    for brk in breaks:
        assert {k: brk.get(k) for k in ("max", "man")} == {k: theirs.get(k) for k in ("max", "man")}
        assert brk.get("min", "0") == "0"  # Excel leaves the default out

    their_footer = excel.find("headerFooter")
    footer = sheet.find("m:headerFooter", ns)
    assert footer.get("scaleWithDoc") == their_footer.get("scaleWithDoc") == "0"
    text = footer.find("m:oddFooter", ns).text
    assert text.startswith(their_footer.find("oddFooter").text[:2]) and "&R" in text  # &L … &R …
    assert "&P" in text and "&N" in text

    their_setup, setup = excel.find("pageSetup"), sheet.find("m:pageSetup", ns)
    assert setup.get("paperSize") == their_setup.get("paperSize") == "9" and setup.get("orientation") == "portrait"
    assert 10 <= int(setup.get("scale")) <= 400 and setup.get("fitToWidth") is None
    fit = sheet.find("m:sheetPr/m:pageSetUpPr", ns)
    assert fit is None or fit.get("fitToPage") in (None, "0", "false")


def test_a_lone_carriage_return_counts_as_the_line_break_the_cell_shows(tmp_path):
    """A CRM export's lone CR is stored as a line break (style.literal); the row's height counts it
    as one, as the limit does: five lines of a customer's name, five lines of room (15 pt each)."""
    from xlpricing import quote
    from xlpricing.sheets.proposal import Proposal, write_quote_workbook
    name = "甲公司\r乙部门\r丙组\r丁\r戊"
    path = write_quote_workbook(tmp_path / "cr.xlsx", get_price_book(), quote("pro", 0, 0, (), 1), Proposal(name))
    ws = openpyxl.load_workbook(path)[L.PROPOSAL_SHEET]
    (row,) = [c.row for r in ws.iter_rows() for c in r if c.value == "甲公司\n乙部门\n丙组\n丁\n戊" and c.column == 2]
    assert ws.row_dimensions[row].height >= 5 * 15
