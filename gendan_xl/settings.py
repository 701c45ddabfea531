"""The ledger's settings, parsed once: the 设置 sheet's key/value rows, overridden
by ``[settings]`` in gendan.toml, into one typed ``Settings`` with defaults.

A value that cannot be read is an issue at its cell (``bad-setting-value``) and
the default applies; every later stage reads ``ledger.options``, never the raw text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping

from pydantic import BaseModel, ConfigDict

from gendan_xl.calendar import holidays_enabled
from gendan_xl.model import CellRef, Issue, make_issue
from gendan_xl.schema import SETTING_KEYS


class Settings(BaseModel):
    """Every setting a stage reads, with its default (labels in ``schema.SETTING_KEYS``)."""

    model_config = ConfigDict(frozen=True)

    company_name: str = ""
    company_address: str = ""
    company_phone: str = ""
    wo_pattern: str = str(SETTING_KEYS["wo_pattern"][1])
    dn_pattern: str = str(SETTING_KEYS["dn_pattern"][1])
    risk_days: int = 2  # at risk when slack is at most this many working days
    holidays: bool = True  # China statutory holidays and 调休 from chinesecalendar
    note_lines: int = 10  # 送货单 lines per printed page
    note_paper: str = "A5"
    no_work_order_days: int = 7  # no-work-order: commitment within this many days
    rate_high: float = 1.5  # rate-outlier: above this multiple of the standard rate ...
    rate_low: float = 0.3  # ... or below this one
    defect_rate: float = 0.05  # high-defect-rate: rejects above this share
    backups_keep: int = 20  # write-back backups kept per ledger
    rt_pattern: str = str(SETTING_KEYS["rt_pattern"][1])  # 退货单号
    st_pattern: str = str(SETTING_KEYS["st_pattern"][1])  # 对账单号
    bank_name: str = ""  # 开户银行, printed on statements
    bank_account: str = ""  # 银行账号
    payment_terms: str = ""  # 付款条件, e.g. 月结 30 天
    prices_include_tax: bool = True  # 单价含税: prices are what the customer pays, tax included
    fl_pattern: str = str(SETTING_KEYS["fl_pattern"][1])
    over_requisition: float = 0.03  # over-requisition: issued above need by more than this share
    jq_pattern: str = str(SETTING_KEYS["jq_pattern"][1])  # 交期变更通知单号
    delivery_lead_days: int = 1  # 送货提前期: working days from finish to delivery at the customer
    max_overtime_hours: float = 3.0  # 每日加班上限: most overtime hours per line per working day (插单说明)
    wx_pattern: str = str(SETTING_KEYS["wx_pattern"][1])  # 外协申请单号
    yp_pattern: str = str(SETTING_KEYS["yp_pattern"][1])  # 试样通知单号
    sample_confirm_days: int = 7  # sample-unconfirmed: sent more than this many days ago, still 待确认
    complaint_open_days: int = 14  # complaint-open-long: open more than this many days


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: object) -> float:
    """A number from a cell: 1.5, "1.5", "5%", "１．５" ; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if math.isnan(value):
            raise ValueError(value)
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    percent = text.endswith("%")
    text = re.sub(r"\s*(天|日|工作日|倍|行|份|days?|x)$", "", text.rstrip("%").strip(), flags=re.I)
    number = float(text)
    if math.isnan(number) or math.isinf(number):
        raise ValueError(value)
    return number / 100 if percent else number


def _whole(low: int, high: int) -> Callable[[object], int]:
    def parse(value: object) -> int:
        number = _number(value)
        if not number.is_integer() or not low <= number <= high:
            raise ValueError(value)
        return int(number)

    return parse


def _multiple(value: object) -> float:
    number = _number(value)
    if number <= 0:
        raise ValueError(value)
    return number


def _share(value: object) -> float:
    """A share such as 5%, 0.05 or 5 (read as percent when above 1)."""
    number = _number(value)
    if number > 1:
        number /= 100
    if not 0 < number < 1:
        raise ValueError(value)
    return number


def _hours(value: object) -> float:
    """Hours per day, 0-24 (``3``, ``3小时``, ``2.5h``)."""
    text = _text(value)
    text = re.sub(r"\s*(小时|个小时|h|hours?)$", "", text, flags=re.I)
    number = _number(text)
    if not 0 <= number <= 24:
        raise ValueError(value)
    return number


def _switch(value: object) -> bool:
    return holidays_enabled(value)


def _paper(value: object) -> str:
    text = _text(value).upper()
    if "A4" not in text and "A5" not in text:
        raise ValueError(value)
    return text


PARSERS: dict[str, Callable[[object], object]] = {
    "risk_days": _whole(0, 60),
    "holidays": _switch,
    "note_lines": _whole(1, 40),
    "note_paper": _paper,
    "no_work_order_days": _whole(0, 365),
    "rate_high": _multiple,
    "rate_low": _multiple,
    "defect_rate": _share,
    "backups_keep": _whole(1, 1000),
    "prices_include_tax": _switch,
    "over_requisition": _share,
    "delivery_lead_days": _whole(0, 60),
    "max_overtime_hours": _hours,
    "sample_confirm_days": _whole(0, 365),
    "complaint_open_days": _whole(0, 365),
}


def parse_settings(
    raw: Mapping[str, object], refs: Mapping[str, CellRef] | None = None
) -> tuple[Settings, list[Issue]]:
    """Typed settings from raw values (key -> cell value); blank values keep the
    default. ``refs`` says where each value was written (the 设置 cell, or gendan.toml)."""
    refs = refs or {}
    values: dict[str, object] = {}
    issues: list[Issue] = []
    defaults = Settings()
    for key, value in raw.items():
        if key not in Settings.model_fields or _text(value) == "":
            continue
        parse = PARSERS.get(key, _text)
        try:
            values[key] = parse(value)
        except (TypeError, ValueError):
            ref = refs.get(key) or CellRef(file="gendan.toml", sheet="[settings]")
            label = SETTING_KEYS.get(key, (key, None))[0]
            issues.append(
                make_issue("bad-setting-value", ref, value, setting=label, default=getattr(defaults, key))
            )
    if "rate_low" in values and "rate_high" in values and values["rate_low"] >= values["rate_high"]:  # type: ignore[operator]
        values.pop("rate_low")
    return Settings.model_validate(values), issues


__all__ = ["Settings", "parse_settings"]
