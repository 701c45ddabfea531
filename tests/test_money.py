"""Amounts in Chinese capitals, as on Chinese invoices, and carton counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gendan_xl.documents.money import DIGITS, cartons, rmb_upper


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1234.5, "壹仟贰佰叁拾肆元伍角"),
        (0.05, "伍分"),
        (10000, "壹万元整"),
        (100200.3, "壹拾万零贰佰元叁角"),
        (1002, "壹仟零贰元整"),
        (0, "零元整"),
        (0.0, "零元整"),
        (10, "壹拾元整"),
        (16, "壹拾陆元整"),
        (110, "壹佰壹拾元整"),
        (1010, "壹仟零壹拾元整"),
        (0.3, "叁角"),
        (0.25, "贰角伍分"),
        (10.05, "壹拾元零伍分"),
        (16409.02, "壹万陆仟肆佰零玖元零贰分"),
        (1680.32, "壹仟陆佰捌拾元叁角贰分"),
        (107000.53, "壹拾万柒仟元伍角叁分"),
        (1000100, "壹佰万零壹佰元整"),
        (100000001, "壹亿零壹元整"),
        (100050000, "壹亿零伍万元整"),
        (150000000, "壹亿伍仟万元整"),
        (10**12, "壹万亿元整"),
        (1234567890123456, "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌亿玖仟零壹拾贰万叁仟肆佰伍拾陆元整"),
        (-12.3, "负壹拾贰元叁角"),
        (-0.05, "负伍分"),
        ("1,234.50", "壹仟贰佰叁拾肆元伍角"),
        ("¥88", "捌拾捌元整"),
        (Decimal("0.10"), "壹角"),
    ],
)
def test_rmb_upper(amount: object, text: str) -> None:
    assert rmb_upper(amount) == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1.005, "壹元零壹分"),  # half up on the written decimal, not the binary float
        (2.675, "贰元陆角捌分"),
        (0.125, "壹角叁分"),
        (0.004, "零元整"),
        (-0.004, "零元整"),  # no 负 for an amount that rounds to zero
        (0.1 + 0.2, "叁角"),
    ],
)
def test_rounding_to_the_fen_half_up(amount: object, text: str) -> None:
    assert rmb_upper(amount) == text


@pytest.mark.parametrize("bad", [None, True, "abc", float("nan"), float("inf"), 10**16, "1e20"])
def test_rmb_upper_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        rmb_upper(bad)


@given(st.integers(min_value=0, max_value=10**16 - 1), st.integers(min_value=0, max_value=99))
def test_rmb_upper_reads_back(yuan: int, fen: int) -> None:
    """Reading the capitals back gives the amount: a small parser of the written form."""
    text = rmb_upper(Decimal(yuan) + Decimal(fen) / 100)
    assert read_back(text) == yuan * 100 + fen
    assert "零零" not in text
    assert not text.startswith("零") or text == "零元整"


def read_back(text: str) -> int:
    """Fen from capitals (test helper, independent of the writer's structure)."""
    if text == "零元整":
        return 0
    text = text.removesuffix("整")
    yuan_text, _, rest = text.partition("元") if "元" in text else ("", "", text)
    fen = 0
    if "角" in rest:
        jiao_text, _, rest = rest.partition("角")
        fen += 10 * DIGITS.index(jiao_text.lstrip("零"))
    if "分" in rest:
        fen += DIGITS.index(rest.removesuffix("分").lstrip("零"))
    total = 0
    section = 0
    digit = 0
    small = {"拾": 10, "佰": 100, "仟": 1000}
    for ch in yuan_text:
        if ch in DIGITS:
            digit = DIGITS.index(ch)
        elif ch in small:
            section += digit * small[ch]
            digit = 0
        elif ch == "万":
            section = (section + digit) * 10**4
            digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 10**8
            section = digit = 0
    return (total + section + digit) * 100 + fen


@pytest.mark.parametrize(
    ("qty", "per", "count"),
    [
        (1200, 100, 12),
        (1201, 100, 13),
        (1, 100, 1),
        (0, 100, 0),
        (0.7, 0.1, 7),
        (1200.0, 24.0, 50),
        (-150, 100, -2),
        (100, None, None),
        (100, float("nan"), None),
        (100, 0, None),
        (100, -5, None),
        (None, 10, None),
        ("1,200", "100", 12),
    ],
)
def test_cartons(qty: object, per: object, count: int | None) -> None:
    assert cartons(qty, per) == count
