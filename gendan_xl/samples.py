"""样品 (customer samples, optional sheet): the state of every sample request, derived
once here for the checks (``sample-overdue``, ``sample-unconfirmed``,
``no-approved-sample``), the 试样通知单 (``documents.samples``) and the report's
样品跟踪 sheet.

State of a 样品 row on the as-of date (``sample_states``):

- 合格 / 不合格 / 需修改: 确认结果 says the customer answered so;
- otherwise (确认结果 blank, 待确认, or a value that is none of the four): not answered.
  With 送样日期 blank it is 逾期未送 when 要求日期 is before the as-of date
  (``days_overdue`` = as-of - 要求日期), else 未送; once sent it is 待确认 for
  ``days_waiting`` = as-of - 送样日期 days, a reminder (``sample-unconfirmed``) once
  that is more than 样品确认提醒天数 (``sample_confirm_days``, default 7).

A new item (产品.新品 = 是) needs, for each customer with an open order line of it, a
样品 row of that customer and item with 确认结果 合格 (``approved_pairs``): the sealed
sample is that customer's production standard, so another customer's approval does
not count. Customers are matched as the forecasts match them: names compared after
normalisation (case, full-width, spaces), a 客户.全称 counting as its 客户.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from gendan_xl.ledger import Ledger
from gendan_xl.schema import ORDER_CLOSED_STATES, SAMPLE_FAIL, SAMPLE_PASS, SAMPLE_REVISE

# state code -> label (zh, en)
STATE_LABEL: dict[str, tuple[str, str]] = {
    "overdue": ("逾期未送", "overdue, not sent"),
    "waiting_long": ("待确认", "awaiting answer"),
    "revise": ("需修改", "to revise"),
    "fail": ("不合格", "rejected"),
    "waiting": ("待确认", "awaiting answer"),
    "not_sent": ("未送", "not sent"),
    "pass": ("合格", "approved"),
}
# Worst first: the order of the report's 样品跟踪 sheet.
STATE_RANK = {state: n for n, state in enumerate(STATE_LABEL)}
ANSWERED = {SAMPLE_PASS: "pass", SAMPLE_FAIL: "fail", SAMPLE_REVISE: "revise"}
NEW_ITEM = "是"


def sample_label(df: pd.DataFrame) -> pd.Series:
    """How a message names a sample: its 样品单号, else 客户/产品编码."""
    no = df["sample_no"].astype("string")
    other = df["customer"].astype("string").fillna("") + "/" + df["item"].astype("string").fillna("")
    return no.where(no.notna() & (no.str.strip() != ""), other).astype(object)


def sample_states(ledger: Ledger, as_of: date) -> pd.DataFrame:
    """The 样品 rows (same index and origin columns) with ``state`` (a key of
    ``STATE_LABEL``), ``days_overdue``, ``days_waiting`` (NaN where they do not
    apply), ``label`` and the item's 品名 / 规格 / 单位 from 产品."""
    df = ledger["samples"].copy()
    ts = pd.Timestamp(as_of)
    result = df["result"].astype(object)
    answered = result.map(lambda v: ANSWERED.get(v) if isinstance(v, str) else None)
    sent = df["sent_date"].notna()
    open_ = answered.isna()
    overdue = open_ & ~sent & (df["required_date"] < ts)
    waiting = (ts - df["sent_date"]).dt.days.astype("float64").where(open_ & sent)
    waiting = waiting.where(waiting >= 0)  # a 送样日期 after the as-of date is future-date
    late = (waiting > ledger.options.sample_confirm_days).fillna(False).astype(bool)
    state = np.select(
        [~open_.to_numpy(), overdue.to_numpy(), late.to_numpy(), (open_ & sent).to_numpy()],
        [answered.to_numpy(dtype=object), "overdue", "waiting_long", "waiting"],
        default="not_sent",
    )
    df["state"] = state
    df["days_overdue"] = (ts - df["required_date"]).dt.days.astype("float64").where(overdue)
    df["days_waiting"] = waiting
    df["label"] = sample_label(df)
    items = ledger["items"]
    items = items[items["item"].notna() & ~items["item"].duplicated(keep="first")].set_index("item")
    for column in ("item_name", "spec", "unit"):
        df[column] = df["item"].map(items[column]) if len(items) else np.nan
    return df


def state_text(state: str, days_waiting: float, lang: str = "zh") -> str:
    """The state as the report prints it: 待确认 shows its days (``待确认 12 天``)."""
    zh, en = STATE_LABEL.get(state, (state, state))
    if state in ("waiting", "waiting_long") and days_waiting == days_waiting:
        return f"{zh} {int(days_waiting)} 天" if lang == "zh" else f"{en} {int(days_waiting)} d"
    return zh if lang == "zh" else en


def new_items(ledger: Ledger) -> set[str]:
    """Item codes marked 新品 = 是 on 产品."""
    items = ledger["items"]
    marked = items[items["new_item"].astype("string").str.strip().eq(NEW_ITEM).fillna(False).astype(bool)]
    return {str(v) for v in marked["item"].dropna()}


def approved_pairs(ledger: Ledger) -> set[tuple[str, str]]:
    """(customer key, item) of every 样品 row with 确认结果 合格."""
    from gendan_xl.forecasts import customer_keys

    df = ledger["samples"]
    ok = df[(df["result"] == SAMPLE_PASS).fillna(False).astype(bool) & df["customer"].notna() & df["item"].notna()]
    if ok.empty:
        return set()
    keys = customer_keys(ledger, ok["customer"])
    return set(zip(keys.tolist(), ok["item"].astype(str).tolist(), strict=True))


def lines_without_approved_sample(ledger: Ledger) -> pd.DataFrame:
    """The order book's open lines (状态 not 完成/取消, shipped less than 数量; a 暂停
    line is still open here: it will be made) of a new item whose customer has no
    approved sample of it."""
    from gendan_xl.forecasts import customer_keys

    wanted = new_items(ledger)
    lines = ledger.book.lines
    if not wanted or lines.empty:
        return lines.iloc[0:0]
    open_ = ~lines["order_status"].isin(ORDER_CLOSED_STATES) & (lines["shipped"] < lines["qty"])
    candidates = lines[open_ & lines["item"].astype(str).isin(wanted) & lines["customer"].notna()]
    if candidates.empty:
        return candidates
    approved = approved_pairs(ledger)
    keys = customer_keys(ledger, candidates["customer"])
    missing = [(k, str(i)) not in approved for k, i in zip(keys, candidates["item"], strict=True)]
    return candidates[np.asarray(missing, dtype=bool)]


__all__ = [
    "STATE_LABEL",
    "STATE_RANK",
    "approved_pairs",
    "lines_without_approved_sample",
    "new_items",
    "sample_label",
    "sample_states",
    "state_text",
]
