"""Amounts in Chinese capitals (大写金额) and carton counts, as printed on documents.

``rmb_upper`` follows the usual rules for filling in Chinese invoices and
settlement documents (中国人民银行《正确填写票据和结算凭证的基本规定》):

- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿; 拾 is always written with its digit,
  also at the start: 10 -> 壹拾元整, 100200 -> 壹拾万零贰佰元;
- the integer part ends in 元; when there are no 角 and no 分, 整 follows 元
  (1002 -> 壹仟零贰元整); after 角 or 分 nothing follows (1234.5 -> ...元伍角);
- below one yuan no 元 is written (0.05 -> 伍分, 0.3 -> 叁角); zero is 零元整;
- 零: one 零 for a run of zero digits between two written digits inside a group
  of four (1002 -> 壹仟零贰), and when a lower group of four starts with zeros
  (100200 -> 壹拾万零贰佰, 100000001 -> 壹亿零壹元). When the zeros end right at
  a unit word (万, 亿, 元) and the next digit is a 千位 or 角位, the unit already
  marks the place and no 零 is written (107000 -> 壹拾万柒仟元整,
  100200.3 -> 壹拾万零贰佰元叁角); the rules allow either form, this module
  always uses this one. A zero 角 before a non-zero 分 is always 零
  (16409.02 -> 壹万陆仟肆佰零玖元零贰分);
- negative amounts start with 负; amounts are rounded to the fen (分) half up,
  as decimals (1.005 -> 1.01), up to 9999万亿 (< 10^16 yuan).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_LIMIT = 10**16  # 万亿 groups: up to 9999 9999 9999 9999


def _to_decimal(amount: object) -> Decimal:
    """A finite Decimal from a number or numeric text (thousands separators and ¥ allowed)."""
    if isinstance(amount, bool) or amount is None:
        raise ValueError(f"not an amount: {amount!r}")
    if isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, int):
        value = Decimal(amount)
    elif isinstance(amount, float):
        # str() gives the shortest text that reads back as the float: 1.005 stays 1.005
        value = Decimal(str(amount))
    else:
        text = str(amount).strip().replace(",", "").replace("，", "")
        for sign in ("¥", "￥", "RMB", "rmb", "元"):
            text = text.replace(sign, "")
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            raise ValueError(f"not an amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    return value


def _group(n: int) -> str:
    """0 < n < 10000 in capitals, zeros inside the group as one 零, none at either end."""
    out: list[str] = []
    pending_zero = False
    for pos in range(3, -1, -1):
        digit = n // 10**pos % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(DIGITS[digit] + _SMALL_UNITS[pos])
    return "".join(out)


def _split(n: int, unit_value: int, unit: str, lower: Callable[[int], str]) -> str:
    """n split at ``unit_value`` (10^4 for 万, 10^8 for 亿), each part written by ``lower``."""
    high, low = divmod(n, unit_value)
    if not high:
        return lower(low)
    text = lower(high) + unit
    if low:
        # the lower part starts with zeros (its top digit is 0): they need a 零
        text += ("零" if low < unit_value // 10 else "") + lower(low)
    return text


def _below_1e8(n: int) -> str:
    return _split(n, 10**4, "万", _group)


def _integer(n: int) -> str:
    """0 < n < 10^16 in capitals, without 元."""
    return _split(n, 10**8, "亿", _below_1e8)


def rmb_upper(amount: object) -> str:
    """An amount of yuan in Chinese capitals, as on invoices (rules in the module docstring).

    >>> rmb_upper(1234.5)
    '壹仟贰佰叁拾肆元伍角'
    >>> rmb_upper(100200.3)
    '壹拾万零贰佰元叁角'

    Raises ValueError for non-numbers, NaN/infinity and amounts of 10^16 yuan or more.
    """
    value = _to_decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    fen_total = int(value * 100)
    negative = fen_total < 0
    fen_total = abs(fen_total)
    yuan, cents = divmod(fen_total, 100)
    if yuan >= _LIMIT:
        raise ValueError(f"amount too large for Chinese capitals: {amount!r}")
    jiao, fen = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"
    text = _integer(yuan) + "元" if yuan else ""
    if jiao:
        text += DIGITS[jiao] + "角"
    elif fen and yuan:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    if not cents:
        text += "整"
    return ("负" if negative else "") + text


def cartons(qty: object, per_carton: object) -> int | None:
    """Cartons needed for ``qty`` pieces at ``per_carton`` a carton, rounded up.

    None when either is blank or not a number, or ``per_carton`` is not positive.
    A negative qty (a return) gives a negative count of the same size.
    """
    try:
        q = _to_decimal(qty)
        per = _to_decimal(per_carton)
    except ValueError:
        return None
    if per <= 0:
        return None
    count = (abs(q) / per).to_integral_value(rounding=ROUND_CEILING)
    result = int(count)
    return -result if q < 0 else result
