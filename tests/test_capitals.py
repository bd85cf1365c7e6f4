"""Amounts in Chinese capital numerals (人民币大写), each worked out by hand.

Conventions (as banks and the accounting rules write them): 壹拾 not 拾; one 零 for a gap of any
length inside the number; none at the end of the yuan; 整 after whole yuan, none after 角;
元零…分 when the jiao is zero and the fen is not.
"""

from decimal import Decimal

import pytest

from xlpricing.formatting import rmb_capitals

HAND_WORKED = [
    # the three: 9万 5仟 9佰 8拾 8元
    ("95988", "玖万伍仟玖佰捌拾捌元整"),
    ("91188.60", "玖万壹仟壹佰捌拾捌元陆角"),        # 6 jiao, no fen: no 整 after 角
    ("1005000.07", "壹佰万伍仟元零柒分"),           # 100万 + 5000; jiao 0, fen 7: 元零柒分
    ("0", "零元整"),                                # zero
    ("0.07", "柒分"),                               # fen only
    ("0.50", "伍角"),                               # jiao without fen
    ("0.57", "伍角柒分"),
    ("1.05", "壹元零伍分"),
    ("10", "壹拾元整"),                             # 壹拾, never a bare 拾
    ("15", "壹拾伍元整"),
    ("101", "壹佰零壹元整"),                        # a gap inside
    ("1010", "壹仟零壹拾元整"),                     # a gap inside, none at the end
    ("10100", "壹万零壹佰元整"),                    # 零 inside 万: the thousands of the low group are 0
    ("1000500", "壹佰万零伍佰元整"),                # 100万 and 500: one 零 for the whole gap
    ("100000", "壹拾万元整"),                       # trailing zeros, no 零
    ("20000000", "贰仟万元整"),
    ("100000001", "壹亿零壹元整"),                  # 零 inside 亿: an empty 万 group
    ("100010000", "壹亿零壹万元整"),
    ("1000000001", "壹拾亿零壹元整"),
    ("1000.50", "壹仟元伍角"),
    ("1234567890.12", "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元壹角贰分"),  # 12亿 3456万 7890元
    ("83988", "捌万叁仟玖佰捌拾捌元整"),             # the README's =IMQUOTE example
]


@pytest.mark.parametrize("amount, capitals", HAND_WORKED)
def test_capitals_worked_by_hand(amount, capitals):
    assert rmb_capitals(Decimal(amount)) == capitals


def test_rounded_half_up_to_the_fen():
    assert rmb_capitals(Decimal("0.005")) == "壹分"
    assert rmb_capitals(Decimal("0.004")) == "零元整"
    assert rmb_capitals(Decimal("-5")) == "负伍元整"
