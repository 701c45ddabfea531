"""What changed between two versions of a ledger (a backup and the current file, or
two batch snapshots), and what it does to the plan.

Order lines are matched by the order book's key (``ledger.book.lines["key"]``:
订单号 + 行号, or 订单号 + 产品编码 without 行号), work orders by 工单号. Each change
names its sheet and cell: in NEW, or in OLD for a row that is gone. The comparison
is vectorised (one outer merge per table, one mask per field), so two versions of a
100k-line ledger compare in well under a second.

Effects: both versions planned at the same as-of date (``plan_ledger``); every order
line whose forecast finish or status differs is listed (a line only in one version
has the other side empty).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gendan_xl.ledger import ROW, SRC, Ledger
from gendan_xl.model import STATUS_LABEL, Lang, OrderStatus

if TYPE_CHECKING:
    from gendan_xl.plan import PlanResult

# kind -> (Chinese, English) as a clerk reads it
KIND_LABEL: dict[str, tuple[str, str]] = {
    "line-added": ("新增订单行", "order line added"),
    "line-cancelled": ("订单取消", "order line cancelled"),
    "line-removed": ("订单行删除", "order line removed"),
    "line-status": ("订单状态变更", "order status changed"),
    "qty-changed": ("数量变更", "quantity changed"),
    "date-changed": ("交期变更", "date changed"),
    "priority-raised": ("插单(优先级提高)", "priority raised (rush)"),
    "priority-changed": ("优先级变更", "priority changed"),
    "item-changed": ("产品变更", "item changed"),
    "wo-added": ("新增工单", "work order added"),
    "wo-removed": ("工单删除", "work order removed"),
    "wo-qty-changed": ("工单数量变更", "work-order quantity changed"),
    "wo-line-changed": ("工单产线变更", "work-order line changed"),
    "wo-state-changed": ("工单状态变更", "work-order state changed"),
}

# (kind, column key) compared per order line; dates share one kind, the field says which.
_LINE_FIELDS = (
    ("qty-changed", "qty"),
    ("date-changed", "due_date"),
    ("date-changed", "promised_date"),
    ("date-changed", "changed_date"),
    ("item-changed", "item"),
)
_WO_FIELDS = (
    ("wo-qty-changed", "qty"),
    ("wo-line-changed", "line"),
    ("wo-state-changed", "status"),
)
CANCELLED = "取消"


@dataclass(frozen=True)
class Change:
    """One change: ``key`` is the order line as a clerk names it (``SO1-2``) or the
    工单号; ``field`` the header (数量, 交期 ...; empty for a whole row added or
    removed); ``old`` / ``new`` the values as text (None: absent / blank)."""

    kind: str
    key: str
    field: str
    old: str | None
    new: str | None
    sheet: str
    cell: str
    file: str = ""

    def label(self, lang: Lang = "zh") -> str:
        zh, en = KIND_LABEL.get(self.kind, (self.kind, self.kind))
        return zh if lang == "zh" else en

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("file")
        return out


@dataclass(frozen=True)
class Effect:
    """An order line planned differently: forecast finish (ISO date or None) and
    plan status (``OrderStatus`` value or None) in OLD and in NEW."""

    key: str
    old_forecast: str | None
    new_forecast: str | None
    old_status: str | None
    new_status: str | None

    @property
    def slips(self) -> bool:
        """Still to be made and finishes later than before (or no longer at all);
        a cancelled or removed line does not slip."""
        if self.old_forecast is None or self.new_status in (None, OrderStatus.CANCELLED.value):
            return False
        return self.new_forecast is None or self.new_forecast > self.old_forecast

    def status_text(self, which: str, lang: Lang = "zh") -> str:
        value = self.old_status if which == "old" else self.new_status
        if value is None:
            return ""
        try:
            return STATUS_LABEL[lang][OrderStatus(value)]
        except ValueError:
            return value

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ChangeSet:
    old: str
    new: str
    as_of: date
    changes: list[Change]
    effects: list[Effect]

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "as_of": self.as_of.isoformat(),
            "changes": [c.to_json() for c in self.changes],
            "effects": [e.to_json() for e in self.effects],
        }


# ------------------------------------------------------------------ values


def _text(value: object) -> str | None:
    """A cell value as text for the change list (dates ISO, whole numbers without .0)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        f = float(value)
        return str(int(f)) if f.is_integer() else f"{f:g}"
    if isinstance(value, np.integer):
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def _differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise "not the same value", blanks equal to blanks."""
    a_na, b_na = a.isna().to_numpy(), b.isna().to_numpy()
    same = (a.astype(object).to_numpy() == b.astype(object).to_numpy())
    return ~((a_na & b_na) | (~a_na & ~b_na & same))


class _Cells:
    """Sheet, cell and file of a column in rows of one table of one ledger version."""

    def __init__(self, ledger: Ledger, table: str) -> None:
        self.table = ledger.table(table)

    def at(self, src: int, row: int, column: str | None) -> tuple[str, str, str]:
        if not self.table.sources:
            return "", "", ""
        ref = self.table.ref(int(src), int(row), column)
        return ref.sheet, ref.cell or "", ref.file


# ------------------------------------------------------------------ order lines


def _line_frame(ledger: Ledger) -> pd.DataFrame:
    """Order lines of the book with the 变更交期 of their 订单 row (the book keeps
    the commitment date only)."""
    lines = ledger.book.lines
    orders = ledger["orders"][[SRC, ROW, "changed_date"]].drop_duplicates([SRC, ROW])
    cols = ["key", "label", "qty", "due_date", "promised_date", "item", "priority", "priority_rank",
            "order_status", SRC, ROW]
    return lines[cols].merge(orders, on=[SRC, ROW], how="left")


def _compare_lines(old: Ledger, new: Ledger) -> list[Change]:
    a, b = _line_frame(old), _line_frame(new)
    m = a.merge(b, on="key", how="outer", suffixes=("_o", "_n"), indicator=True, sort=False)
    old_cells, new_cells = _Cells(old, "orders"), _Cells(new, "orders")
    out: list[tuple[int, int, Change]] = []  # (order in NEW / OLD, field rank, change)

    def add(rows: pd.DataFrame, kind: str, column: str | None, side: str, rank: int,
            old_col: str | None = None, new_col: str | None = None) -> None:
        cells = new_cells if side == "n" else old_cells
        header = new_cells.table.spec.column(column).name if column else ""
        label_col = "label_n" if side == "n" else "label_o"
        values = zip(
            rows[label_col], rows[f"{SRC}_{side}"], rows[f"{ROW}_{side}"],
            rows[old_col] if old_col else [None] * len(rows),
            rows[new_col] if new_col else [None] * len(rows),
            strict=True,
        )
        for label, src, row, ov, nv in values:
            sheet, cell, file = cells.at(src, row, column)
            order = int(row) + (0 if side == "n" else 10**9)
            out.append((order, rank, Change(kind, str(label), header, _text(ov), _text(nv), sheet, cell, file)))

    both = m[m["_merge"] == "both"]
    add(m[m["_merge"] == "right_only"], "line-added", None, "n", 0)
    add(m[m["_merge"] == "left_only"], "line-removed", None, "o", 0)
    status_diff = _differs(both["order_status_o"], both["order_status_n"])
    cancelled = both["order_status_n"].eq(CANCELLED).to_numpy() & status_diff
    add(both[cancelled], "line-cancelled", "status", "n", 1, "order_status_o", "order_status_n")
    add(both[status_diff & ~cancelled], "line-status", "status", "n", 1, "order_status_o", "order_status_n")
    for rank, (kind, column) in enumerate(_LINE_FIELDS, start=2):
        diff = _differs(both[f"{column}_o"], both[f"{column}_n"])
        add(both[diff], kind, column, "n", rank, f"{column}_o", f"{column}_n")
    prio = _differs(both["priority_o"], both["priority_n"])
    raised = prio & (both["priority_rank_n"].to_numpy() < both["priority_rank_o"].to_numpy())
    add(both[raised], "priority-raised", "priority", "n", 10, "priority_o", "priority_n")
    add(both[prio & ~raised], "priority-changed", "priority", "n", 10, "priority_o", "priority_n")
    out.sort(key=lambda t: (t[0], t[1]))
    return [c for _o, _r, c in out]


# ------------------------------------------------------------------ work orders


def _wo_frame(ledger: Ledger) -> pd.DataFrame:
    """The first 工单 row of each 工单号 (the book's work orders), as written."""
    wo = ledger["work_orders"]
    wo = wo[wo["wo_no"].notna() & ~wo["wo_no"].duplicated(keep="first")]
    return wo[["wo_no", "qty", "line", "status", SRC, ROW]]


def _compare_work_orders(old: Ledger, new: Ledger) -> list[Change]:
    a, b = _wo_frame(old), _wo_frame(new)
    m = a.merge(b, on="wo_no", how="outer", suffixes=("_o", "_n"), indicator=True, sort=False)
    old_cells, new_cells = _Cells(old, "work_orders"), _Cells(new, "work_orders")
    out: list[tuple[int, int, Change]] = []

    def add(rows: pd.DataFrame, kind: str, column: str | None, side: str, rank: int) -> None:
        cells = new_cells if side == "n" else old_cells
        header = new_cells.table.spec.column(column).name if column else ""
        olds = rows[f"{column}_o"] if column else [None] * len(rows)
        news = rows[f"{column}_n"] if column else [None] * len(rows)
        for wo_no, src, row, ov, nv in zip(rows["wo_no"], rows[f"{SRC}_{side}"], rows[f"{ROW}_{side}"],
                                           olds, news, strict=True):
            sheet, cell, file = cells.at(src, row, column)
            order = int(row) + (0 if side == "n" else 10**9)
            out.append((order, rank, Change(kind, str(wo_no), header, _text(ov), _text(nv), sheet, cell, file)))

    both = m[m["_merge"] == "both"]
    add(m[m["_merge"] == "right_only"], "wo-added", None, "n", 0)
    add(m[m["_merge"] == "left_only"], "wo-removed", None, "o", 0)
    for rank, (kind, column) in enumerate(_WO_FIELDS, start=1):
        add(both[_differs(both[f"{column}_o"], both[f"{column}_n"])], kind, column, "n", rank)
    out.sort(key=lambda t: (t[0], t[1]))
    return [c for _o, _r, c in out]


# ------------------------------------------------------------------ effects


def plan_effects(old: Ledger, new: Ledger, as_of: date, new_plan: PlanResult | None = None) -> list[Effect]:
    """Order lines whose forecast finish or status differ when both versions are
    planned at ``as_of``, in NEW's plan order (most urgent first), then lines gone.
    ``new_plan``: NEW's plan at ``as_of`` when the caller has it (batch plans once)."""
    from gendan_xl.plan import plan_ledger

    cols = ["key", "label", "forecast_finish", "status"]
    a = plan_ledger(old, as_of).orders[cols]
    b = (new_plan or plan_ledger(new, as_of)).orders[cols]
    m = b.merge(a, on="key", how="outer", suffixes=("_n", "_o"), sort=False)
    finish_o = pd.to_datetime(m["forecast_finish_o"])
    finish_n = pd.to_datetime(m["forecast_finish_n"])
    diff = _differs(finish_o, finish_n) | _differs(m["status_o"], m["status_n"])
    rows = m[diff]
    labels = rows["label_n"].where(rows["label_n"].notna(), rows["label_o"])
    return [
        Effect(str(label), _text(fo), _text(fn), _status(so), _status(sn))
        for label, fo, fn, so, sn in zip(labels, finish_o[diff], finish_n[diff], rows["status_o"], rows["status_n"],
                                         strict=True)
    ]


def _status(value: object) -> str | None:
    text = _text(value)
    return None if text is None else str(getattr(value, "value", text))


# ------------------------------------------------------------------ entry point


def compare_ledgers(
    old: Ledger, new: Ledger, as_of: date, *, effects: bool = True, new_plan: PlanResult | None = None
) -> ChangeSet:
    """Every change from ``old`` to ``new`` (order lines first, then work orders,
    each in sheet order) and, with ``effects``, the plan consequences at ``as_of``
    (computed only when something changed; ``new_plan``: NEW's plan, if at hand)."""
    changes = _compare_lines(old, new) + _compare_work_orders(old, new)
    found = plan_effects(old, new, as_of, new_plan) if effects and changes else []
    return ChangeSet(old.name, new.name, as_of, changes, found)


# ------------------------------------------------------------------ the cumulative log

# 变更记录.xlsx: one row per change with the run date (column key, Chinese header).
LOG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_date", "运行日期"),
    ("change", "变更"),
    ("key", "订单行/工单"),
    ("field", "字段"),
    ("old", "原值"),
    ("new", "新值"),
    ("sheet", "工作表"),
    ("cell", "单元格"),
    ("kind", "代码"),
)
LOG_SHEET = "变更记录"
LOG_DAYS = 30  # the report's 变更记录 sheet: this many days back from the as-of date


def log_rows(result: ChangeSet, run_date: date) -> pd.DataFrame:
    """The changes of one run as rows of the cumulative log."""
    return pd.DataFrame(
        [
            {"run_date": run_date, "change": KIND_LABEL.get(c.kind, (c.kind, c.kind))[0], "key": c.key,
             "field": c.field, "old": c.old or "", "new": c.new or "", "sheet": c.sheet, "cell": c.cell,
             "kind": c.kind}
            for c in result.changes
        ],
        columns=[k for k, _ in LOG_COLUMNS],
    )


def append_log(earlier: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The log with ``rows`` appended; a row already there for the same run date
    (a run that died after writing the log, run again) is not added twice."""
    cols = [k for k, _ in LOG_COLUMNS]
    earlier = earlier.reindex(columns=cols)
    if earlier.empty:
        return rows.reset_index(drop=True)
    if rows.empty:
        return earlier.reset_index(drop=True)
    seen = set(earlier.astype(str).itertuples(index=False, name=None))
    fresh = [tuple(r) not in seen for r in rows.astype(str).itertuples(index=False, name=None)]
    return pd.concat([earlier, rows[fresh]], ignore_index=True)


def recent_log(log: pd.DataFrame, as_of: date, days: int = LOG_DAYS) -> pd.DataFrame:
    """Rows of the last ``days`` days up to ``as_of``, newest run first."""
    if log.empty:
        return log
    when = pd.to_datetime(log["run_date"], errors="coerce")
    keep = (when > pd.Timestamp(as_of) - pd.Timedelta(days=days)) & (when <= pd.Timestamp(as_of))
    out = log[keep.to_numpy()]
    return out.iloc[np.argsort(-when[keep].to_numpy().astype("int64"), kind="stable")].reset_index(drop=True)


# ------------------------------------------------------------------ 变更通知单


@dataclass
class ChangeNotice:
    """The printable 变更通知单 of one batch run: the changes since the last run and
    the order lines planned differently because of them (those that slip first)."""

    number: str
    issue_date: date
    company: str
    ledger: str
    since: str  # when the compared snapshot was taken ("2026-12-04 07:00"; "" unknown)
    changes: list[Change]
    effects: list[Effect]

    @property
    def slipping(self) -> list[Effect]:
        return [e for e in self.effects if e.slips]


def change_notice(result: ChangeSet, number: str, issue_date: date, company: str, since: str) -> ChangeNotice:
    effects = sorted(result.effects, key=lambda e: (not e.slips, e.key))
    return ChangeNotice(number, issue_date, company, result.new, since, list(result.changes), effects)


def notice_source(result: ChangeSet, run_date: date) -> str:
    """What a 变更通知单 number is for: the run date and its changes (the same run
    repeated gets the same number)."""
    import hashlib
    import json

    text = json.dumps([c.to_json() for c in result.changes], ensure_ascii=False, sort_keys=True)
    return f"{run_date.isoformat()}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


__all__ = [
    "KIND_LABEL",
    "LOG_COLUMNS",
    "Change",
    "ChangeNotice",
    "ChangeSet",
    "Effect",
    "append_log",
    "change_notice",
    "compare_ledgers",
    "log_rows",
    "notice_source",
    "plan_effects",
    "recent_log",
]
