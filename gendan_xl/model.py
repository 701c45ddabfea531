"""Shared records: where a finding points (CellRef), the finding itself (Issue),
the table of issue codes with their message templates, and the status enums.

Every stage of the pipeline returns its data plus a list of ``Issue``; nothing in
the engine prints or raises for bad data. Messages are rendered from one table
(``ISSUE_TYPES``) in Chinese by default, English on request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Lang = Literal["zh", "en"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
SEVERITY_LABEL = {
    "zh": {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"},
    "en": {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"},
}


@dataclass(frozen=True, slots=True)
class IssueType:
    severity: Severity
    zh: str
    en: str


# code -> severity and message templates. Placeholders come from Issue.args.
ISSUE_TYPES: dict[str, IssueType] = {
    "missing-sheet": IssueType(
        Severity.ERROR,
        "缺少工作表「{sheet_name}」(也可用:{aliases})",
        "Sheet '{sheet_name}' is missing (also accepted: {aliases})",
    ),
    "missing-column": IssueType(
        Severity.ERROR,
        "工作表缺少必填列「{column_name}」",
        "Required column '{column_name}' is missing",
    ),
    "missing-value": IssueType(
        Severity.ERROR, "「{header}」必须填写", "'{header}' must not be blank"
    ),
    "bad-date": IssueType(
        Severity.ERROR,
        "「{header}」不是有效日期:{value}",
        "'{header}' is not a valid date: {value}",
    ),
    "bad-number": IssueType(
        Severity.ERROR,
        "「{header}」不是有效数字:{value}",
        "'{header}' is not a valid number: {value}",
    ),
    "bad-choice": IssueType(
        Severity.WARNING,
        "「{header}」的值「{value}」不在可选范围:{choices}",
        "'{header}' value '{value}' is not one of: {choices}",
    ),
    "excel-error": IssueType(
        Severity.ERROR,
        "单元格是 Excel 错误值 {value},请先修正公式",
        "Cell holds the Excel error {value}; fix the formula first",
    ),
    "uncalculated-formula": IssueType(
        Severity.ERROR,
        "公式没有计算结果(文件由其他程序保存),请在 Excel 中打开并保存一次",
        "Formula has no calculated value (saved by another program); open and save it in Excel once",
    ),
    "duplicate-key": IssueType(
        Severity.ERROR,
        "「{header}」重复:{value}(第一次出现在第 {first_row} 行)",
        "Duplicate '{header}': {value} (first seen in row {first_row})",
    ),
    "non-positive-qty": IssueType(
        Severity.ERROR, "「{header}」必须大于 0:{value}", "'{header}' must be greater than 0: {value}"
    ),
    "due-before-order": IssueType(
        Severity.ERROR,
        "交期 {value} 早于下单日期 {order_date}",
        "Due date {value} is before the order date {order_date}",
    ),
    "unknown-item": IssueType(
        Severity.ERROR,
        "产品编码「{value}」不在产品表中",
        "Item code '{value}' is not in the item sheet",
    ),
    "unknown-line": IssueType(
        Severity.ERROR, "产线「{value}」不在产线表中", "Production line '{value}' is not in the line sheet"
    ),
    "unknown-order": IssueType(
        Severity.ERROR,
        "找不到对应的订单行「{value}」(有货无单)",
        "No order line '{value}' matches (goods without an order)",
    ),
    "unknown-customer": IssueType(
        Severity.WARNING,
        "{what}的客户「{value}」不在客户表或订单表中,{effect}",
        "Customer '{value}' of {what_en} is in neither the customer nor the order sheet: {effect_en}",
    ),
    "unknown-work-order": IssueType(
        Severity.ERROR, "工单号「{value}」不在工单表中", "Work order '{value}' is not in the work-order sheet"
    ),
    "over-issued": IssueType(
        Severity.WARNING,
        "订单行 {key} 的工单数量合计 {total} 超过订单数量 {qty}",
        "Work orders for order line {key} add up to {total}, more than its qty {qty}",
    ),
    "over-produced": IssueType(
        Severity.WARNING,
        "工单 {value} 良品合计 {total} 超过工单数量 {qty}",
        "Work order {value}: good qty {total} exceeds its qty {qty}",
    ),
    "over-shipped": IssueType(
        Severity.ERROR,
        "订单行 {key} 出货合计 {total} 超过订单数量 {qty}",
        "Order line {key}: shipped {total}, more than its qty {qty}",
    ),
    "shipped-before-produced": IssueType(
        Severity.WARNING,
        "订单行 {key} 截至 {value} 出货 {shipped},但良品只有 {produced}",
        "Order line {key}: {shipped} shipped by {value} but only {produced} produced",
    ),
    "future-date": IssueType(
        Severity.ERROR,
        "日期 {value} 晚于检查日 {as_of}",
        "Date {value} is after the as-of date {as_of}",
    ),
    "signed-before-shipped": IssueType(
        Severity.ERROR,
        "签回日期 {value} 早于出货日期 {ship_date}",
        "Signed-back date {value} is before the ship date {ship_date}",
    ),
    "duplicate-report-row": IssueType(
        Severity.WARNING,
        "日报重复:{value}(与第 {first_row} 行相同)",
        "Duplicate daily report row: {value} (same as row {first_row})",
    ),
    "no-work-order": IssueType(
        Severity.WARNING,
        "订单行 {key} {when}仍未下工单(有单无工单)",
        "Order line {key} has no work order {when_en}",
    ),
    "under-issued": IssueType(
        Severity.WARNING,
        "订单行 {key} 数量 {qty},已生产/出货 {done},在制工单余量 {active},还有 {uncovered} 未下工单",
        "Order line {key}: qty {qty}, {done} made or shipped, {active} left on open work orders:"
        " {uncovered} have no work order",
    ),
    "closed-short": IssueType(
        Severity.WARNING,
        "工单 {wo} 已{state},良品 {produced} 少于工单数量 {qty};订单行 {key} 还有 {uncovered} 未下工单",
        "Work order {wo} is {state} with {produced} good of {qty}; order line {key} still has"
        " {uncovered} without a work order",
    ),
    "hours-over-capacity": IssueType(
        Severity.ERROR,
        "产线 {line} 在 {day} 报工 {hours} 小时,超过当天可用 {limit} 小时",
        "Line {line} reported {hours} h on {day}, more than the {limit} h it has that day",
    ),
    "rate-outlier": IssueType(
        Severity.WARNING,
        "良品 {value} / 工时 {hours} = 每小时 {rate},是标准产能 {std} 的 {ratio} 倍",
        "{value} good in {hours} h = {rate}/h, {ratio}x the standard rate {std}",
    ),
    "high-defect-rate": IssueType(
        Severity.WARNING,
        "不良 {value},良品 {good},不良率 {share} 超过 {limit}",
        "{value} rejects with {good} good: defect rate {share} above {limit}",
    ),
    "line-mismatch": IssueType(
        Severity.WARNING,
        "日报产线「{value}」与工单 {wo} 的产线「{wo_line}」不同",
        "Reported line '{value}' differs from work order {wo}'s line '{wo_line}'",
    ),
    "rest-day-report": IssueType(
        Severity.INFO,
        "{value} 是产线 {line} 的休息日,日历中没有加班记录",
        "{value} is a rest day of line {line} and the calendar has no overtime for it",
    ),
    "missing-rate": IssueType(
        Severity.WARNING,
        "产品「{value}」没有标准产能,无法排产",
        "Item '{value}' has no standard rate; it cannot be scheduled",
    ),
    "duplicate-delivery-note": IssueType(
        Severity.ERROR,
        "送货单号「{value}」用于不同的{what}:{first} 与 {second}",
        "Delivery note '{value}' is used for different {what_en}: {first} and {second}",
    ),
    "unreadable-file": IssueType(
        Severity.ERROR, "文件无法读取:{reason}", "File cannot be read: {reason}"
    ),
    "file-open": IssueType(
        Severity.INFO,
        "「{value}」正被 {owner} 打开,读取的是最后保存的版本",
        "'{value}' is open by {owner}; its last saved version was read",
    ),
    "no-holiday-data": IssueType(
        Severity.INFO,
        "{value} 年没有法定节假日数据,排产按无节假日计算;如有放假请在「日历」表中填写",
        "No China holiday data for {value}; the schedule assumes no holidays (enter them in the 日历 sheet)",
    ),
    "bad-setting-value": IssueType(
        Severity.WARNING,
        "设置「{setting}」的值「{value}」无效,已按默认值 {default} 计算",
        "Setting '{setting}' has an invalid value '{value}'; the default {default} is used",
    ),
    "bad-setting": IssueType(
        Severity.WARNING,
        "设置「{value}」无法识别,已忽略",
        "Setting '{value}' is not recognised and was ignored",
    ),
    "unknown-material": IssueType(
        Severity.ERROR,
        "物料编码「{value}」不在物料表中",
        "Material code '{value}' is not on the material sheet (物料)",
    ),
    "missing-bom": IssueType(
        Severity.WARNING,
        "产品「{value}」有未完工的工单,但 BOM 中没有它的用料,无法计算欠料",
        "Item '{value}' has open work orders but no BOM rows: its material needs are unknown",
    ),
    "over-requisition": IssueType(
        Severity.WARNING,
        "工单 {wo_no} 的物料 {material} 累计领料 {issued},超出需求 {need} 的 {limit} 以上",
        "Work order {wo_no}: {issued} of material {material} requisitioned, more than {limit} over its need {need}",
    ),
    "late-purchase": IssueType(
        Severity.WARNING,
        "采购单 {po_no} 物料 {material} 预计到货 {value} 已过,还有 {open_qty} 未到",
        "Purchase {po_no}, material {material}: due {value}, {open_qty} not yet arrived",
    ),
    "late-outsourcing": IssueType(
        Severity.WARNING,
        "外协单 {out_no} 预计回厂 {value} 已过,还有 {open_qty} 未回",
        "Outsourcing {out_no}: expected back {value}, {open_qty} not yet back",
    ),
    # 客诉 (complaints, optional sheet)
    "complaint-item-not-on-order": IssueType(
        Severity.WARNING,
        "客诉的产品「{value}」不在订单 {order_no} 中",
        "Complaint item '{value}' is not on order {order_no}",
    ),
    "complaint-open-long": IssueType(
        Severity.WARNING,
        "客诉 {no} 于 {day} 登记,已 {days} 天仍未结案(超过 {limit} 天)",
        "Complaint {no} of {day} still open after {days} days (more than {limit})",
    ),
    "score-out-of-range": IssueType(
        Severity.WARNING,
        "「{header}」评分 {value} 不在 1-5 之间,不计入平均分",
        "'{header}' score {value} is not between 1 and 5: left out of the averages",
    ),
    "complaint-no-close-date": IssueType(
        Severity.WARNING,
        "客诉 {no} 已结案,但没有结案日期,结案天数无法统计",
        "Complaint {no} is closed without a closing date: its days to close are not counted",
    ),
    "bad-period": IssueType(
        Severity.ERROR,
        "「{header}」无法识别:{value}({hint})",
        "'{header}' cannot be read: {value} ({hint_en})",
    ),
    "unknown-forecast-item": IssueType(
        Severity.WARNING,
        "预测的产品编码「{value}」不在产品表中,这行预测不排入负荷",
        "Forecast item '{value}' is not in the item sheet: this forecast is not planned",
    ),
    "unknown-forecast-customer": IssueType(
        Severity.WARNING,
        "预测的客户「{value}」不在客户表或订单表中,没有订单能冲减这行预测",
        "Forecast customer '{value}' is in neither the customer nor the order sheet: no order consumes it",
    ),
    "sample-overdue": IssueType(
        Severity.WARNING,
        "样品 {sample} 要求 {value} 送样,已过 {days} 天仍未送(送样日期空白)",
        "Sample {sample} was wanted by {value}: {days} days past and not sent (送样日期 blank)",
    ),
    "sample-unconfirmed": IssueType(
        Severity.WARNING,
        "样品 {sample} 已于 {sent} 送出 {days} 天,超过 {limit} 天仍待客户确认",
        "Sample {sample} was sent on {sent}, {days} days ago (more than {limit}): the customer has not answered",
    ),
    "no-approved-sample": IssueType(
        Severity.WARNING,
        "订单行 {key} 的产品「{value}」是新品,客户 {customer} 还没有确认合格的样品(样品表)",
        "Order line {key}: item '{value}' is new and customer {customer} has no approved (合格) sample on the 样品 sheet",
    ),
    "sample-no-confirm-date": IssueType(
        Severity.INFO,
        "样品 {sample} 确认结果为「{value}」,但没有填确认日期",
        "Sample {sample} is marked '{value}' but 确认日期 is blank",
    ),
    "bad-carton-size": IssueType(
        Severity.WARNING,
        "「{header}」无法识别:{value}(应为 长x宽x高,单位 cm,如 60x40x35);装箱单和出货计划不计这个产品的体积",
        "'{header}' cannot be read: {value} (expected L x W x H in cm, e.g. 60x40x35); no CBM for this item",
    ),
    "price-mismatch": IssueType(
        Severity.WARNING,
        "单价 {value} 与供应商 {supplier} 在下单日期 {order_date} 有效的价格 {price} 不一致",
        "Unit price {value} differs from {supplier}'s price {price} in force on the order date {order_date}",
    ),
}


class CellRef(BaseModel):
    """Where a finding points: physical Excel coordinates, as Excel shows them."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str
    row: int | None = None  # 1-based physical row
    column: str | None = None  # column letter(s), e.g. "F"
    header: str | None = None

    @property
    def cell(self) -> str | None:
        if self.row is None:
            return None
        return f"{self.column or 'A'}{self.row}"

    @property
    def address(self) -> str:
        cell = self.cell
        return f"{self.sheet}!{cell}" if cell else self.sheet


class Issue(BaseModel):
    """One finding: a stable code, a severity, the offending value and its cell."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    ref: CellRef
    value: str = ""
    args: dict[str, str] = {}

    def message(self, lang: Lang = "zh") -> str:
        kind = ISSUE_TYPES[self.code]
        template = kind.zh if lang == "zh" else kind.en
        fields = {"value": self.value, "header": self.ref.header or "", **self.args}
        try:
            return template.format(**fields)
        except (KeyError, IndexError):
            return template

    def to_json(self, lang: Lang = "zh") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "file": self.ref.file,
            "sheet": self.ref.sheet,
            "row": self.ref.row,
            "column": self.ref.column,
            "header": self.ref.header,
            "cell": self.ref.cell,
            "value": self.value,
            "message": self.message(lang),
        }


def make_issue(code: str, ref: CellRef, value: object = "", **args: object) -> Issue:
    """Build an Issue with the code's default severity; values become display text."""
    return Issue(
        code=code,
        severity=ISSUE_TYPES[code].severity,
        ref=ref,
        value=display(value),
        args={k: display(v) for k, v in args.items()},
    )


def display(value: object) -> str:
    """A value as a clerk would read it in a message."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
        return f"{value:g}"
    if hasattr(value, "strftime") and hasattr(value, "year"):
        return value.strftime("%Y-%m-%d")  # type: ignore[no-any-return]
    return str(value)


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """Errors first, then by file, sheet, row, column."""
    return sorted(
        issues,
        key=lambda i: (
            SEVERITY_ORDER[i.severity],
            i.ref.file,
            i.ref.sheet,
            i.ref.row or 0,
            len(i.ref.column or ""),
            i.ref.column or "",
            i.code,
        ),
    )


ISSUE_COLUMNS = {
    "zh": ("级别", "工作簿", "工作表", "单元格", "列", "值", "问题", "代码"),
    "en": ("Severity", "Workbook", "Sheet", "Cell", "Column", "Value", "Problem", "Code"),
}


def issue_rows(issues: list[Issue], lang: Lang = "zh") -> list[list[str]]:
    """The issue list as plain rows (header first), for any sheet that lists issues."""
    rows: list[list[str]] = [list(ISSUE_COLUMNS[lang])]
    for i in issues:
        rows.append(
            [
                SEVERITY_LABEL[lang][i.severity],
                i.ref.file,
                i.ref.sheet,
                i.ref.cell or "",
                i.ref.header or "",
                i.value,
                i.message(lang),
                i.code,
            ]
        )
    return rows


class OrderStatus(StrEnum):
    """Status of an order line after planning (DESIGN §5)."""

    CANCELLED = "cancelled"
    HOLD = "hold"
    DONE = "done"
    OVERDUE = "overdue"
    UNSCHEDULABLE = "unschedulable"
    LATE = "late"
    AT_RISK = "at_risk"
    ON_TRACK = "on_track"


STATUS_LABEL: dict[str, dict[OrderStatus, str]] = {
    "zh": {
        OrderStatus.CANCELLED: "已取消",
        OrderStatus.HOLD: "暂停",
        OrderStatus.DONE: "已完成",
        OrderStatus.OVERDUE: "已逾期",
        OrderStatus.UNSCHEDULABLE: "无法排产",
        OrderStatus.LATE: "将延误",
        OrderStatus.AT_RISK: "有风险",
        OrderStatus.ON_TRACK: "正常",
    },
    "en": {s: s.value for s in OrderStatus},
}


# Order lines a clerk must look at first, most urgent first: the one order used by
# `gendan plan`, 交期预警 and every other list of order lines.
STATUS_SEVERITY: dict[OrderStatus, int] = {
    OrderStatus.OVERDUE: 0,
    OrderStatus.LATE: 1,
    OrderStatus.UNSCHEDULABLE: 2,
    OrderStatus.AT_RISK: 3,
    OrderStatus.HOLD: 4,
    OrderStatus.ON_TRACK: 5,
    OrderStatus.DONE: 6,
    OrderStatus.CANCELLED: 7,
}
CLOSED_STATUSES = (OrderStatus.DONE, OrderStatus.CANCELLED)


class LateReason(StrEnum):
    CAPACITY = "capacity"
    AWAITING_SHIPMENT = "awaiting_shipment"
    NO_WORK_ORDER = "no_work_order"
    NO_RATE = "no_rate"
    MATERIAL_SHORTAGE = "material_shortage"
    QUALITY = "quality"
    OUTSOURCING = "outsourcing"  # an open 外协 lot decides the forecast finish


REASON_LABEL: dict[str, dict[LateReason, str]] = {
    "zh": {
        LateReason.CAPACITY: "产能不足",
        LateReason.AWAITING_SHIPMENT: "待出货",
        LateReason.NO_WORK_ORDER: "未下工单",
        LateReason.NO_RATE: "无产能数据",
        LateReason.MATERIAL_SHORTAGE: "欠料",
        LateReason.QUALITY: "品质异常",
        LateReason.OUTSOURCING: "外协回厂",
    },
    "en": {r: r.value.replace("_", " ") for r in LateReason},
}

PRIORITY_RANK = {"特急": 0, "急": 1, "普通": 2}

# Line load in words and colours, everywhere a load is shown: at or above LOAD_FULL
# a line is fully booked, above LOAD_OVER it is over capacity (float sums aside).
LOAD_HIGH, LOAD_FULL, LOAD_OVER = 0.8, 0.95, 1.0005

# Day 0 of Excel's 1900 date system (serial 1 = 1900-01-01, past Excel's 1900-02-29).
EXCEL_EPOCH = date(1899, 12, 30)


class LedgerError(Exception):
    """The ledger cannot be used at all (missing, not a workbook, encrypted ...).

    Carries a one-line, clerk-readable message naming the file.
    """

    def __init__(self, path: str, reason_zh: str, reason_en: str | None = None) -> None:
        self.path = path
        self.reason_zh = reason_zh
        self.reason_en = reason_en or reason_zh
        super().__init__(f"{path}: {reason_zh}")

    def message(self, lang: Lang = "zh") -> str:
        return f"{self.path}: {self.reason_zh if lang == 'zh' else self.reason_en}"
