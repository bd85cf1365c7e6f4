"""The advisor, forecasts and break-even, checked by hand (facts file limits, seed prices) and by brute force."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from xlpricing import QuoteError, build_quote, get_price_book, quote
from xlpricing.advisor import Needs, advise, break_even, capability, forecast, growth
from xlpricing.cli import main
from xlpricing.inputs import needs_from
from xlpricing.udf import IMBEST, IMBEST_TABLE, IMBREAKEVEN, IMFORECAST

BOOK = get_price_book()
D = Decimal


def best(text, dau=0, groups=0):
    return advise(BOOK, needs_from(text, dau, groups)).best


def test_capabilities_are_data_from_the_facts_file():
    # 套餐包功能对比: members per group 20 / 200 / 2,000; groups per user 50 / 500 / 1,000;
    # live groups 10 / 50 / unlimited; history 7 / 7 / 30 days
    table = {e.code: dict(e.limits) for e in BOOK.editions}
    assert table == {
        "trial": {"members_per_group": 20, "groups_per_user": 50, "live_groups": 10, "history_days": 7},
        "pro": {"members_per_group": 200, "groups_per_user": 500, "live_groups": 50, "history_days": 7},
        "flagship": {"members_per_group": 2000, "groups_per_user": 1000, "live_groups": None, "history_days": 30},
    }
    raises = {a.code: dict(a.raises) for a in BOOK.addons if a.raises}
    assert raises == {
        "avchatroom": {"live_groups": None}, "members_2000": {"members_per_group": 2000},
        "members_6000": {"members_per_group": 6000}, "groups_1000": {"groups_per_user": 1000},
        "groups_3000": {"groups_per_user": 3000}, "history_30": {"history_days": 30},
        "history_90": {"history_days": 90}, "history_180": {"history_days": 180}, "history_360": {"history_days": 360},
    }
    # TRTC: 1 : 2 : 4 : 15 and 7 CNY per 1,000 audio-equivalent minutes = 7 / 14 / 28 / 105 per kind
    assert dict(BOOK.calls.weights) == {"audio": 1, "sd": 2, "hd": 4, "fhd": 15}
    assert {k: BOOK.calls.per_1000_equivalent * w for k, w in BOOK.calls.weights.items()} == \
        {"audio": 7, "sd": 14, "hd": 28, "fhd": 105}


def test_a_need_only_flagship_meets():
    # 3,000 members per group: pro tops out at 2,000; flagship + members_6000 = 2999 + 500
    advice = advise(BOOK, needs_from("members=3000"))
    assert str(advice.best) == "flagship: members_6000" and advice.best.monthly == D(3499)
    assert {o.edition for o in advice.options} == {"flagship"}
    assert advice.refusals["pro"] == "pro tops out at 2,000 members per group"


def test_pro_with_addons_is_cheaper_than_flagship():
    # 2,000 members and unlimited live groups: pro 999 + members_2000 500 + avchatroom 1000 = 2499 < 2999
    assert str(best("members=2000, live_groups=unlimited")) == "pro: avchatroom, members_2000"
    assert best("members=2000, live_groups=unlimited").monthly == D(2499)


def test_flagship_is_cheaper_than_pro_with_addons():
    # add 1,000 groups per user and 30 days of history: pro 2499 + 1100 + 500 = 4099 > flagship 2999
    advice = advise(BOOK, needs_from("members=2000, live_groups=unlimited, groups_per_user=1000, history=30"))
    assert str(advice.best) == "flagship" and advice.best.monthly == D(2999)
    pro = next(o for o in advice.options if o.edition == "pro")
    assert pro.monthly == D(4099) and pro.addons == ("avchatroom", "members_2000", "groups_1000", "history_30")


@pytest.mark.parametrize("needs, expected, monthly", [
    ("members=200", "pro", 999),                       # pro's own limit
    ("members=201", "pro: members_2000", 1499),        # 999 + 500
    ("members=2000", "pro: members_2000", 1499),
    ("members=2001", "flagship: members_6000", 3499),  # 2999 + 500
    ("members=6000", "flagship: members_6000", 3499),
    ("groups_per_user=500", "pro", 999),
    ("groups_per_user=501", "pro: groups_1000", 2099),  # 999 + 1100
    ("groups_per_user=1000", "pro: groups_1000", 2099),
    ("groups_per_user=1001", "flagship: groups_3000", 3899),  # 2999 + 900
    ("groups_per_user=3000", "flagship: groups_3000", 3899),
    ("live_groups=50", "pro", 999),
    ("live_groups=51", "pro: avchatroom", 1999),
    ("history=7", "pro", 999),
    ("history=8", "pro: history_30", 1499),
    ("history=30", "pro: history_30", 1499),
    ("history=31", "pro: history_90", 1999),
    ("history=360", "pro: history_360", 3499),
])
def test_needs_at_each_limit(needs, expected, monthly):
    option = best(needs, dau=500)  # above trial's cap of 100, below the 10,000 free on pro/flagship
    assert (str(option), option.monthly) == (expected, D(monthly))


@pytest.mark.parametrize("needs, says", [
    ("members=6001", "flagship tops out at 6,000 members per group"),
    ("members=10000", "flagship tops out at 6,000 members per group"),
    ("groups_per_user=3001", "flagship tops out at 3,000 groups one user can join"),
    ("history=361", "flagship tops out at 360 days of message history"),
])
def test_unmeetable_needs_get_a_clear_answer(needs, says):
    advice = advise(BOOK, needs_from(needs))
    assert advice.options == ()
    with pytest.raises(QuoteError, match="no configuration meets these needs") as info:
        advice.best
    assert says in str(info.value)


def test_trial_is_refused_above_its_caps():
    advice = advise(BOOK, needs_from("", 500, 0))
    assert advice.refusals["trial"] == "trial is capped at 100 peak DAU: 500 needs pro or flagship"
    assert str(advice.best) == "pro"


# ---------------------------------------------------------------- call minutes (TRTC)


def test_minutes_beyond_the_package_at_trtc_rates_with_the_mix():
    # call_basic includes 110,000; 50,000 audio + 20,000 SD + 10,000 HD + 2,000 FHD
    # = 50,000×1 + 20,000×2 + 10,000×4 + 2,000×15 = 160,000 equivalent → 50,000 beyond → × 7/1000 = 350
    q = quote("pro", addons=["call_basic"], call_minutes={"audio": 50_000, "sd": 20_000, "hd": 10_000, "fhd": 2_000})
    line = q.lines[-1]
    assert (line.code, line.billing, line.quantity, line.monthly_amount) == ("call_minutes", "postpaid", 50_000, D(350))
    assert q.total == D(999 + 500 + 350)


def test_fhd_minutes_cost_105_per_thousand():
    # 3,000 FHD minutes = 45,000 equivalent, with call_basic's 110,000 all inside the package;
    # 10,000 FHD = 150,000 − 110,000 = 40,000 beyond = 280 CNY (= 40,000/15 FHD minutes × 105/1000)
    assert quote("pro", addons=["call_basic"], call_minutes={"fhd": 3_000}).lines[-1].monthly_amount == 0
    assert quote("pro", addons=["call_basic"], call_minutes={"fhd": 10_000}).lines[-1].monthly_amount == D(280)


def test_call_minutes_need_a_call_package():
    with pytest.raises(QuoteError, match=r"call minutes need a call package \(call_basic or call_advanced\)"):
        quote("pro", call_minutes={"audio": 1})


def test_advisor_weighs_packages_against_minutes_beyond_them():
    # 300,000 audio minutes on pro: basic 500 + (300,000 − 110,000) × 0.007 = 500 + 1,330 = 1,830;
    # advanced 1,000 + (300,000 − 235,000) × 0.007 = 1,000 + 455 = 1,455 → advanced is cheaper
    option = best("call_minutes=300000")
    assert str(option) == "pro: call_advanced" and option.monthly == D(999 + 1455)


# ---------------------------------------------------------------- forecast


def test_twelve_month_forecast_with_growth_crossing_blocks():
    # 8,000 DAU and 90,000 groups growing 10 % a month, rounded half up; pro + history_90.
    usage = growth(8_000, 90_000, D("0.10"), 12)
    assert usage == [(8000, 90000), (8800, 99000), (9680, 108900), (10648, 119790), (11713, 131769),
                     (12884, 144946), (14172, 159440), (15590, 175385), (17149, 192923), (18864, 212215),
                     (20750, 233437), (22825, 256781)]
    f = forecast(BOOK, "pro", ["history_90"], usage)
    # postpaid = history 1000 + DAU blocks + group blocks: m1–2 none; m3 groups 1; m4–9 one each;
    # m10 DAU 1 + groups 2; m11–12 two each
    assert [m.postpaid for m in f.months] == [D(x) for x in
                                             (1000, 1000, 2000, 3000, 3000, 3000, 3000, 3000, 3000, 4000, 5000, 5000)]
    assert all(m.prepaid == D(999) for m in f.months)
    assert f.prepaid == D(11_988) and f.postpaid == D(36_000) and f.total == D(47_988)
    assert f.cheaper is None  # flagship with the same needs costs 2,000 more every month


def test_forecast_names_the_month_another_configuration_is_cheaper():
    # pro with everything flagship includes costs 999 + 1000 + 500 + 1100 + 500 = 4099 > 2999
    f = forecast(BOOK, "pro", ["avchatroom", "members_2000", "groups_1000", "history_30"], [(5_000, 0), (25_000, 0)])
    month, option = f.cheaper
    assert month == 1 and str(option) == "flagship" and option.monthly == D(2999)


# ---------------------------------------------------------------- break-even


def test_break_even_never_when_overage_is_the_same():
    result = break_even(BOOK, ("pro", ()), ("flagship", ()))
    assert result.peak_dau is None and result.cheaper_below == "pro" and result.difference_at_zero == D(2000)


def test_break_even_when_a_costlier_config_pays_no_overage(tmp_path):
    # a second price book where flagship's DAU overage is free: pro (999, 1000 per started 10,000 above
    # 10,000) catches up with flagship (2999) when its overage reaches 2000: at 20,001 DAU (2 blocks)
    from xlpricing import load_price_book
    text = (BOOK_FILE.read_text(encoding="utf-8")
            .replace('editions = ["pro", "flagship"]\n\n[[overage]]', 'editions = ["pro"]\n\n[[overage]]')
            # a free overage is said explicitly, or the book is refused as pricing usage for nothing
            .replace('capped = false\nlimits = { members_per_group = 2000',
                     'capped = false\nunmetered = ["peak_dau"]\nlimits = { members_per_group = 2000'))
    path = tmp_path / "b.toml"
    path.write_text(text, encoding="utf-8")
    book = load_price_book(path)
    result = break_even(book, ("pro", ()), ("flagship", ()))
    assert (result.peak_dau, result.cheaper_below, result.difference_at_zero) == (20_001, "pro", D(2000))


from xlpricing.pricebook import PRICEBOOK_DIR  # noqa: E402

BOOK_FILE = PRICEBOOK_DIR / "tencent-im-cn-seed.toml"


# ---------------------------------------------------------------- Excel and the command line


def test_imbest_gives_imquote_inputs():
    edition, addons = IMBEST(50_000.0, 200_000.0, "members=3000, history=90, moderation")[0]
    assert (edition, addons) == ("flagship", "members_6000, history_90, moderation")
    # flagship 2999 + 500 + 500 + 1000 + DAU 4 blocks 4000 + groups 1 block 1000 = 9999
    from xlpricing.udf import IMQUOTE
    assert IMQUOTE(edition, 50_000.0, 200_000.0, addons) == 9999


def test_imbest_from_a_range_of_pairs_and_unmeetable():
    assert IMBEST(0, 0, [["members", 3000.0], ["history", 90.0], [None, None]])[0] == ["flagship", "members_6000, history_90"]
    assert IMBEST(0, 0, "members=10000")[0][0].startswith("#IMBEST: no configuration meets these needs")
    assert IMBEST(0, 0, "colour=blue")[0][0] == "#IMBEST: colour is a yes/no need, got 'blue'"


def test_imbest_table_and_imforecast_and_imbreakeven():
    table = IMBEST_TABLE(0, 0, "members=2000")
    assert table[0] == ["rank", "edition", "add-ons", "monthly (CNY)"]
    assert table[1] == [1, "pro", "members_2000", 1499]
    assert ["—", "trial", "trial tops out at 20 members per group", ""] in table
    rows = IMFORECAST("pro", [[8000.0], [12000.0], [25000.0], [None]], 0, "history_90")
    # 999 + 1000 history + 0 / 1 / 2 DAU blocks
    assert [r[5] for r in rows[1:4]] == [1999, 2999, 3999]
    assert rows[4] == ["total", "", "", 2997, 6000, 8997]
    assert IMBREAKEVEN("pro", None, "flagship", None) == "never: pro stays cheaper, by CNY 2,000 a month at 0 DAU"
    # as the book names it, however it was typed (pro 999, flagship 2,999 a month: 2,000 apart)
    assert IMBREAKEVEN("PRO", None, "旗舰版", None) == "never: pro stays cheaper, by CNY 2,000 a month at 0 DAU"


def test_advise_command(capsys):
    assert main(["advise", "--members", "3000", "--history", "90"]) == 0
    out = capsys.readouterr().out
    assert "1  flagship  members_6000, history_90" in out and "not possible: pro tops out at 2,000" in out
    assert main(["advise", "--members", "10000"]) == 1


def test_forecast_command(capsys):
    assert main(["forecast", "--edition", "pro", "--addon", "history_90", "--dau", "8000", "--groups", "90000",
                 "--growth", "10", "--months", "12"]) == 0
    out = capsys.readouterr().out
    assert "total" in out and "47,988" in out


# ---------------------------------------------------------------- brute force


def all_configurations(edition):
    families = {}
    for addon in BOOK.addons:
        if edition.code in addon.prices:
            families.setdefault(addon.family, []).append(addon.code)
    for combo in itertools.product(*[[None, *codes] for codes in families.values()]):
        yield tuple(c for c in combo if c)


def meets(edition, addons, needs: Needs) -> bool:
    for limit, need in needs.limits.items():
        have = capability(BOOK, edition, addons, limit)
        if have is not None and (need is None or have < need):
            return False
    if any(needs.call_minutes.values()) and not any(BOOK.find_addon(a).family == "call" for a in addons):
        return False
    return all(code in addons for code in needs.addons)


@settings(max_examples=60, deadline=None)
@given(
    dau=st.sampled_from([0, 100, 101, 10_000, 10_001, 55_000]),
    groups=st.sampled_from([0, 100, 100_001, 350_000]),
    members=st.sampled_from([None, 20, 200, 201, 2000, 2001, 6000]),
    per_user=st.sampled_from([None, 50, 500, 1000, 1001, 3000]),
    live=st.sampled_from([None, 10, 50, 51, "unlimited"]),
    history=st.sampled_from([None, 7, 30, 31, 90, 360]),
    minutes=st.sampled_from([0, 100_000, 300_000, 500_000]),
    moderation=st.booleans(),
)
def test_first_answer_is_never_dearer_than_any_configuration_that_meets_the_needs(
        dau, groups, members, per_user, live, history, minutes, moderation):
    parts = [f"{k}={v}" for k, v in (("members", members), ("groups_per_user", per_user),
                                       ("live_groups", live), ("history", history)) if v is not None]
    if minutes:
        parts.append(f"call_minutes={minutes}")
    if moderation:
        parts.append("moderation")
    needs = needs_from(", ".join(parts), dau, groups)
    cheapest = None
    for edition in BOOK.editions:
        for addons in all_configurations(edition):
            if not meets(edition, addons, needs):
                continue
            try:
                cost = build_quote(BOOK, edition.code, dau, groups, addons,
                                   call_minutes={"audio": minutes} if minutes else None).total
            except QuoteError:
                continue  # trial above its caps
            cheapest = cost if cheapest is None else min(cheapest, cost)
    advice = advise(BOOK, needs)
    if cheapest is None:
        assert advice.options == ()
    else:
        assert advice.best.monthly == cheapest
        assert [o.monthly for o in advice.options] == sorted(o.monthly for o in advice.options)


def test_quote_workbook_with_a_forecast_sheet(tmp_path, capsys):
    import openpyxl
    out = tmp_path / "q.xlsx"
    assert main(["quote", "--edition", "pro", "--dau", "8000", "--groups", "90000", "--addon", "history_90",
                 "--customer", "ACME", "--forecast-growth", "10", "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["预测 Forecast"]
    # the same twelve months as test_twelve_month_forecast_with_growth_crossing_blocks
    assert [ws.cell(r, 6).value for r in range(5, 17)] == \
        [1999, 1999, 2999, 3999, 3999, 3999, 3999, 3999, 3999, 4999, 5999, 5999]
    assert ws.cell(17, 6).value == 47_988
    assert len(ws._charts) == 1


def test_price_sheet_shows_capabilities_and_call_rates():
    from xlpricing.sheets import layout as L
    from xlpricing.sheets.template import build_template
    ws = build_template(BOOK)[L.PRICE_SHEET]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    members = next(r for r in rows if r[0] == "单个群成员数上限")
    assert members[3:7] == [20, 200, 2000, "members_2000 → 2000, members_6000 → 6000"]
    live = next(r for r in rows if r[0] == "直播群（AVChatRoom）创建数量")
    assert live[3:6] == [10, 50, "unlimited"]
    fhd = next(r for r in rows if r[0] == "fhd")
    assert fhd[1:3] == [15, 105]
