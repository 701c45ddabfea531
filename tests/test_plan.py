"""Planning, checked against schedules worked out by hand.

The ledger below is planned at Thursday 2026-09-17. Its two lines:

- A线: 1 shift x 8 h, rests on Sundays only (works Saturdays). The 2026 official
  calendar: Sunday 20 September is a make-up working day; 25-27 September
  (Mid-autumn) and 1-7 October (National Day) are off, Saturdays 26 September
  and 3 October included; Saturday 10 October is a make-up day. 日历: A线 rests
  on Tuesday 22 September (maintenance) and works 4 h overtime on Sunday
  11 October. A's days from the 17th (cumulative hours):
  17:8 18:16 19:24 20:32 21:40 23:48 24:56 28:64 29:72 30:80 | 8/10:88 9:96 10:104
  11:108 12:116 13:124
- B线: 1 shift x 10 h, Monday to Friday: 17:10 18:20 20:30 21:40 22:50 23:60 24:70
  28:80 ...

Jobs on A in schedule order (特急, 急, 普通; then commitment):
  SO3 (特急, no work order, 100 / 10 = 10 h): cum 10 -> finishes 18 Sep (uses 8 h
      on the 17th and 2 h on the 18th);
  SO2 (急, WO2: 1500 - 720 made = 780 at the actual rate 720 / 24 h = 30/h
      -> 26 h): cum 36 -> 21 Sep (6 h of the 18th: the day is shared);
  SO1 (普通, due 25 Sep, WO1: 200 - 40 = 160 at the standard 10/h, one report day
      only -> 16 h): cum 52 -> 24 Sep;
  SO4 (普通, 变更交期 8 Oct, WO4 without 产线 -> the item's A线, 60 h): cum 112
      -> 12 Oct (after the holiday, the make-up Saturday and the 4 h Sunday).
Jobs on B: SO8 (overdue, due 15 Sep, 500 - 300 = 200 / 50 = 4 h) -> 17 Sep;
  SO5 (1000 / 50 = 20 h): cum 24 -> 20 Sep, the make-up Sunday.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import make_workbook

from gendan_xl.ledger import Ledger
from gendan_xl.plan import PlanResult, forward_schedule, plan_ledger, whatif
from gendan_xl.read import read_ledger

D = date
AS_OF = D(2026, 9, 17)


def sheets(daily_extra: list[list[Any]] | None = None, drop_daily: int | None = None) -> dict[str, Any]:
    orders = [
        ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期", "回复交期", "变更交期", "优先级", "状态"],
        ["SO1", 1, "ACME", "P1", 200, D(2026, 9, 1), D(2026, 9, 25), None, None, "普通", None],
        ["SO2", 1, "ACME", "P2", 1500, D(2026, 9, 1), D(2026, 9, 30), None, None, "急", None],
        ["SO3", 1, "BETA", "P1", 100, D(2026, 9, 1), D(2026, 9, 18), D(2026, 9, 20), None, "特急", None],
        ["SO4", 1, "BETA", "P1", 600, D(2026, 9, 2), D(2026, 10, 9), None, D(2026, 10, 8), "普通", "正常"],
        ["SO5", 1, "ACME", "P3", 1000, D(2026, 9, 1), D(2026, 9, 24), None, None, None, None],
        ["SO6", 1, "GAMMA", "P4", 100, D(2026, 9, 1), D(2026, 10, 30), None, None, None, None],
        ["SO7", 1, "GAMMA", "P5", 300, D(2026, 8, 20), D(2026, 9, 10), None, None, None, None],
        ["SO8", 1, "ACME", "P3", 500, D(2026, 9, 1), D(2026, 9, 15), None, None, None, None],
        ["SO9", 1, "BETA", "P3", 100, D(2026, 9, 1), D(2026, 9, 30), None, None, None, "取消"],
        ["SO10", 1, "ACME", "P5", 100, D(2026, 8, 1), D(2026, 8, 31), None, None, None, None],
        ["SO11", 1, "ACME", "P5", 50, D(2026, 8, 1), D(2026, 8, 20), None, None, None, None],
        ["SO12", 1, "BETA", "P1", 50, D(2026, 9, 1), D(2026, 9, 21), None, None, "特急", "暂停"],
    ]
    daily = [
        ["日期", "工单号", "产线", "良品数", "工时", "异常"],
        [D(2026, 9, 16), "WO1", "A线", 40, None, None],  # hours not given: WO2 filled the day
        [D(2026, 9, 15), "WO1", "A线", 0, 0, "品质"],
        [D(2026, 9, 14), "WO2", "A线", 240, 8, None],
        [D(2026, 9, 15), "WO2", "A线", 240, 8, None],
        [D(2026, 9, 16), "WO2", "A线", 240, 8, None],
        [D(2026, 9, 10), "WO8", "B线", 300, 6, None],
        [D(2026, 9, 16), "WO8", "B线", 0, 0, "欠料"],
    ]
    if drop_daily is not None:
        del daily[drop_daily]
    daily += daily_extra or []
    return {
        "订单": orders,
        "产品": [
            ["产品编码", "品名", "产线", "标准产能"],
            ["P1", "外壳", "A线", 10],
            ["P2", "底座", "A线", 20],
            ["P3", "支架", "B线", 50],
            ["P4", "样品", "B线", 0],  # no usable rate
            ["P5", "垫片", "B线", 25],
        ],
        "产线": [
            ["产线", "班次数", "每班工时", "效率", "休息日"],
            ["A线", 1, 8, 1.0, "日"],
            ["B线", 1, 10, 1.0, "六,日"],
        ],
        "日历": [
            ["日期", "产线", "类型", "工时"],
            [D(2026, 9, 22), "A线", "休息", None],
            [D(2026, 10, 11), "A线", "加班", 4],
        ],
        "工单": [
            ["工单号", "订单号", "行号", "产品编码", "数量", "产线", "状态"],
            ["WO1", "SO1", 1, "P1", 200, "A线", "生产中"],
            ["WO2", "SO2", 1, "P2", 1500, "A线", "生产中"],
            ["WO4", "SO4", 1, "P1", 600, None, "未开工"],
            ["WO5", "SO5", 1, "P3", 1000, "B线", "未开工"],
            ["WO8", "SO8", 1, "P3", 500, "B线", "生产中"],
        ],
        "生产日报": daily,
        "出货": [
            ["出货日期", "订单号", "行号", "数量"],
            [D(2026, 9, 9), "SO7", 1, 300],
            [D(2026, 9, 14), "SO8", 1, 200],
            [D(2026, 8, 30), "SO10", 1, 60],
            [D(2026, 9, 2), "SO10", 1, 40],
            [D(2026, 8, 19), "SO11", 1, 50],
        ],
    }


def load(workbook: Callable[..., Path], **kw: Any) -> Ledger:
    return read_ledger(workbook(sheets(**kw)), AS_OF)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    path = make_workbook(tmp_path_factory.mktemp("plan") / "ledger.xlsx", sheets())
    return read_ledger(path, AS_OF)


@pytest.fixture(scope="module")
def result(ledger: Ledger) -> PlanResult:
    return plan_ledger(ledger, AS_OF)


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def flat(df: pd.DataFrame, cols: list[str]) -> list[list[Any]]:
    """Rows as plain lists: dates as ISO text, NaN/NA as None."""
    out = []
    for rec in df[cols].itertuples(index=False):
        row = []
        for v in rec:
            if isinstance(v, pd.Timestamp):
                v = v.date().isoformat()
            elif v is pd.NaT or v is pd.NA or v is None or (isinstance(v, float) and np.isnan(v)):
                v = None
            elif isinstance(v, np.generic):
                v = v.item()
            row.append(v)
        out.append(row)
    return out


# --- the schedule core ---------------------------------------------------------------


def test_forward_schedule_jobs_share_days() -> None:
    # days: 8, 8, 0 (off), 8, 4; jobs of 10, 6 and 9 hours
    placed = forward_schedule(np.array([10.0, 6.0, 9.0]), np.array([8.0, 8.0, 0.0, 8.0, 4.0]))
    assert placed.first_day.tolist() == [0, 1, 3]
    assert placed.last_day.tolist() == [1, 1, 4]  # the 2nd job fits in the rest of day 1
    assert placed.scheduled.tolist() == [8.0, 8.0, 0.0, 8.0, 1.0]


def test_forward_schedule_job_ending_exactly_at_day_end() -> None:
    placed = forward_schedule(np.array([8.0, 0.1 + 0.2 + 7.7]), np.array([8.0, 8.0, 8.0]))
    assert placed.last_day.tolist() == [0, 1]
    assert placed.first_day.tolist() == [0, 1]


def test_forward_schedule_beyond_the_days_given() -> None:
    placed = forward_schedule(np.array([4.0, 20.0, 1.0]), np.array([8.0, 8.0]))
    assert placed.last_day.tolist() == [0, -1, -1]
    assert placed.first_day.tolist() == [0, -1, -1]
    assert placed.scheduled.tolist() == [4.0, 0.0]


# --- order lines -----------------------------------------------------------------------

ORDER_COLS = [
    "label", "status", "reason", "line", "rate", "rate_source", "forecast_start", "forecast_finish",
    "days_late", "workdays_late", "slack_workdays",
]


def test_order_lines_hand_computed(result: PlanResult) -> None:
    assert flat(result.orders, ORDER_COLS) == [
        # overdue first: due 15 Sep; 4 h on B on the 17th; 欠料 reported on the 16th
        ["SO8-1", "overdue", "material_shortage", "B线", 50.0, "standard", "2026-09-17", "2026-09-17", 2, 2, 0],
        # late across National Day: 12 Oct vs 8 Oct = 4 days; A works 9, 10 (make-up Sat),
        # 11 (overtime Sun), 12 -> 4 working days
        ["SO4-1", "late", "capacity", "A线", 10.0, "standard", "2026-09-24", "2026-10-12", 4, 4, 0],
        ["SO6-1", "unschedulable", "no_rate", "B线", None, None, None, None, None, None, None],
        # finishes 24 Sep, due Friday 25 Sep which is a holiday: no working day of slack;
        # 品质 reported on WO1 on the 15th
        ["SO1-1", "at_risk", "quality", "A线", 10.0, "standard", "2026-09-21", "2026-09-24", -1, 0, 0],
        # finishes 18 Sep, before its 20 Sep commitment (回复交期, a make-up Sunday);
        # A works 19 (Sat) and 20 -> slack 2 = risk days
        ["SO3-1", "at_risk", "no_work_order", "A线", 10.0, "standard", "2026-09-17", "2026-09-18", -2, -2, 2],
        ["SO12-1", "hold", None, "A线", 10.0, "standard", None, None, None, None, None],
        ["SO5-1", "on_track", None, "B线", 50.0, "standard", "2026-09-17", "2026-09-20", -4, -4, 4],
        # 30 Sep - 21 Sep: A works 23, 24, 28, 29, 30 (22 off by 日历, 25-27 holiday)
        ["SO2-1", "on_track", None, "A线", 30.0, "actual", "2026-09-18", "2026-09-21", -9, -5, 5],
        ["SO11-1", "done", None, "B线", 25.0, "standard", None, None, None, None, None],
        ["SO10-1", "done", None, "B线", 25.0, "standard", None, None, None, None, None],
        ["SO7-1", "done", None, "B线", 25.0, "standard", None, None, None, None, None],
        ["SO9-1", "cancelled", None, "B线", 50.0, "standard", None, None, None, None, None],
    ]


def test_progress_produced_shipped_balance(result: PlanResult) -> None:
    rows = result.orders.set_index("label")
    assert flat(rows.loc[["SO2-1", "SO8-1", "SO1-1", "SO7-1"]].reset_index(),
                ["label", "qty", "produced", "shipped", "ready_qty", "balance", "has_work_order"]) == [
        ["SO2-1", 1500.0, 720.0, 0.0, 720.0, 780.0, True],
        ["SO8-1", 500.0, 300.0, 200.0, 100.0, 200.0, True],
        ["SO1-1", 200.0, 40.0, 0.0, 40.0, 160.0, True],
        ["SO7-1", 300.0, 0.0, 300.0, 0.0, 300.0, False],
    ]
    assert result.order("SO3-1")["commitment_date"] == D(2026, 9, 20)  # 回复交期 over 交期
    assert result.order("SO4-1")["commitment_date"] == D(2026, 10, 8)  # 变更交期 over both


def test_work_orders(result: PlanResult) -> None:
    assert flat(result.work_orders, ["wo_no", "line", "produced", "balance", "rate_source", "scheduled",
                                     "forecast_start", "forecast_finish"]) == [
        ["WO1", "A线", 40.0, 160.0, "standard", True, "2026-09-21", "2026-09-24"],
        ["WO2", "A线", 720.0, 780.0, "actual", True, "2026-09-18", "2026-09-21"],
        ["WO4", "A线", 0.0, 600.0, "standard", True, "2026-09-24", "2026-10-12"],
        ["WO5", "B线", 0.0, 1000.0, "standard", True, "2026-09-17", "2026-09-20"],
        ["WO8", "B线", 300.0, 200.0, "standard", True, "2026-09-17", "2026-09-17"],
    ]


def test_rates_actual_needs_three_days_with_hours(result: PlanResult, workbook: Callable[..., Path]) -> None:
    assert flat(result.rates, ["item", "line", "std_rate", "actual_rate", "report_days"]) == [
        ["P2", "A线", 20.0, 30.0, 3]
    ]
    # Without the 14 Sep report only two days carry hours: the standard 20/h is used,
    # 1500 - 480 = 1020 -> 51 h after SO3's 10: cum 61 -> 28 Sep (24 Sep: 56, 28 Sep: 64).
    two_days = plan_ledger(load(workbook, drop_daily=3), AS_OF)
    so2 = two_days.order("SO2-1")
    assert (so2["rate"], so2["rate_source"], so2["balance"]) == (20.0, "standard", 1020.0)
    assert so2["forecast_finish"] == D(2026, 9, 28)


def test_line_with_reports_on_the_as_of_date_starts_the_next_day(workbook: Callable[..., Path]) -> None:
    # B线 reported WO5 on the 17th: B starts on the 18th; A still starts on the 17th.
    # B: SO8 4 h (18th: 4), SO5 (1000 - 100) / 50 = 18 h: 18th 6, 20th 10, 21st 2.
    ledger = load(workbook, daily_extra=[[D(2026, 9, 17), "WO5", "B线", 100, 2, None]])
    result = plan_ledger(ledger, AS_OF)
    assert result.starts == {"A线": D(2026, 9, 17), "B线": D(2026, 9, 18)}
    assert result.order("SO8-1")["forecast_finish"] == D(2026, 9, 18)
    assert result.order("SO5-1")["forecast_finish"] == D(2026, 9, 21)
    b = result.capacity_daily[result.capacity_daily["line"] == "B线"]
    assert b["date"].min() == ts("2026-09-18")


# --- line load ---------------------------------------------------------------------------


def test_daily_capacity_follows_the_calendar(result: PlanResult) -> None:
    cap = result.capacity_daily.set_index(["line", "date"])
    days = ["2026-09-18", "2026-09-19", "2026-09-20", "2026-09-22", "2026-09-26", "2026-10-03",
            "2026-10-10", "2026-10-11", "2026-10-12"]
    got = [
        (d, cap.at[(line, ts(d)), "available_hours"], cap.at[(line, ts(d)), "scheduled_hours"])
        for line in ("A线", "B线") for d in days
    ]
    assert got == [
        ("2026-09-18", 8.0, 8.0),  # shared: SO3 2 h + SO2 6 h
        ("2026-09-19", 8.0, 8.0),  # A works Saturdays
        ("2026-09-20", 8.0, 8.0),  # make-up Sunday
        ("2026-09-22", 0.0, 0.0),  # 日历: A rests
        ("2026-09-26", 0.0, 0.0),  # Mid-autumn holiday on a Saturday: off even for A
        ("2026-10-03", 0.0, 0.0),  # National Day on a Saturday
        ("2026-10-10", 8.0, 8.0),  # make-up Saturday
        ("2026-10-11", 4.0, 4.0),  # 日历: 4 h overtime on a Sunday
        ("2026-10-12", 8.0, 4.0),  # SO4's last 4 h
        ("2026-09-18", 10.0, 10.0),
        ("2026-09-19", 0.0, 0.0),  # B rests on Saturdays
        ("2026-09-20", 10.0, 4.0),  # make-up Sunday: SO5's last 4 h
        ("2026-09-22", 10.0, 0.0),
        ("2026-09-26", 0.0, 0.0),
        ("2026-10-03", 0.0, 0.0),
        ("2026-10-10", 10.0, 0.0),  # make-up Saturday worked by every line
        ("2026-10-11", 0.0, 0.0),
        ("2026-10-12", 10.0, 0.0),
    ]
    assert cap.at[("A线", ts("2026-10-12")), "utilization"] == 0.5
    assert np.isnan(cap.at[("A线", ts("2026-09-22")), "utilization"])


def test_weekly_capacity(result: PlanResult) -> None:
    assert flat(result.capacity_weekly, ["line", "week", "week_start", "available_hours", "scheduled_hours",
                                         "utilization"]) == [
        ["A线", "2026-W38", "2026-09-14", 32.0, 32.0, 1.0],  # 17-20 only: the plan starts on the 17th
        ["A线", "2026-W39", "2026-09-21", 24.0, 24.0, 1.0],
        ["A线", "2026-W40", "2026-09-28", 24.0, 24.0, 1.0],
        ["A线", "2026-W41", "2026-10-05", 28.0, 28.0, 1.0],
        ["A线", "2026-W42", "2026-10-12", 48.0, 4.0, 0.0833],
        ["B线", "2026-W38", "2026-09-14", 30.0, 24.0, 0.8],
        ["B线", "2026-W39", "2026-09-21", 40.0, 0.0, 0.0],
        ["B线", "2026-W40", "2026-09-28", 30.0, 0.0, 0.0],
        ["B线", "2026-W41", "2026-10-05", 30.0, 0.0, 0.0],
        ["B线", "2026-W42", "2026-10-12", 50.0, 0.0, 0.0],
    ]


def test_overload_on_line_a(result: PlanResult) -> None:
    """Required load on A, each job laid backward from its date at 8 h a day:
    SO3 10 h by 20 Sep (19: 2, 20: 8); SO1 16 h by 25 Sep (23: 8, 24: 8); SO2 26 h
    by 30 Sep (24: 2, 28-30: 8 each); SO4 60 h by 8 Oct (20: 4, then 8 h on each
    working day 21 Sep - 8 Oct). Cumulative required minus available: 24 Sep 0,
    28 Sep +8, 29 +16, 30 Sep - 8 Oct +24 (the holiday adds nothing to either),
    9 Oct +16, 10 +8, 11 +4 (4 h Sunday), 12 Oct -4. One episode, 28 Sep - 11 Oct,
    24 h short by 8 Oct (112 h due, 88 h available): the latest-due work, SO4 at
    10/h, 240 pcs of P1. Of the lines due in the episode (SO2, SO4) only SO4 is
    forecast late."""
    assert flat(result.overloads, ["line", "from", "by_date", "shortfall_hours", "items", "order_keys"]) == [
        ["A线", "2026-09-28", "2026-10-08", 24.0, [{"item": "P1", "qty": 240}], ["SO4-1"]],
    ]
    a = result.capacity_daily[result.capacity_daily["line"] == "A线"].set_index("date")["required_hours"]
    assert {str(d.date()): h for d, h in a.items() if h} == {
        "2026-09-19": 2, "2026-09-20": 12, "2026-09-21": 8, "2026-09-23": 16, "2026-09-24": 18,
        "2026-09-28": 16, "2026-09-29": 16, "2026-09-30": 16, "2026-10-08": 8,
    }


def test_overload_shortfall_spans_items(workbook: Callable[..., Path]) -> None:
    """Line L: 8 h Monday-Friday. By Monday 2 Nov: O1 150 pcs at 10/h (15 h) and
    O2 20 pcs at 4/h (5 h) are due, 8 h available: 12 h short = all of O2 (20 pcs)
    and 7 h of O1 (70 pcs). By Friday: + O3 10 h = 30 h due, 40 h available."""
    path = workbook({
        "订单": [
            ["订单号", "客户", "产品编码", "数量", "下单日期", "交期"],
            ["O1", "C", "Q1", 150, D(2026, 10, 20), D(2026, 11, 2)],
            ["O2", "C", "Q2", 20, D(2026, 10, 21), D(2026, 11, 2)],
            ["O3", "C", "Q1", 100, D(2026, 10, 20), D(2026, 11, 6)],
        ],
        "产品": [["产品编码", "产线", "标准产能"], ["Q1", "L", 10], ["Q2", "L", 4]],
        "产线": [["产线", "每班工时"], ["L", 8]],
        "工单": [["工单号", "订单号", "产品编码", "数量"]],
        "生产日报": [["日期", "工单号", "良品数"]],
        "出货": [["出货日期", "订单号", "数量"]],
    })
    result = plan_ledger(read_ledger(path, D(2026, 11, 2)), D(2026, 11, 2))
    # Required: Monday 2 Nov 15 (O1, 7 h of it overflow) + 5 (O2) = 20 h, O3 2 h on Thursday
    # and 8 h on Friday. Cumulative excess: Mon 12, Tue 4, then below: one episode of two days.
    assert flat(result.overloads, ["line", "from", "by_date", "shortfall_hours", "items", "order_keys"]) == [
        ["L", "2026-11-02", "2026-11-02", 12.0, [{"item": "Q2", "qty": 20}, {"item": "Q1", "qty": 70}],
         ["O1(Q1)", "O2(Q2)"]],
    ]
    # The schedule itself: O1 15 h -> Tue 3 Nov, O2 5 h -> Wed 4 Nov, O3 10 h -> Thu 5 Nov.
    assert flat(result.orders, ["label", "forecast_finish", "status"]) == [
        ["O2(Q2)", "2026-11-04", "late"],
        ["O1(Q1)", "2026-11-03", "late"],
        ["O3(Q1)", "2026-11-05", "at_risk"],
    ]


def test_beyond_the_horizon_is_unschedulable(workbook: Callable[..., Path]) -> None:
    path = workbook({
        "订单": [
            ["订单号", "客户", "产品编码", "数量", "下单日期", "交期"],
            ["BIG", "C", "Q1", 10_000_000, D(2026, 10, 20), D(2026, 12, 2)],
            ["AFTER", "C", "Q1", 10, D(2026, 10, 20), D(2026, 12, 3)],
        ],
        "产品": [["产品编码", "产线", "标准产能"], ["Q1", "L", 10]],
        "产线": [["产线"], ["L"]],
        "工单": [["工单号", "订单号", "产品编码", "数量"]],
        "生产日报": [["日期", "工单号", "良品数"]],
        "出货": [["出货日期", "订单号", "数量"]],
    })
    result = plan_ledger(read_ledger(path, D(2026, 11, 2)), D(2026, 11, 2))
    assert flat(result.orders, ["label", "status", "reason", "forecast_finish"]) == [
        ["BIG(Q1)", "unschedulable", "capacity", None],
        ["AFTER(Q1)", "unschedulable", "capacity", None],
    ]


# --- OTD, JSON ----------------------------------------------------------------------------


def test_otd_per_customer_and_month(result: PlanResult) -> None:
    # ACME August: SO11 on time (19 vs 20 Aug), SO10 last shipped 2 Sep vs 31 Aug: late.
    # GAMMA September: SO7 shipped 9 Sep vs 10 Sep. SO8 is only partly shipped.
    assert flat(result.otd, ["customer", "month", "lines", "on_time", "rate"]) == [
        ["ACME", "2026-08", 2, 1, 0.5],
        ["GAMMA", "2026-09", 1, 1, 1.0],
    ]


def test_json_contract(result: PlanResult) -> None:
    data = result.to_json()
    assert list(data) == ["as_of", "orders", "work_orders", "capacity", "overloads", "otd", "forecasts"]
    assert data["as_of"] == "2026-09-17"
    assert list(data["orders"][0]) == [
        "order_no", "line_no", "customer", "item", "qty", "produced", "shipped", "balance", "uncovered_qty",
        "due_date",
        "commitment_date", "line", "rate", "rate_source", "forecast_finish", "days_late", "workdays_late",
        "slack_workdays", "status", "reason",
    ]
    so4 = next(o for o in data["orders"] if o["order_no"] == "SO4")
    assert so4 == {
        "order_no": "SO4", "line_no": "1", "customer": "BETA", "item": "P1", "qty": 600, "produced": 0,
        "shipped": 0, "balance": 600, "uncovered_qty": 0, "due_date": "2026-10-09", "commitment_date": "2026-10-08",
        "line": "A线", "rate": 10, "rate_source": "standard", "forecast_finish": "2026-10-12",
        "days_late": 4, "workdays_late": 4, "slack_workdays": 0, "status": "late", "reason": "capacity",
    }
    so9 = next(o for o in data["orders"] if o["order_no"] == "SO9")
    assert (so9["forecast_finish"], so9["days_late"], so9["reason"]) == (None, None, None)
    periods = [c["period"] for c in data["capacity"]]
    assert "2026-09-17" in periods and "2026-W41" in periods
    assert all(set(c) == {"line", "period", "available_hours", "scheduled_hours", "utilization",
                          "required_hours", "required_utilization", "forecast_hours"} for c in data["capacity"])
    # No 预测 sheet: no soft load anywhere.
    assert all(c["forecast_hours"] == 0 for c in data["capacity"]) and data["forecasts"] == []
    w39 = next(c for c in data["capacity"] if c["line"] == "A线" and c["period"] == "2026-W39")
    # 21-27 Sep on A: 21, 23, 24 worked (22 maintenance, 25-27 Mid-autumn): 24 h available, all
    # scheduled; required 8 + 16 + 18 = 42 h (see test_overload_on_line_a): 175%.
    assert (w39["available_hours"], w39["scheduled_hours"], w39["required_hours"]) == (24, 24, 42)
    assert w39["required_utilization"] == 1.75
    day_off = next(c for c in data["capacity"] if c["line"] == "A线" and c["period"] == "2026-09-22")
    assert day_off["utilization"] is None
    assert data["overloads"] == [{"line": "A线", "from": "2026-09-28", "by_date": "2026-10-08",
                                  "shortfall_hours": 24, "items": [{"item": "P1", "qty": 240}],
                                  "order_keys": ["SO4-1"]}]
    assert data["otd"][0] == {"customer": "ACME", "month": "2026-08", "lines": 2, "on_time": 1, "rate": 0.5}
    assert set(data["work_orders"][0]) >= {"wo_no", "order_no", "forecast_finish", "rate_source"}


def test_risk_days_from_settings(workbook: Callable[..., Path]) -> None:
    book = sheets()
    book["设置"] = [["项目", "值"], ["风险天数", 3]]
    result = plan_ledger(read_ledger(workbook(book), AS_OF), AS_OF)
    assert result.risk_days == 3
    assert result.order("SO5-1")["status"] == "on_track"  # slack 4 > 3
    assert result.order("SO1-1")["status"] == "at_risk"  # slack 0
    assert plan_ledger(read_ledger(workbook(book), AS_OF), AS_OF, risk_days=4).order("SO5-1")["status"] == "at_risk"
    # SO3 has no work order at all: at risk whatever its slack (2 working days here).
    for risk in (0, 3):
        so3 = plan_ledger(read_ledger(workbook(book), AS_OF), AS_OF, risk_days=risk).order("SO3-1")
        assert (so3["status"], so3["reason"], so3["slack_workdays"]) == ("at_risk", "no_work_order", 2)


# --- what-if ------------------------------------------------------------------------------


def test_whatif_rush_order(ledger: Ledger) -> None:
    """特急 100 x P1 due 22 Sep goes on A after SO3 (特急, due 20 Sep): 10 h, cum 20 -> 19 Sep.
    Everything after it on A moves 10 h later: SO2 cum 46 -> 23 Sep (22 off), SO1 cum 62 -> 28 Sep
    (25-27 off; due 25 Sep: becomes late), SO4 cum 122 -> 13 Oct. B does not move."""
    result = whatif(ledger, "P1", 100, D(2026, 9, 22), AS_OF)
    assert result.to_json() == {
        "new": {"forecast_finish": "2026-09-19", "days_late": -3, "status": "at_risk"},
        "moved": [
            {"order_no": "SO1", "line_no": "1", "before": "2026-09-24", "after": "2026-09-28",
             "delta_days": 4, "becomes_late": True, "material_lost": False},
            {"order_no": "SO2", "line_no": "1", "before": "2026-09-21", "after": "2026-09-23",
             "delta_days": 2, "becomes_late": False, "material_lost": False},
            {"order_no": "SO4", "line_no": "1", "before": "2026-10-12", "after": "2026-10-13",
             "delta_days": 1, "becomes_late": False, "material_lost": False},
        ],
    }
    assert result.new["line"] == "A线"
    assert result.moved["status_after"].tolist() == ["late", "on_track", "late"]


def test_whatif_normal_priority_on_another_line(ledger: Ledger) -> None:
    # 普通 500 x P3 (10 h at 50/h) on B (10 h a day), due 23 Sep: after SO8 (due 15th, 4 h) and
    # before SO5 (due 24th, 20 h): cum 14 -> 18 Sep; SO5 cum 34 -> 6 h of the 18th, 10 h on the
    # make-up Sunday 20th, 4 h on the 21st (before: cum 24 -> the 20th).
    result = whatif(ledger, "P3", 500, D(2026, 9, 23), AS_OF, line="B线", priority="普通")
    assert (result.new["line"], result.new["forecast_finish"], result.new["status"]) == (
        "B线", D(2026, 9, 18), "at_risk"  # a rush line has no work order yet: never on track
    )
    assert flat(result.moved, ["label", "before", "after", "delta_days", "becomes_late"]) == [
        ["SO5-1", "2026-09-20", "2026-09-21", 1, False],
    ]


def test_whatif_refuses_a_line_the_item_does_not_run_on(ledger: Ledger) -> None:
    from gendan_xl.plan import PlanInputError

    with pytest.raises(PlanInputError, match="A线"):
        whatif(ledger, "P1", 200, D(2026, 9, 23), AS_OF, line="B线")
    with pytest.raises(PlanInputError, match="不在产线表中"):
        whatif(ledger, "P1", 200, D(2026, 9, 23), AS_OF, line="C线")


def test_whatif_unknown_item_moves_nothing(ledger: Ledger) -> None:
    result = whatif(ledger, "NOPE", 10, D(2026, 9, 30), AS_OF)
    assert result.to_json() == {"new": {"forecast_finish": None, "days_late": None, "status": "unschedulable"},
                                "moved": []}


def test_forecasts_in_years_without_holiday_data_are_flagged() -> None:
    from gendan_xl.calendar import WorkCalendar
    from gendan_xl.ledger import Ledger
    from gendan_xl.plan.core import _calendar_issues

    cal = WorkCalendar.national()
    cal.workdays_between(date(2026, 12, 1), date(2027, 3, 1))  # touches 2027
    ledger = Ledger(name="l.xlsx", tables={}, files=["l.xlsx"])
    late = pd.DataFrame({"forecast_finish": [pd.Timestamp("2027-02-10")]})
    early = pd.DataFrame({"forecast_finish": [pd.Timestamp("2026-12-20")]})
    assert [(i.code, i.value, i.severity.value) for i in _calendar_issues(ledger, cal, late)] == [
        ("no-holiday-data", "2027", "info")
    ]
    assert _calendar_issues(ledger, cal, early) == []
