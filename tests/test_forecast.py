"""Customer forecasts (预测) as soft load, checked against a plan worked out by hand.

The ledger is planned at Monday 2026-11-02. One line, L1: 1 shift x 8 h, rests on
Saturdays and Sundays (no holidays in November and December 2026). Item P1 runs
on L1 at the standard rate 10 pcs/h; nothing has been reported, so every rate is
the standard one.

Firm order lines (all 普通, no work orders: planned as uncovered work on L1):
  SO1 ACME  P1 400 due 2026-11-20 -> 40 h
  SO4 BETA  P1 100 due 2026-11-25 -> 10 h
  SO2 ACME  P1 200 due 2026-11-27 -> 20 h
  SO3 ACME  P1 300 due 2026-12-10, 取消 (consumes nothing, not planned)
Firm schedule (commitment order): SO1 Nov 2-6 (40 h, finishes Fri Nov 6); SO4
Nov 9 8 h + Nov 10 2 h (finishes Nov 10); SO2 Nov 10 6 h + Nov 11 8 h + Nov 12 6 h
(finishes Nov 12). Left over: 2 h on Nov 12, then every working day from Nov 13.

Forecasts (预测):
  ACME P1 月份 2026-11  1000: firm ACME P1 due in November = 400 + 200 = 600
      -> 400 open -> 400 / 10 = 40 h
  ACME P1 月份 2026年12月 500: firm in December: SO3 only, cancelled = 0
      -> 500 open -> 50 h
  BETA P1 周 2026-W48 (Nov 23-29) 150: firm SO4 (due Nov 25) = 100 -> 50 open -> 5 h
Second pass, in order of period end (W48 ends Nov 29, November Nov 30, December
Dec 31), none before its period starts, on the leftover hours only:
  ACME 2026-11 (may start Nov 2): Nov 12 2 h, Nov 13 8, Nov 16 8, 17 8, 18 8,
      Nov 19 6 -> 40 h, start Nov 12, finish Nov 19.
  BETA W48 (from Mon Nov 23): Nov 23 5 h -> start = finish = Nov 23
      (the line has 2 h on Nov 19 and Nov 20 free, but the week has not begun).
  ACME 2026-12 (from Tue Dec 1): Dec 1-4 and 7-8 8 h each (48 h) + Dec 9 2 h
      -> finish Dec 9.
Weekly forecast hours: W46 (Nov 9-15) 2 + 8 = 10 (firm 8 + 8 + 8 + 6 = 30 of 40);
W47 8 + 8 + 8 + 6 = 30; W48 5; W49 32; W50 18.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from helpers import make_workbook

from gendan_xl.checks import run_checks
from gendan_xl.forecasts import forecast_rows, parse_month, parse_week
from gendan_xl.plan import PlanResult, plan_ledger
from gendan_xl.read import read_ledger

D = date
AS_OF = D(2026, 11, 2)

FORECAST_ROWS: list[list[Any]] = [
    ["客户", "产品编码", "月份", "周", "数量"],
    ["ACME", "P1", "2026-11", None, 1000],
    ["ACME", "P1", "2026年12月", None, 500],
    ["BETA", "P1", None, "2026-W48", 150],
]


def sheets(forecasts: list[list[Any]] | None = None, forecast_sheet: str = "预测") -> dict[str, Any]:
    out: dict[str, Any] = {
        "订单": [
            ["订单号", "行号", "客户", "产品编码", "数量", "下单日期", "交期", "状态"],
            ["SO1", 1, "ACME", "P1", 400, D(2026, 10, 20), D(2026, 11, 20), None],
            ["SO2", 1, "ACME", "P1", 200, D(2026, 10, 20), D(2026, 11, 27), None],
            ["SO3", 1, "ACME", "P1", 300, D(2026, 10, 20), D(2026, 12, 10), "取消"],
            ["SO4", 1, "BETA", "P1", 100, D(2026, 10, 20), D(2026, 11, 25), None],
        ],
        "产品": [["产品编码", "产线", "标准产能"], ["P1", "L1", 10]],
        "产线": [["产线", "班次数", "每班工时", "休息日"], ["L1", 1, 8, "六,日"]],
        "工单": [["工单号", "订单号", "产品编码", "数量"]],
        "生产日报": [["日期", "工单号", "良品数"]],
        "出货": [["出货日期", "订单号", "数量"]],
        "客户": [["客户"], ["ACME"], ["BETA"]],
    }
    if forecasts is not None:
        out[forecast_sheet] = forecasts
    return out


def plan_of(tmp_path: Path, name: str, content: dict[str, Any]) -> PlanResult:
    path = make_workbook(tmp_path / name, content)
    return plan_ledger(read_ledger(path, AS_OF), AS_OF)


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlanResult, PlanResult]:
    tmp = tmp_path_factory.mktemp("forecast")
    return plan_of(tmp, "firm.xlsx", sheets()), plan_of(tmp, "with.xlsx", sheets(FORECAST_ROWS))


def test_forecast_consumption_by_hand(plans: tuple[PlanResult, PlanResult]) -> None:
    _, result = plans
    f = result.forecasts.set_index(["customer", "period"])
    nov = f.loc[("ACME", "2026-11")]
    # 1,000 forecast - (400 + 200) firm in November = 400 soft -> 400 / 10 pcs/h = 40 h
    assert (nov["forecast_qty"], nov["firm_qty"], nov["open_qty"], nov["hours"]) == (1000, 600, 400, 40)
    assert (nov["line"], nov["rate"]) == ("L1", 10)
    assert (nov["forecast_start"], nov["forecast_finish"]) == (pd.Timestamp(2026, 11, 12), pd.Timestamp(2026, 11, 19))
    assert nov["period_end"] == pd.Timestamp(2026, 11, 30) and bool(nov["in_period"])
    dec = f.loc[("ACME", "2026-12")]
    # the cancelled SO3 consumes nothing: 500 open, 50 h, Dec 1 .. Dec 9
    assert (dec["firm_qty"], dec["open_qty"], dec["hours"]) == (0, 500, 50)
    assert (dec["forecast_start"], dec["forecast_finish"]) == (pd.Timestamp(2026, 12, 1), pd.Timestamp(2026, 12, 9))
    w48 = f.loc[("BETA", "2026-W48")]
    assert (w48["period_start"], w48["period_end"]) == (pd.Timestamp(2026, 11, 23), pd.Timestamp(2026, 11, 29))
    assert (w48["firm_qty"], w48["open_qty"], w48["hours"]) == (100, 50, 5)
    assert w48["forecast_start"] == w48["forecast_finish"] == pd.Timestamp(2026, 11, 23)
    # Order of the second pass: by the period's end.
    assert list(result.forecasts["period"]) == ["2026-W48", "2026-11", "2026-12"]


def test_firm_orders_never_below_zero(tmp_path: Path) -> None:
    # A forecast of 500 for November against 600 firm: nothing open, no hours.
    rows = [FORECAST_ROWS[0], ["ACME", "P1", "2026-11", None, 500]]
    result = plan_of(tmp_path, "over.xlsx", sheets(rows))
    f = result.forecasts.iloc[0]
    assert (f["forecast_qty"], f["firm_qty"], f["open_qty"], f["hours"]) == (500, 600, 0, 0)
    assert pd.isna(f["forecast_finish"])
    assert float(result.capacity_daily["forecast_hours"].sum()) == 0


def test_forecast_load_by_day_and_week(plans: tuple[PlanResult, PlanResult]) -> None:
    _, result = plans
    day = result.capacity_daily.set_index("date")
    hours = {d: float(day.at[pd.Timestamp(d), "forecast_hours"]) for d in (
        D(2026, 11, 11), D(2026, 11, 12), D(2026, 11, 13), D(2026, 11, 19), D(2026, 11, 20),
        D(2026, 11, 23), D(2026, 11, 24), D(2026, 12, 8), D(2026, 12, 9), D(2026, 12, 10))}
    assert hours == {
        D(2026, 11, 11): 0, D(2026, 11, 12): 2, D(2026, 11, 13): 8, D(2026, 11, 19): 6, D(2026, 11, 20): 0,
        D(2026, 11, 23): 5, D(2026, 11, 24): 0, D(2026, 12, 8): 8, D(2026, 12, 9): 2, D(2026, 12, 10): 0,
    }
    assert float(day.at[pd.Timestamp(2026, 11, 12), "scheduled_hours"]) == 6  # firm, unchanged
    week = result.capacity_weekly.set_index("week")
    got = {w: (float(week.at[w, "scheduled_hours"]), float(week.at[w, "forecast_hours"]))
           for w in ("2026-W46", "2026-W47", "2026-W48", "2026-W49", "2026-W50")}
    assert got == {"2026-W46": (30, 10), "2026-W47": (0, 30), "2026-W48": (0, 5), "2026-W49": (0, 32),
                   "2026-W50": (0, 18)}
    # Firm + forecast never above what the line has.
    cap = result.capacity_daily
    assert ((cap["scheduled_hours"] + cap["forecast_hours"]) <= cap["available_hours"] + 1e-9).all()
    # Soft load is not required load: no overload episode from forecasts.
    assert result.overloads.empty


def test_firm_results_identical_with_and_without_forecasts(plans: tuple[PlanResult, PlanResult]) -> None:
    firm, with_fc = plans
    pd.testing.assert_frame_equal(firm.orders.drop(columns=["_src"]), with_fc.orders.drop(columns=["_src"]))
    so2 = with_fc.order("SO2-1")
    # at risk only because no work order covers it yet (as without forecasts)
    assert (so2["forecast_finish"], so2["status"], so2["reason"]) == (D(2026, 11, 12), "at_risk", "no_work_order")
    a = firm.capacity_daily.set_index(["line", "date"])
    b = with_fc.capacity_daily.set_index(["line", "date"]).reindex(a.index)
    for col in ("available_hours", "scheduled_hours", "required_hours", "utilization"):
        pd.testing.assert_series_equal(a[col], b[col])


def test_json_forecast_hours_and_forecasts(plans: tuple[PlanResult, PlanResult]) -> None:
    firm, result = plans
    data = result.to_json()
    cap = {(c["line"], c["period"]): c for c in data["capacity"]}
    assert cap[("L1", "2026-11-12")]["forecast_hours"] == 2
    assert cap[("L1", "2026-11-12")]["scheduled_hours"] == 6
    assert cap[("L1", "2026-W47")]["forecast_hours"] == 30
    assert cap[("L1", "2026-W47")]["utilization"] == 0  # firm only: forecasts are beside it
    nov = next(f for f in data["forecasts"] if f["period"] == "2026-11")
    assert nov == {
        "customer": "ACME", "item": "P1", "period": "2026-11", "period_start": "2026-11-01",
        "period_end": "2026-11-30", "forecast_qty": 1000, "firm_qty": 600, "open_qty": 400, "line": "L1",
        "hours": 40, "forecast_start": "2026-11-12", "forecast_finish": "2026-11-19", "in_period": True,
    }
    assert all(c["forecast_hours"] == 0 for c in firm.to_json()["capacity"])
    assert firm.to_json()["forecasts"] == []


def test_full_name_and_spelling_match_the_orders(tmp_path: Path) -> None:
    # 客户.全称 "Acme Trading Ltd" stands for ACME; "ａｃｍｅ " is ACME after normalising:
    # both November forecasts (300 + 700 = 1,000) are consumed by ACME's 600.
    content = sheets([FORECAST_ROWS[0], ["Acme Trading Ltd", "P1", "2026-11", None, 300],
                      ["ａｃｍｅ ", "P1", "2026/11", None, 700]])
    content["客户"] = [["客户", "全称"], ["ACME", "Acme Trading Ltd"], ["BETA", None]]
    result = plan_of(tmp_path, "names.xlsx", content)
    assert list(zip(result.forecasts["forecast_qty"], result.forecasts["firm_qty"], result.forecasts["open_qty"],
                    strict=True)) == [(1000, 600, 400)]


def test_sheet_alias_and_english_headers(tmp_path: Path) -> None:
    rows = [["customer", "item", "month", "week", "qty"], ["ACME", "P1", "2026-11", None, 1000]]
    result = plan_of(tmp_path, "alias.xlsx", sheets(rows, forecast_sheet="客户预测"))
    assert list(result.forecasts["open_qty"]) == [400]


# --- periods ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026-12", D(2026, 12, 1), D(2026, 12, 31)),
        ("2026/2", D(2026, 2, 1), D(2026, 2, 28)),
        ("2026.12", D(2026, 12, 1), D(2026, 12, 31)),
        ("202612", D(2026, 12, 1), D(2026, 12, 31)),
        ("2026年12月", D(2026, 12, 1), D(2026, 12, 31)),
        ("２０２６年１２月", D(2026, 12, 1), D(2026, 12, 31)),
        ("2026-12-05", D(2026, 12, 1), D(2026, 12, 31)),  # an Excel date in the month
        ("1月", D(2027, 1, 1), D(2027, 1, 31)),  # nearest the as-of date 2026-11-02
        ("10月", D(2026, 10, 1), D(2026, 10, 31)),
    ],
)
def test_month_forms(text: str, first: date, last: date) -> None:
    assert parse_month(text, AS_OF) == (first, last)


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2026-W49", D(2026, 11, 30)),
        ("2026w49", D(2026, 11, 30)),
        ("2026 W 49", D(2026, 11, 30)),
        ("2026年第49周", D(2026, 11, 30)),
        ("W01", D(2027, 1, 4)),  # no year: the nearest W01 to 2026-11-02 is 2027's (Mon 2027-01-04)
        ("2026-W53", D(2026, 12, 28)),  # 2026 starts on a Thursday: it has 53 ISO weeks
        ("2026-12-03", D(2026, 11, 30)),  # a date: its ISO week
        ("2020-W53", D(2020, 12, 28)),
    ],
)
def test_week_forms(text: str, monday: date) -> None:
    got = parse_week(text, AS_OF)
    assert got is not None and got[0] == monday and (got[1] - got[0]).days == 6


@pytest.mark.parametrize("text", ["2026-13", "13月", "2026-00", "下个月", "2026-W", "202613"])
def test_bad_months(text: str) -> None:
    assert parse_month(text, AS_OF) is None


@pytest.mark.parametrize("text", ["2026-W54", "2026-W00", "2027-W53", "第60周", "下周"])
def test_bad_weeks(text: str) -> None:
    assert parse_week(text, AS_OF) is None


# --- checks -------------------------------------------------------------------------


def test_checks_point_at_the_cell(tmp_path: Path) -> None:
    rows = [
        ["客户", "产品编码", "月份", "周", "数量"],
        ["ACME", "P1", "2026-13", None, 100],  # row 2: no such month
        ["ACME", "P1", None, "2026-W54", 100],  # row 3: no such week
        ["ACME", "P1", "2026-12", "2026-W49", 100],  # row 4: both
        ["ACME", "P1", None, None, 100],  # row 5: neither
        ["ACME", "P9", "2026-12", None, 100],  # row 6: unknown item
        ["无名", "P1", "2026-12", None, 100],  # row 7: unknown customer
        ["ACME", "P1", "2026-12", None, 0],  # row 8: qty 0
        ["acme", "P1", "2026-12", None, 100],  # row 9: the customer, case aside: fine
    ]
    path = make_workbook(tmp_path / "bad.xlsx", sheets(rows))
    ledger = read_ledger(path, AS_OF)
    issues = [i for i in [*ledger.issues, *run_checks(ledger, AS_OF)] if i.ref.sheet == "预测"]
    got = sorted((i.code, i.ref.cell, i.severity.value) for i in issues)
    assert got == [
        ("bad-period", "C2", "error"),
        ("bad-period", "C5", "error"),
        ("bad-period", "D3", "error"),
        ("bad-period", "D4", "error"),
        ("non-positive-qty", "E8", "error"),
        ("unknown-forecast-customer", "A7", "warning"),
        ("unknown-forecast-item", "B6", "warning"),
    ]
    by_cell = {i.ref.cell: i for i in issues}
    assert by_cell["C2"].message() == "「月份」无法识别:2026-13(月份填 2026-12、2026年12月或该月任一日期)"
    assert "2026-W49 (ISO week)" in by_cell["D3"].message("en")
    assert by_cell["D4"].message() == "「周」无法识别:2026-12 / 2026-W49(月份和周只能填一个)"
    # Only readable rows of known items with qty > 0 are planned: rows 7 and 9 (December;
    # row 9's customer keeps its spelling, row 8 has qty 0).
    planned = plan_ledger(ledger, AS_OF).forecasts
    assert sorted(zip(planned["customer"], planned["forecast_qty"], strict=True)) == [("acme", 100), ("无名", 100)]
    assert len(forecast_rows(ledger, AS_OF).issues) == 4


def test_without_forecast_sheet_nothing_to_check(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "none.xlsx", sheets())
    ledger = read_ledger(path, AS_OF)
    assert [i for i in run_checks(ledger, AS_OF) if "forecast" in i.code or i.code == "bad-period"] == []


def test_periods_that_ended_are_not_planned(tmp_path: Path) -> None:
    # October, and 2026-W44 (Oct 26 - Nov 1), ended before the as-of date 2026-11-02.
    rows = [FORECAST_ROWS[0], ["ACME", "P1", "2026-10", None, 1000], ["ACME", "P1", None, "2026-W44", 10]]
    result = plan_of(tmp_path, "past.xlsx", sheets(rows))
    assert result.forecasts.empty


# --- report -------------------------------------------------------------------------


def test_report_shows_firm_and_forecast_stacked(tmp_path: Path, plans: tuple[PlanResult, PlanResult]) -> None:
    from gendan_xl.write.report import write_report
    from gendan_xl.write.report_data import build_report_data

    path = make_workbook(tmp_path / "with.xlsx", sheets(FORECAST_ROWS))
    ledger = read_ledger(path, AS_OF)
    result = plan_ledger(ledger, AS_OF)
    out = write_report(tmp_path / "report.xlsx", build_report_data(ledger, result, [], AS_OF))
    ws = openpyxl.load_workbook(out)["产能负荷"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    # the weekly hours grid gains a 预测工时 row per line
    head = next(i for i, r in enumerate(rows) if r[0] == "产线" and r[1] == "项目")
    weeks = rows[head][2:]
    grid = {r[1]: dict(zip(weeks, r[2:], strict=True)) for r in rows if r[0] == "L1" and r[1] and "工时" in r[1]}
    assert grid["排产工时"]["2026-W46"] == 30 and grid["预测工时"]["2026-W46"] == 10
    assert grid["预测工时"]["2026-W47"] == 30
    # the stacked table: 产线, 周, 可用工时, 订单排产工时, 预测工时, 合计负荷率
    top = next(i for i, r in enumerate(rows) if r[:6] == ["产线", "周", "可用工时", "订单排产工时", "预测工时", "合计负荷率"])
    table = {r[1]: r[2:6] for r in rows[top + 1:] if r[0] == "L1" and isinstance(r[1], str) and "-W" in r[1]}
    assert table["2026-W45"] == [40, 40, 0, 1]  # SO1 fills the week
    assert table["2026-W46"] == [40, 30, 10, 1]  # 30 firm + 10 forecast of 40
    assert table["2026-W48"] == [40, 0, 5, 0.125]
    assert list(table) == [f"2026-W{w}" for w in range(45, 51)]  # as-of week through the last busy one (W50)
    chart = next(c for c in ws._charts if c.grouping == "stacked")
    refs = [s.val.numRef.f for s in chart.series]
    assert len(refs) == 2 and refs[0].endswith(f"$D${top + 2}:$D${top + 1 + len(table)}") and "$E$" in refs[1]


# --- property: forecasts never move firm work --------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_plan_props import PROPS, ledgers  # noqa: E402

from gendan_xl.ledger import ROW as _ROW  # noqa: E402
from gendan_xl.ledger import Ledger, Source, make_table  # noqa: E402

FIRM_COLUMNS = ["key", "forecast_start", "forecast_finish", "status", "reason", "days_late", "workdays_late",
                "slack_workdays", "line", "rate"]


@st.composite
def forecast_tables(draw: st.DrawFn, as_of: date) -> list[dict[str, Any]]:
    """Random 预测 rows around the as-of date: months and weeks as text or dates,
    customers with and without orders, items known and unknown, some unreadable."""
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        day = as_of + pd.Timedelta(days=draw(st.integers(-40, 90)))
        form = draw(st.sampled_from(["month", "month_date", "week", "week_date", "bad"]))
        month = week = None
        if form == "month":
            month = f"{day:%Y-%m}"
        elif form == "month_date":
            month = f"{day:%Y-%m-%d}"
        elif form == "week":
            iso = day.isocalendar()
            week = f"{iso[0]}-W{iso[1]:02d}"
        elif form == "week_date":
            week = f"{day:%Y-%m-%d}"
        else:
            month = "2026-13"
        rows.append({
            "customer": draw(st.sampled_from(["A", "B", "C"])),
            "item": draw(st.sampled_from(["I1", "I2", "I3", "I9"])),
            "month": month, "week": week,
            "qty": float(draw(st.sampled_from([0, 50, 500, 3000, 20000]))),
        })
    return rows


@PROPS
@given(ledgers(), st.data())
def test_forecasts_never_change_firm_results(case: tuple[Ledger, date], data: st.DataObject) -> None:
    ledger, as_of = case
    rows = data.draw(forecast_tables(as_of))
    frame = pd.DataFrame(rows, columns=["customer", "item", "month", "week", "qty"]).astype(
        {"customer": object, "item": object, "month": object, "week": object, "qty": "float64"})
    frame[_ROW] = range(2, len(frame) + 2)
    tables = dict(ledger.tables)
    tables["forecasts"] = make_table("forecasts", [(frame, Source("mem.xlsx", "预测", {}))] if rows else [])
    with_fc = Ledger(ledger.name, tables)
    before = plan_ledger(ledger, as_of)
    after = plan_ledger(with_fc, as_of)
    # Every firm order line: same forecast, status, lateness; every work order too.
    pd.testing.assert_frame_equal(before.orders[FIRM_COLUMNS], after.orders[FIRM_COLUMNS])
    pd.testing.assert_frame_equal(before.work_orders, after.work_orders)
    pd.testing.assert_frame_equal(before.overloads, after.overloads)
    # Firm hours per day unchanged; firm + forecast never above what a line has.
    a = before.capacity_daily.set_index(["line", "date"])
    b = after.capacity_daily.set_index(["line", "date"])
    shared = a.index.intersection(b.index)
    assert len(shared) == len(a)
    pd.testing.assert_series_equal(a.loc[shared, "scheduled_hours"], b.loc[shared, "scheduled_hours"])
    pd.testing.assert_series_equal(a.loc[shared, "required_hours"], b.loc[shared, "required_hours"])
    assert ((b["scheduled_hours"] + b["forecast_hours"]) <= b["available_hours"] + 1e-6).all()
    # Forecast hours placed = hours of the forecasts that fit (none lost, none invented).
    fc = after.forecasts
    placed = fc[fc["forecast_finish"].notna()]["hours"].sum() if len(fc) else 0.0
    assert abs(float(b["forecast_hours"].sum()) - float(placed)) < 1e-6
    # Never below zero, never more than the forecast.
    if len(fc):
        assert (fc["open_qty"] >= 0).all()
        assert (fc["open_qty"] == (fc["forecast_qty"] - fc["firm_qty"]).clip(lower=0)).all()


def test_capacity_sheet_prints_with_the_stacked_page(tmp_path: Path, soffice: Any) -> None:
    """LibreOffice prints the 产能负荷 sheet of a ledger with forecasts: the chart page
    (title, both series in the legend) and the table page after it, CJK embedded."""
    import subprocess

    from gendan_xl.write import report as R
    from gendan_xl.write.report_data import build_report_data

    path = make_workbook(tmp_path / "with.xlsx", sheets(FORECAST_ROWS))
    ledger = read_ledger(path, AS_OF)
    data = build_report_data(ledger, plan_ledger(ledger, AS_OF), [], AS_OF)
    out = tmp_path / "capacity.xlsx"
    book = R._Book(out, "zh", "产能负荷")
    R._capacity(book, data)
    book.close()
    pdf = soffice.convert(out, "pdf", tmp_path)
    soffice.assert_cjk_embedded(pdf)
    pages = soffice.pdf_pages(pdf)
    texts = [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                            capture_output=True, text=True, check=True).stdout for i in range(1, pages + 1)]
    chart = next(i for i, t in enumerate(texts) if "订单与预测排产工时" in t)
    assert "排产工时:订单 + 预测" in texts[chart] and "预测工时" in texts[chart]
    assert "订单排产工时" in texts[chart + 1] and "合计负荷率" in texts[chart + 1]  # the table, next page


def test_plan_command_lists_the_forecasts(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from gendan_xl import cli

    monkeypatch.setenv("COLUMNS", "200")
    path = make_workbook(tmp_path / "台账.xlsx", sheets(FORECAST_ROWS))
    assert cli.main(["plan", str(path), "--as-of", AS_OF.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "客户预测" in out
    row = next(line for line in out.splitlines() if "2026-11 " in line and "ACME" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells == ["ACME", "P1", "2026-11", "1,000", "600", "400", "L1", "40.0", "2026-11-12", "2026-11-19", "是"]
    data = json.loads(_json_out(cli, path, capsys))
    assert [f["open_qty"] for f in data["forecasts"]] == [50, 400, 500]


def _json_out(cli: Any, path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["plan", str(path), "--as-of", AS_OF.isoformat(), "--json"]) == 0
    return capsys.readouterr().out


def test_a_forecast_placed_in_a_year_without_holiday_data_says_so(tmp_path: Path) -> None:
    # Every order finishes in 2026; a February 2027 forecast is placed in 2027, a year
    # chinesecalendar has no holidays for: the plan says so, as for order forecasts.
    firm = plan_of(tmp_path, "firm.xlsx", sheets())
    assert [i.code for i in firm.issues] == []
    result = plan_of(tmp_path, "feb.xlsx", sheets([FORECAST_ROWS[0], ["ACME", "P1", "2027-02", None, 100]]))
    # 100 / 10 = 10 h from Monday 2027-02-01: 8 h, then 2 h on Tuesday
    assert result.forecasts["forecast_finish"].iloc[0] == pd.Timestamp(2027, 2, 2)
    assert [(i.code, i.value) for i in result.issues] == [("no-holiday-data", "2027")]
