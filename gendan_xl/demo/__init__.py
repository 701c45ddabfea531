"""The demo ledger: a seeded, deterministic small factory (东莞市宏达塑胶制品有限公司).

``build_demo`` simulates about three months of a plastics and hardware factory
with three production lines: customer orders arrive, the clerk issues work
orders, the lines report their output shift by shift, finished goods ship on
delivery notes that come back signed (or not yet). The result is plain data
(``DemoData``: one ``DemoSheet`` per worksheet, in the layout a clerk would
keep it, title rows included), which ``gendan_xl.write.demo_book`` writes out.

A few realistic mistakes are planted on purpose; ``DemoData.planted`` lists each
one with its sheet, cell and the issue code ``gendan check`` must report there.

Pure Python and the standard library's seeded ``random``: no workbook library
here, so the same seed always gives the same ledger.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from gendan_xl.cells import col_letter as column_letter
from gendan_xl.model import ISSUE_TYPES
from gendan_xl.schema import BOM as BOM_SHEET
from gendan_xl.schema import (
    CALENDAR,
    COMPLAINTS,
    CUSTOMERS,
    DAILY,
    FORECASTS,
    ITEMS,
    LINES,
    OPENING_STOCK,
    ORDERS,
    OUTSOURCING,
    QUALITY,
    RECEIPTS,
    RETURN_KIND,
    REWORK,
    SAMPLES,
    SATISFACTION,
    SCRAP,
    SETTING_KEYS,
    SETTINGS,
    SHIPMENTS,
    WORK_ORDERS,
    SheetSpec,
)
from gendan_xl.schema import MATERIALS as MATERIALS_SHEET
from gendan_xl.schema import PURCHASES as PURCHASES_SHEET
from gendan_xl.schema import REQUISITIONS as REQUISITIONS_SHEET
from gendan_xl.schema import SUPPLIER_PRICES as PRICES_SHEET

DEFAULT_AS_OF = date(2026, 11, 26)
COMPANY_NAME = "东莞市宏达塑胶制品有限公司"

Value = object  # str | int | float | date | ExcelError | None


@dataclass(frozen=True)
class ExcelError:
    """A formula cell whose cached result is an Excel error value such as ``#N/A``."""

    code: str
    formula: str  # without the leading "="


@dataclass
class DemoSheet:
    """One worksheet of the demo ledger: optional title rows, a header row, data rows."""

    spec: SheetSpec
    name: str  # sheet name as written in the workbook
    columns: list[str]  # schema column keys, left to right from column A
    headers: list[str]  # header text as written (schema name, sometimes with a unit)
    rows: list[list[Value]]
    titles: list[str] = field(default_factory=list)  # rows above the header
    totals: tuple[str, ...] = ()  # column keys summed in a 合计 row below the data

    @property
    def header_row(self) -> int:
        """Physical (1-based) Excel row of the header."""
        return len(self.titles) + 1

    def excel_row(self, index: int) -> int:
        """Physical Excel row of data row ``index`` (0-based)."""
        return self.header_row + 1 + index

    def column_letter(self, key: str) -> str:
        return column_letter(self.columns.index(key))

    def address(self, index: int, key: str) -> str:
        return f"{self.column_letter(key)}{self.excel_row(index)}"


class Planted(NamedTuple):
    """A planted mistake: ``gendan check`` must report ``code`` at ``sheet!cell``."""

    sheet: str
    cell: str
    code: str
    value: Value  # what the cell holds (an ExcelError for the #N/A cell)
    note: str


@dataclass
class DemoData:
    """The whole demo ledger: sheets in workbook order, and the planted mistakes."""

    as_of: date
    seed: int
    company: str
    sheets: list[DemoSheet]
    planted: list[Planted]

    def sheet(self, key: str) -> DemoSheet:
        for s in self.sheets:
            if s.spec.key == key:
                return s
        raise KeyError(key)


# --- master data ----------------------------------------------------------------

# Statutory holidays and make-up working days (调休) of 2026 after August, as the
# chinesecalendar package has them; fixed here so the demo never depends on the
# installed version.
HOLIDAYS = frozenset(
    [date(2026, 9, d) for d in (25, 26, 27)] + [date(2026, 10, d) for d in range(1, 8)]
)
MAKEUP_WORKDAYS = frozenset([date(2026, 9, 20), date(2026, 10, 10)])

WEEKDAY_NAMES = "一二三四五六日"

# line, workshop, shifts, hours per shift, efficiency, weekly rest days
LINE_DATA: tuple[tuple[str, str, int, float, float, str], ...] = (
    ("注塑一线", "注塑车间", 2, 10.0, 0.90, "日"),  # works Saturdays
    ("注塑二线", "注塑车间", 2, 8.0, 0.85, "六,日"),
    ("组装线", "装配车间", 1, 9.0, 0.95, "六,日"),
)
SHIFT_NAMES = ("白班", "夜班")

# code, name, spec, unit, line index, std rate (pcs/h), pcs per carton, gross kg, carton size
ITEM_DATA: tuple[tuple[str, str, str, str, int, int, int, float, str], ...] = (
    ("SJ-1001", "电饭煲上盖", "PP 白色 Φ260", "PCS", 0, 90, 24, 7.8, "62×56×40cm"),
    ("SJ-1002", "电饭煲底座", "PP 白色 Φ250", "PCS", 0, 80, 24, 8.6, "60×55×42cm"),
    ("SJ-1003", "风扇前网罩", "ABS 白色 Φ350", "PCS", 0, 70, 20, 6.9, "72×38×50cm"),
    ("SJ-1004", "风扇底座", "ABS 灰色 280×280", "PCS", 0, 75, 16, 9.2, "60×60×45cm"),
    ("SJ-1005", "收纳箱箱体", "PP 透明 40L", "PCS", 0, 45, 10, 11.5, "65×45×60cm"),
    ("SJ-1006", "收纳箱盖", "PP 蓝色 40L", "PCS", 0, 60, 20, 9.8, "66×46×35cm"),
    ("SJ-1007", "电源外壳上盖", "PC+ABS 黑色 120×80×35", "PCS", 0, 220, 200, 10.6, "55×40×35cm"),
    ("SJ-1008", "电源外壳下盖", "PC+ABS 黑色 120×80×20", "PCS", 0, 240, 200, 9.4, "55×40×30cm"),
    ("SJ-1009", "灯罩", "PC 乳白 Φ180", "PCS", 0, 150, 100, 8.2, "58×38×40cm"),
    ("SJ-1010", "插座面板", "PC 白色 86×86", "PCS", 0, 320, 300, 12.4, "50×36×30cm"),
    ("SJ-1011", "插座底盒", "PC 白色 86×86×50", "PCS", 0, 280, 200, 11.2, "54×46×36cm"),
    ("SJ-1012", "水箱", "AS 透明 1.2L", "PCS", 0, 100, 40, 8.8, "60×40×45cm"),
    ("SJ-1013", "周转箱", "HDPE 蓝色 600×400×280", "PCS", 0, 35, 10, 19.5, "62×42×90cm"),
    ("SJ-1014", "工具箱盒体", "PP 红色 14寸", "PCS", 0, 85, 20, 9.0, "60×40×50cm"),
    ("SJ-2001", "按键帽", "ABS 黑色 12×12", "PCS", 1, 1400, 5000, 6.2, "40×30×25cm"),
    ("SJ-2002", "旋钮", "ABS 银色 Φ28", "PCS", 1, 600, 1000, 7.1, "45×32×28cm"),
    ("SJ-2003", "电池盖", "ABS 黑色 58×25", "PCS", 1, 900, 2000, 8.4, "45×35×30cm"),
    ("SJ-2004", "卡扣", "POM 白色 15×8", "PCS", 1, 1600, 10000, 9.6, "40×30×25cm"),
    ("SJ-2005", "齿轮", "POM 白色 M0.5 Z32", "PCS", 1, 1100, 5000, 8.0, "40×30×25cm"),
    ("SJ-2006", "导光柱", "PC 透明 Φ3×15", "PCS", 1, 1800, 10000, 5.5, "38×28×22cm"),
    ("SJ-2007", "线夹", "PA66 黑色 Φ6", "PCS", 1, 1500, 10000, 7.4, "40×30×25cm"),
    ("SJ-2008", "脚垫", "TPE 黑色 Φ20×5", "PCS", 1, 1200, 5000, 10.3, "42×32×28cm"),
    ("SJ-2009", "螺丝盖", "PP 白色 Φ10", "PCS", 1, 2000, 20000, 8.9, "40×30×25cm"),
    ("SJ-2010", "透镜", "PMMA 透明 Φ25", "PCS", 1, 700, 1000, 5.2, "45×35×25cm"),
    ("SJ-2011", "把手", "PP 灰色 120mm", "PCS", 1, 500, 500, 9.7, "50×35×30cm"),
    ("SJ-2012", "密封圈", "TPE 透明 Φ40×3", "PCS", 1, 1300, 5000, 6.8, "40×30×25cm"),
    ("SJ-2013", "USB外壳", "ABS 白色 40×18×8", "PCS", 1, 1000, 3000, 7.7, "45×35×28cm"),
    ("SJ-2014", "遥控器按键板", "硅胶 灰色 44键", "PCS", 1, 450, 1000, 8.1, "45×35×30cm"),
    ("ZZ-3001", "五孔插座", "10A 86型 白色", "套", 2, 160, 100, 9.5, "46×36×28cm"),
    ("ZZ-3002", "一开单控开关", "10A 86型 白色", "套", 2, 180, 100, 7.6, "46×36×25cm"),
    ("ZZ-3003", "遥控器外壳组件", "黑色 150×45", "套", 2, 220, 200, 8.3, "50×36×30cm"),
    ("ZZ-3004", "风扇网罩组件", "Φ350 白色", "套", 2, 90, 20, 8.7, "72×38×60cm"),
    ("ZZ-3005", "电源适配器外壳", "12V2A 黑色", "套", 2, 200, 200, 11.8, "55×40×35cm"),
    ("ZZ-3006", "收纳箱成品", "40L 带盖 蓝色", "套", 2, 120, 5, 8.4, "65×45×70cm"),
    ("ZZ-3007", "LED灯罩组件", "Φ180 18W", "套", 2, 140, 50, 7.9, "58×38×45cm"),
    ("ZZ-3008", "门拉手", "不锈钢304 128mm", "PCS", 2, 150, 100, 12.6, "40×30×20cm"),
    ("ZZ-3009", "合页", "不锈钢304 4寸", "PCS", 2, 250, 200, 16.8, "35×25×20cm"),
    ("ZZ-3010", "抽屉滑轨", "三节 14寸", "副", 2, 110, 20, 14.2, "40×30×25cm"),
    ("ZZ-3011", "工具箱", "14寸 红色", "PCS", 2, 100, 10, 12.0, "62×42×55cm"),
    ("ZZ-3012", "小夜灯", "插电式 感应", "PCS", 2, 170, 100, 6.5, "50×35×30cm"),
)

# short name, full name, address, contact, phone, statement day, PO prefix
CUSTOMER_DATA: tuple[tuple[str, str, str, str, str, int | None, str], ...] = (
    ("华信电子", "深圳市华信电子科技有限公司", "深圳市宝安区福永街道凤凰第三工业区A栋3楼",
     "王小姐", "0755-2731 5526", 25, "HX"),
    ("东晟电器", "东莞市东晟电器有限公司", "东莞市厚街镇三屯工业区兴业路8号", "陈先生",
     "0769-8559 2031", 26, "DS"),
    ("凯达照明", "中山市凯达照明电器有限公司", "中山市古镇镇同兴路123号", "李工",
     "0760-2251 3380", None, "KD"),
    ("立丰科技", "惠州市立丰科技有限公司", "惠州市仲恺高新区和畅五路西6号", "刘小姐",
     "0752-2606 1180", 25, "LF"),
    ("恒通五金", "佛山市南海恒通五金制品有限公司", "佛山市南海区大沥镇黄岐工业园B座",
     "黄先生", "0757-8567 3920", None, "HT"),
    ("佳美家居", "广州佳美家居用品有限公司", "广州市番禺区石碁镇金山大道东88号", "张小姐",
     "020-3451 8867", 28, "JM"),
    ("新宇通讯", "深圳市新宇通讯设备有限公司", "深圳市龙岗区坂田街道雪岗北路2号",
     "赵先生", "0755-8916 4472", None, "XY"),
    ("百盛玩具", "东莞市百盛玩具有限公司", "东莞市石排镇沙角工业区", "周小姐",
     "0769-8665 0193", 20, "BS"),
)

# 客户.税率 of the customers who are invoiced with VAT (the others are left blank).
TAX_RATES: dict[str, float] = {"华信电子": 0.13, "东晟电器": 0.13, "立丰科技": 0.13}

# 唛头 (shipping marks) of the customers that export: printed on their 装箱单.
MARKS: dict[str, str] = {
    "华信电子": "HX ELECTRONICS\nSHENZHEN, CHINA\nPO NO.:\nC/NO. 1-UP\nMADE IN CHINA",
    "东晟电器": "DS\nDONGGUAN\nITEM NO.:\nCTN NO.:\nMADE IN CHINA",
}

# Which customers buy what (indexes into CUSTOMER_DATA), so orders look plausible.
CUSTOMER_ITEMS: dict[int, tuple[str, ...]] = {
    0: ("SJ-1007", "SJ-1008", "SJ-2001", "SJ-2003", "SJ-2006", "SJ-2013", "ZZ-3003", "ZZ-3005"),
    1: ("SJ-1001", "SJ-1002", "SJ-1003", "SJ-1004", "SJ-1012", "SJ-2002", "ZZ-3004"),
    2: ("SJ-1009", "SJ-2006", "SJ-2010", "ZZ-3007", "ZZ-3012", "SJ-2007"),
    3: ("SJ-1010", "SJ-1011", "SJ-2004", "ZZ-3001", "ZZ-3002", "SJ-2009"),
    4: ("ZZ-3008", "ZZ-3009", "ZZ-3010", "ZZ-3011", "SJ-1014", "SJ-2011", "SJ-2008"),
    5: ("SJ-1005", "SJ-1006", "SJ-1013", "ZZ-3006", "SJ-2011", "SJ-2012"),
    6: ("SJ-2001", "SJ-2013", "SJ-2014", "SJ-2007", "ZZ-3003", "SJ-2003"),
    7: ("SJ-2005", "SJ-2002", "SJ-2008", "SJ-2012", "SJ-2014", "SJ-1014"),
}

PRIORITY_RANK = {"特急": 0, "急": 1, "普通": 2}


@dataclass
class _Item:
    code: str
    name: str
    spec: str
    unit: str
    line: str
    rate: int
    pcs_per_carton: int
    gross: float
    net: float
    carton: str
    price: float


@dataclass
class _Line:
    name: str
    workshop: str
    shifts: int
    hours: float
    efficiency: float
    rest: str

    @property
    def rest_weekdays(self) -> set[int]:
        return {WEEKDAY_NAMES.index(ch) for ch in self.rest.split(",")}


@dataclass
class _OrderLine:
    order_no: str
    line_no: int
    customer: str
    po: str
    item: _Item
    qty: int
    order_date: date
    due: date
    promised: date | None = None
    changed: date | None = None
    priority: str = "普通"
    status: str = "正常"
    remark: str = ""
    wo_no: str | None = None
    wo_issue: date | None = None
    wo_status: str = "未开工"
    plan_start: date | None = None
    plan_finish: date | None = None
    produced: list[tuple[date, int]] = field(default_factory=list)
    # A stoppage part-way (material short, mould sent for repair): at this good
    # quantity the job stops for ``hold_days`` calendar days.
    hold_at: int | None = None
    hold_kind: str = ""
    hold_days: int = 0
    blocked_until: date | None = None

    @property
    def commitment(self) -> date:
        return self.changed or self.promised or self.due

    @property
    def good_total(self) -> int:
        return sum(q for _d, q in self.produced)

    def produced_before(self, day: date) -> int:
        return sum(q for d, q in self.produced if d < day)

    def finished_on(self) -> date | None:
        total = 0
        for d, q in self.produced:
            total += q
            if total >= self.qty:
                return d
        return None


@dataclass
class _Shipment:
    line: _OrderLine | None
    order_no: str
    line_no: int
    item: str
    customer: str
    ship_date: date
    qty: int
    cartons: int
    remark: str = ""
    note_no: str | None = None
    signed: date | None = None
    kind: str | None = None  # 出货.类型: blank (a delivery) or 退货


def _weekday_on_or_after(day: date, allow_saturday: bool = False) -> date:
    last = 5 if allow_saturday else 4
    while day.weekday() > last or day in HOLIDAYS:
        day += timedelta(days=1)
    return day


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() > 4 or day in HOLIDAYS:
        day -= timedelta(days=1)
    return day


def _add_workdays(day: date, n: int) -> date:
    for _ in range(n):
        day = _weekday_on_or_after(day + timedelta(days=1))
    return day


def _round_qty(qty: float) -> int:
    step = 100 if qty < 3000 else 500 if qty < 20000 else 1000
    return max(step, round(qty / step) * step)


class _Factory:
    """The simulation: master data, order lines, production, shipments."""

    def __init__(self, as_of: date, seed: int) -> None:
        self.as_of = as_of
        self.rng = random.Random(seed)
        self.start = as_of - timedelta(days=94)  # about three months of history
        self.lines = [_Line(*row) for row in LINE_DATA]
        self.items = [self._item(row) for row in ITEM_DATA]
        self.item_by_code = {i.code: i for i in self.items}
        self.calendar = self._calendar()
        self.order_lines: list[_OrderLine] = []
        self.daily: list[list[Value]] = []
        self.shipments: list[_Shipment] = []

    def _item(self, row: tuple[str, str, str, str, int, int, int, float, str]) -> _Item:
        code, name, spec, unit, line_idx, rate, ppc, gross, carton = row
        rng = self.rng
        net = round(gross - rng.choice((0.6, 0.8, 1.0, 1.2)), 2)
        if line_idx == 0:
            price = round(rng.uniform(1.5, 14.0), 2)
        elif line_idx == 1:
            price = round(rng.uniform(0.03, 0.85), 3)
        else:
            price = round(rng.uniform(3.0, 28.0), 2)
        return _Item(code, name, spec, unit, LINE_DATA[line_idx][0], rate, ppc, gross, net,
                     carton, price)

    # calendar -------------------------------------------------------------------

    def _calendar(self) -> list[tuple[date, str | None, str, float | None]]:
        """日历 exceptions: a Saturday overtime, a maintenance day, a planned overtime."""
        overtime = self.as_of - timedelta(days=33)
        overtime += timedelta(days=(5 - overtime.weekday()) % 7)  # a Saturday
        maintenance = _weekday_on_or_before(self.as_of - timedelta(days=15))
        upcoming = self.as_of + timedelta(days=(5 - self.as_of.weekday()) % 7 or 7)
        return [
            (overtime, self.lines[1].name, "加班", 8.0),
            (maintenance, self.lines[0].name, "休息", None),
            (upcoming, self.lines[2].name, "加班", 8.0),
        ]

    def shift_hours(self, line: _Line, day: date) -> list[float]:
        """Hours of each shift the line works on ``day`` (empty on a rest day)."""
        for d, name, kind, hours in self.calendar:
            if d == day and name in (None, line.name):
                if kind == "休息":
                    return []
                return [hours or line.hours]
        if day in HOLIDAYS:
            return []
        if day not in MAKEUP_WORKDAYS and day.weekday() in line.rest_weekdays:
            return []
        return [line.hours] * line.shifts

    def effective_hours(self, line: _Line, first: date, last: date) -> float:
        total = 0.0
        day = first
        while day <= last:
            total += sum(self.shift_hours(line, day)) * line.efficiency
            day += timedelta(days=1)
        return total

    # orders ---------------------------------------------------------------------

    def make_orders(self, n_lines: int = 300) -> None:
        rng = self.rng
        order_days = []
        day = self.start
        while day < self.as_of:
            if day.weekday() < 5 and day not in HOLIDAYS:
                order_days.append(day)
            day += timedelta(days=1)
        # Lines per order first, so the order dates spread over the whole window.
        sizes: list[int] = []
        while sum(sizes) < n_lines:
            sizes.append(rng.choices((1, 2, 3, 4), weights=(40, 30, 20, 10))[0])
        sizes[-1] -= sum(sizes) - n_lines
        dates = sorted(rng.choice(order_days) for _ in sizes)
        raw_hours: list[float] = []
        seq_by_month: dict[str, int] = {}
        po_seq: dict[int, int] = {}
        for order_date, k in zip(dates, sizes, strict=True):
            cust_idx = rng.randrange(len(CUSTOMER_DATA))
            customer = CUSTOMER_DATA[cust_idx]
            month = order_date.strftime("%y%m")
            seq_by_month[month] = seq_by_month.get(month, 0) + 1
            order_no = f"XS{month}{seq_by_month[month]:03d}"
            po_seq[cust_idx] = po_seq.get(cust_idx, 0) + 1
            po = f"{customer[6]}-PO{order_date:%y%m}{po_seq[cust_idx]:02d}"
            codes = rng.sample(CUSTOMER_ITEMS[cust_idx], min(k, len(CUSTOMER_ITEMS[cust_idx])))
            priority = rng.choices(("普通", "急", "特急"), weights=(85, 11, 4))[0]
            for line_no, code in enumerate(codes, start=1):
                item = self.item_by_code[code]
                if priority == "普通":
                    due = order_date + timedelta(days=rng.randint(10, 35))
                else:
                    due = order_date + timedelta(days=rng.randint(5, 10))
                ol = _OrderLine(order_no, line_no, customer[0], po, item, 0, order_date,
                                _weekday_on_or_before(due), priority=priority)
                roll = rng.random()
                if priority == "普通" and roll < 0.25:
                    ol.promised = _weekday_on_or_after(ol.due + timedelta(days=rng.randint(3, 10)))
                    ol.remark = rng.choice(("", "产能紧张,回复延后", "模具维修,回复延后"))
                if rng.random() < 0.06:
                    shift = rng.choice((-4, 7, 10, 14))
                    ol.changed = _weekday_on_or_after(ol.commitment + timedelta(days=shift))
                    ol.remark = "客户要求提前" if shift < 0 else "客户要求延后交货"
                self.order_lines.append(ol)
                # Year-end peak: the last five weeks bring bigger orders.
                peak = 1.5 if order_date >= self.as_of - timedelta(days=35) else 1.0
                raw_hours.append(peak * rng.lognormvariate(0.0, 0.55))
        self._size_quantities(raw_hours)
        self._set_states()

    def _size_quantities(self, raw_hours: list[float]) -> None:
        """Order quantities sized so each line is loaded to about its capacity,
        leaving a backlog of one to two weeks at the as-of date."""
        horizon = self.as_of + timedelta(days=14)
        for line in self.lines:
            idx = [i for i, ol in enumerate(self.order_lines) if ol.item.line == line.name]
            capacity = self.effective_hours(line, self.start + timedelta(days=3), horizon)
            scale = capacity / sum(raw_hours[i] for i in idx)
            for i in idx:
                ol = self.order_lines[i]
                ol.qty = _round_qty(raw_hours[i] * scale * ol.item.rate)

    def _set_states(self) -> None:
        rng = self.rng
        middle = [ol for ol in self.order_lines
                  if self.start + timedelta(days=30) < ol.order_date < self.as_of - timedelta(days=25)]
        picks = rng.sample(middle, 6)
        for ol in picks[:3]:
            ol.status = "暂停"
            ol.remark = rng.choice(("客户通知暂停,等待新版图纸", "客户库存积压,暂停生产", "待客户确认颜色"))
        for ol in picks[3:]:
            ol.status = "取消"
            ol.remark = "客户取消订单"

    # work orders ----------------------------------------------------------------

    def issue_work_orders(self, forgotten: _OrderLine) -> None:
        seq_by_day: dict[date, int] = {}
        pending: list[tuple[date, _OrderLine]] = []
        for n, ol in enumerate(self.order_lines):
            if ol is forgotten:
                continue
            if ol.status == "取消" and n % 2 == 0:
                continue  # cancelled before a work order was issued
            issue = _add_workdays(ol.order_date, self.rng.choice((1, 1, 2, 3)))
            if issue >= self.as_of:
                continue  # too recent: the clerk has not issued it yet
            pending.append((issue, ol))
        pending.sort(key=lambda p: (p[0], p[1].order_no, p[1].line_no))
        for issue, ol in pending:
            seq_by_day[issue] = seq_by_day.get(issue, 0) + 1
            ol.wo_no = f"WO{issue:%Y%m%d}{seq_by_day[issue]:03d}"
            ol.wo_issue = issue
            line = next(x for x in self.lines if x.name == ol.item.line)
            per_day = ol.item.rate * line.shifts * line.hours * line.efficiency
            ol.plan_start = _add_workdays(issue, 1)
            ol.plan_finish = _add_workdays(ol.plan_start, max(0, math.ceil(ol.qty / per_day) - 1))
            ol.wo_status = {"暂停": "暂停", "取消": "取消"}.get(ol.status, "未开工")
            if self.rng.random() < 0.10:
                ol.hold_at = _round_qty(ol.qty * self.rng.uniform(0.2, 0.6))
                if ol.hold_at >= ol.qty:
                    ol.hold_at = None
                ol.hold_kind = self.rng.choice(("欠料", "欠料", "设备"))
                ol.hold_days = self.rng.randint(7, 20)

    # production -----------------------------------------------------------------

    def produce(self) -> None:
        rng = self.rng
        for line in self.lines:
            jobs = [ol for ol in self.order_lines
                    if ol.item.line == line.name and ol.wo_no and ol.status in ("正常", "完成")]
            remaining = {id(ol): ol.qty for ol in jobs}
            started: set[int] = set()
            day = self.start
            while day < self.as_of:
                for shift_idx, hours in enumerate(self.shift_hours(line, day)):
                    shift = SHIFT_NAMES[shift_idx] if line.shifts > 1 else SHIFT_NAMES[0]
                    self._run_shift(line, day, shift, hours, jobs, remaining, started, rng)
                day += timedelta(days=1)
            for ol in jobs:
                if remaining[id(ol)] == 0:
                    ol.wo_status = "完成"
                elif ol.produced:
                    ol.wo_status = "生产中"

    def _run_shift(self, line: _Line, day: date, shift: str, hours: float,
                   jobs: list[_OrderLine], remaining: dict[int, int], started: set[int],
                   rng: random.Random) -> None:
        exception: str | None = None
        remark: str | None = None
        bad_rate = rng.uniform(0.003, 0.02)
        if rng.random() < 0.06:
            exception = rng.choice(("欠料", "设备", "品质", "品质"))
            lost = rng.choice((1.5, 2.0, 2.5, 3.0, 4.0))
            if exception == "欠料":
                what = "原料" if line.name.startswith("注塑") else "包材"
                remark = f"{what}未到,待料{lost:g}小时"
                hours -= lost
            elif exception == "设备":
                what = "模具故障" if line.name.startswith("注塑") else "电批故障"
                remark = f"{what},停机{lost:g}小时"
                hours -= lost
            else:
                bad_rate = rng.uniform(0.05, 0.09)
                remark = "缩水、披锋不良,调机" if line.name.startswith("注塑") else "来料不良,返工"
        while hours >= 0.5:
            queue = [ol for ol in jobs
                     if remaining[id(ol)] > 0 and ol.wo_issue is not None and ol.wo_issue < day
                     and (ol.blocked_until is None or ol.blocked_until <= day)]
            if not queue:
                break
            # The workshop runs its queue first come, first served (rush orders
            # jump it): exactly why some lines end up late and the clerk must chase.
            job = min(queue, key=lambda ol: (PRIORITY_RANK[ol.priority], id(ol) not in started,
                                              ol.wo_no or ""))
            started.add(id(job))
            perf = rng.uniform(line.efficiency - 0.06, min(1.02, line.efficiency + 0.06))
            per_hour = job.item.rate * perf
            left = remaining[id(job)]
            needed = left / per_hour
            if needed <= hours - 0.5:
                used = max(0.5, math.ceil(needed * 2) / 2)
                good = left
            else:
                used = hours
                good = min(left, int(per_hour * used))
                if (left - good) / per_hour < 0.5:  # a crumb left over: the shift finishes it
                    good = left
            done = job.qty - left
            if job.hold_at is not None and done + good >= job.hold_at:
                # The job stops here and waits; the clerk sees why in the report.
                good = job.hold_at - done
                used = max(0.5, min(used, math.ceil(good / per_hour * 2) / 2))
                job.blocked_until = day + timedelta(days=job.hold_days)
                job.hold_at = None
                exception = job.hold_kind
                moulding = line.name.startswith("注塑")
                if exception == "欠料":
                    remark = "原料未到,停线待料" if moulding else "配件未到,停线待料"
                else:
                    remark = "模具损坏,送修" if moulding else "治具损坏,维修中"
            bad = round(good * bad_rate)
            remaining[id(job)] = left - good
            job.produced.append((day, good))
            self.daily.append([day, job.wo_no, line.name, shift, good, bad, used,
                               exception, remark])
            exception = remark = None  # the exception is noted once per shift
            hours -= used

    # shipments ------------------------------------------------------------------

    def ship(self) -> None:
        rng = self.rng
        for ol in self.order_lines:
            if ol.status not in ("正常", "完成") or not ol.produced:
                continue
            finished = ol.finished_on()
            target = _weekday_on_or_before(ol.commitment)
            if finished is not None and finished < target:
                day = target - timedelta(days=rng.choice((0, 0, 1, 2, 3)))
                day = _weekday_on_or_after(max(day, finished + timedelta(days=1)), True)
                if day <= self.as_of:
                    self.add_shipment(ol, day, ol.qty)
                continue
            shipped = 0
            if target <= self.as_of:
                ready = ol.produced_before(target)
                if 0.3 * ol.qty <= ready < ol.qty and rng.random() < 0.6:
                    part = ready // ol.item.pcs_per_carton * ol.item.pcs_per_carton
                    if part > 0:
                        self.add_shipment(ol, target, part, "分批出货")
                        shipped = part
            if finished is not None:
                day = _weekday_on_or_after(finished + timedelta(days=rng.choice((1, 1, 2))), True)
                if day <= self.as_of:
                    self.add_shipment(ol, day, ol.qty - shipped, "尾数" if shipped else "")

    def add_shipment(self, ol: _OrderLine, day: date, qty: int, remark: str = "") -> _Shipment:
        s = _Shipment(ol, ol.order_no, ol.line_no, ol.item.code, ol.customer, day, qty,
                      math.ceil(qty / ol.item.pcs_per_carton), remark)
        self.shipments.append(s)
        return s

    def number_notes(self) -> None:
        """One delivery note per customer and ship date; the last few days' notes are
        not numbered yet (the documents feature assigns them), and some older ones
        have not come back signed."""
        rng = self.rng
        cust_rank = {c[0]: i for i, c in enumerate(CUSTOMER_DATA)}
        self.shipments.sort(key=lambda s: (s.ship_date, cust_rank.get(s.customer, 99),
                                           s.order_no, s.line_no))
        unnumbered_from = self.as_of - timedelta(days=3)
        seq_by_day: dict[date, int] = {}
        notes: dict[tuple[date, str], tuple[str, date | None]] = {}
        for s in self.shipments:
            if s.ship_date >= unnumbered_from:
                continue
            key = (s.ship_date, s.customer)
            if key not in notes:
                seq_by_day[s.ship_date] = seq_by_day.get(s.ship_date, 0) + 1
                number = f"SH{s.ship_date:%Y%m%d}{seq_by_day[s.ship_date]:03d}"
                signed: date | None = _weekday_on_or_after(
                    s.ship_date + timedelta(days=rng.randint(1, 6)), True)
                if signed is not None and (signed > self.as_of or rng.random() < 0.08):
                    signed = None
                notes[key] = (number, signed)
            s.note_no, s.signed = notes[key]

    def close_orders(self) -> None:
        """Mark some long-finished, fully shipped lines 完成 as a clerk would."""
        shipped: dict[int, int] = {}
        for s in self.shipments:
            if s.line is not None:
                shipped[id(s.line)] = shipped.get(id(s.line), 0) + s.qty
        cutoff = self.start + timedelta(days=35)
        for ol in self.order_lines:
            if (ol.status == "正常" and shipped.get(id(ol), 0) >= ol.qty
                    and ol.order_date < cutoff and self.rng.random() < 0.35):
                ol.status = "完成"


# --- sheets -----------------------------------------------------------------------


def _headers(spec: SheetSpec, keys: list[str], units: dict[str, str]) -> list[str]:
    return [spec.column(k).name + (f"({units[k]})" if k in units else "") for k in keys]


def _all_keys(spec: SheetSpec) -> list[str]:
    return [c.key for c in spec.columns]


# Optional columns the forms print; derived from the data (no random draws, so the
# rest of the demo stays as it was).
SHIP_TO = {"华信电子": "深圳市宝安区福永街道凤凰第三工业区C栋1楼 收货仓(周一至周六 8:00-17:00)",
           "东晟电器": "东莞市厚街镇三屯工业区兴业路10号 原料仓"}
PLATES = (("粤S·D3K81", "自送"), ("粤S·B7762", "自送"), ("粤A·L0925", "德邦物流"))


def _customer_item(ol: _OrderLine) -> str | None:
    """华信电子 orders by its own part numbers (客户料号)."""
    return f"HX-{ol.item.code.replace('-', '')}-A" if ol.customer == "华信电子" else None


def _transport(day: date) -> tuple[str, str]:
    """车牌 and 承运 of a shipment: the vehicle on duty that day."""
    return PLATES[day.toordinal() % len(PLATES)]


def _work_order_notes(item: _Item) -> tuple[str, str, str, str]:
    """模具号, 包装要求, 品质标准, 样品号 of an item."""
    return (f"M{item.code.replace('-', '')}", f"每箱 {item.pcs_per_carton} {item.unit},外箱 {item.carton},贴客户标签",
            "按客户图纸及 GB/T 2828.1 一般检验水平 II,AQL 1.0", f"YP-{item.code[-4:]}")


def _blank(text: str) -> str | None:
    return text or None


def _position(rows: list[list[Value]], row: object) -> int:
    """Index of this very row object (rows may be equal in value: planted copies)."""
    return next(i for i, r in enumerate(rows) if r is row)


def build_demo(as_of: date = DEFAULT_AS_OF, seed: int = 7) -> DemoData:
    """The demo ledger as of ``as_of``: same arguments, same data, every time."""
    f = _Factory(as_of, seed)
    rng = f.rng
    f.make_orders()

    # Choose the order lines that will carry planted mistakes before anything is
    # produced, so the story around them stays consistent.
    soon = [ol for ol in f.order_lines
            if ol.status == "正常" and ol.priority == "普通" and ol.changed is None
            and ol.order_date < as_of - timedelta(days=10)]
    soon.sort(key=lambda ol: abs((ol.commitment - (as_of + timedelta(days=4))).days))
    forgotten = rng.choice(soon[:3])  # commitment as close as possible to four days out
    plain = [ol for ol in f.order_lines
             if ol.status == "正常" and ol is not forgotten and ol.changed is None
             and ol.promised is None and ol.order_date < as_of - timedelta(days=10)]
    pick = rng.sample(plain, 5)
    pick[1].qty = 500  # its 数量 cell will read "约500"; the work order says 500
    f.issue_work_orders(forgotten)
    f.produce()
    f.ship()

    # Over-shipment: an extra delivery on a line already shipped in full.
    done = [s for s in f.shipments if s.line is not None and s.remark == ""
            and s.qty == s.line.qty and s.ship_date < as_of - timedelta(days=25)
            and all(s.line is not p for p in pick)]
    base = rng.choice(done)
    assert base.line is not None
    extra_qty = max(50, base.line.qty // 100 * 10)  # about a tenth more, sent as 补发
    over = f.add_shipment(base.line, _weekday_on_or_after(base.ship_date + timedelta(days=2)),
                           extra_qty, "补发")
    # Goods without an order (有货无单): an order number nobody entered.
    phone_line = rng.choice([ol for ol in f.order_lines
                             if ol.order_date > as_of - timedelta(days=40)])
    month = phone_line.order_no[2:6]
    orders_in_month = len({o.order_no for o in f.order_lines if o.order_no[2:6] == month})
    unknown_no = f"XS{month}{orders_in_month + 7:03d}"
    stray_day = _weekday_on_or_after(as_of - timedelta(days=12))
    stray = _Shipment(None, unknown_no, 1, phone_line.item.code, phone_line.customer, stray_day,
                      phone_line.item.pcs_per_carton * 5, 5, "客户电话下单,订单未录入")
    f.shipments.append(stray)
    f.number_notes()
    f.close_orders()
    # A return (退货): a few cartons of a recent signed delivery of a finished order line
    # come back; no 退货单 yet (``docs delivery-notes`` gives it a TH number).
    sent = [s for s in f.shipments if s.line is not None and s.signed is not None and s.line.status == "完成"
            and s is not over and s.line is not over.line and s.ship_date > as_of - timedelta(days=45)]
    if sent:
        base_ship = max(sent, key=lambda s: (s.ship_date, s.order_no))
        back = base_ship.line.item.pcs_per_carton * 2 if base_ship.line else 0
        f.shipments.append(_Shipment(
            base_ship.line, base_ship.order_no, base_ship.line_no, base_ship.item, base_ship.customer,
            _weekday_on_or_after(base_ship.ship_date + timedelta(days=3)), min(back, base_ship.qty), 2,
            "客户退回不良品", kind=RETURN_KIND,
        ))

    planted: list[Planted] = []
    sheets: list[DemoSheet] = []
    marks: list[tuple[str, object, str, str, str]] = []  # sheet key, row object, column, code, note

    # 订单 ------------------------------------------------------------------------
    order_rows: list[list[Value]] = []
    row_of: dict[int, list[Value]] = {}
    for ol in f.order_lines:
        row: list[Value] = [
            ol.order_no, ol.line_no, ol.customer, ol.po, ol.item.code, ol.item.name,
            ol.item.spec, ol.qty, ol.item.unit, ol.item.price, ol.order_date, ol.due,
            ol.promised, ol.changed, ol.priority, ol.status, _blank(ol.remark), _customer_item(ol),
        ]
        order_rows.append(row)
        row_of[id(ol)] = row
    okeys = _all_keys(ORDERS)
    oc = {k: i for i, k in enumerate(okeys)}

    # A bad date text in 下单日期.
    r = row_of[id(pick[0])]
    r[oc["order_date"]] = "2026/13/45"
    marks.append(("orders", r, "order_date", "bad-date", "下单日期写成不存在的日期"))
    # A number with text in 数量 (the work order says 500).
    r = row_of[id(pick[1])]
    r[oc["qty"]] = "约500"
    marks.append(("orders", r, "qty", "bad-number", "数量写成「约500」"))
    # Due date before the order date (wrong month typed).
    r = row_of[id(pick[2])]
    wrong_due = pick[2].order_date - timedelta(days=rng.randint(20, 28))
    r[oc["due_date"]] = wrong_due
    marks.append(("orders", r, "due_date", "due-before-order", "交期早于下单日期(月份输错)"))
    # An Excel error: a price looked up for a discontinued item code.
    r = row_of[id(pick[3])]
    price_col = column_letter(_all_keys(ITEMS).index("unit_price"))
    r[oc["unit_price"]] = ExcelError(
        "#N/A", f"VLOOKUP(\"SJ-2099\",'{ITEMS.name}'!$A:${price_col},"
                f"{_all_keys(ITEMS).index('unit_price') + 1},FALSE)")
    marks.append(("orders", r, "unit_price", "excel-error", "单价公式查不到产品,结果为 #N/A"))
    # A duplicated order line (pasted twice), right below the original.
    dup_src = row_of[id(pick[4])]
    dup = list(dup_src)
    order_rows.insert(_position(order_rows, dup_src) + 1, dup)
    marks.append(("orders", dup, "line_no", "duplicate-key", "同一订单行录入两次"))
    # An unknown item code (letter O typed for zero) on a new order line, due far away.
    code = "SJ-1O03"
    base_item = f.item_by_code["SJ-1003"]
    last = f.order_lines[-1]
    new_due = _weekday_on_or_before(as_of + timedelta(days=30))
    typo_row: list[Value] = [
        last.order_no, last.line_no + 1, last.customer, last.po, code, base_item.name,
        base_item.spec, _round_qty(base_item.rate * 40), base_item.unit, base_item.price,
        last.order_date, new_due, None, None, "普通", "正常", None, None,
    ]
    order_rows.append(typo_row)
    marks.append(("orders", typo_row, "item", "unknown-item", "产品编码把数字 0 打成字母 O"))
    # No work order within a week of the commitment date (有单无工单).
    marks.append(("orders", row_of[id(forgotten)], "order_no", "no-work-order",
                  "交期一周内仍未下工单"))
    # The over-shipment's base line, for the note.
    assert over.line is not None

    sheets.append(DemoSheet(
        ORDERS, ORDERS.name, okeys, _headers(ORDERS, okeys, {"qty": "PCS", "unit_price": "元"}),
        order_rows,
        titles=[f"{as_of.year}年{as_of.month}月订单跟踪表",
                f"{COMPANY_NAME}  跟单部  更新日期:{as_of:%Y-%m-%d}"],
        totals=("qty",),
    ))

    # 工单 ------------------------------------------------------------------------
    wkeys = _all_keys(WORK_ORDERS)
    wo_lines = sorted((ol for ol in f.order_lines if ol.wo_no), key=lambda o: o.wo_no or "")
    wo_rows: list[list[Value]] = [
        [ol.wo_no, ol.order_no, ol.line_no, ol.item.code, ol.qty, ol.item.line, ol.plan_start,
         ol.plan_finish, ol.wo_issue, ol.wo_status]
        for ol in wo_lines
    ]
    sheets.append(DemoSheet(WORK_ORDERS, WORK_ORDERS.name, wkeys,
                            _headers(WORK_ORDERS, wkeys, {}), wo_rows))

    # 生产日报 --------------------------------------------------------------------
    dkeys = _all_keys(DAILY)
    line_rank = {ln.name: i for i, ln in enumerate(f.lines)}
    daily = sorted(f.daily, key=lambda r: (r[0], line_rank[str(r[2])], SHIFT_NAMES.index(str(r[3]))))
    # A duplicated report row: pasted twice, preferably on a recent row of a work
    # order still in production with room left (so nothing looks over-produced).
    open_wos = {ol.wo_no: ol for ol in f.order_lines if ol.wo_status == "生产中"}
    dup_candidates = [
        r for r in daily
        if r[1] in open_wos and isinstance(r[4], int)
        and open_wos[str(r[1])].qty - open_wos[str(r[1])].good_total >= r[4] > 0
        and r[7] is None
    ][-20:] or [r for r in daily[-40:] if r[7] is None]
    d_src = rng.choice(dup_candidates)
    d_dup = list(d_src)
    daily.insert(_position(daily, d_src) + 1, d_dup)
    marks.append(("daily", d_dup, "wo_no", "duplicate-report-row", "同一班次日报录入两次"))
    # A report for a work order number that does not exist (a digit left out),
    # preferably on a work order nothing was shipped from yet, so no shipment
    # then looks unproduced.
    shipped_wos = {s.line.wo_no for s in f.shipments if s.line is not None}
    usable = [r for r in daily if r[7] is None and r is not d_src and r is not d_dup]
    s_src = rng.choice([r for r in usable[-200:-60] if r[1] not in shipped_wos]
                       or [r for r in usable if r[1] not in shipped_wos] or usable)
    stray_wo = str(s_src[1])[:-3] + str(s_src[1])[-2:]
    s_src[1] = stray_wo
    marks.append(("daily", s_src, "wo_no", "unknown-work-order", "工单号少打一位"))
    # Two typos the daily-report audit catches, on rows older than the rate window (so
    # the plan's actual rates are not touched): 工时 one digit short (5 -> 0.5), and a
    # Monday typed as the Sunday before, a rest day of the line.
    older = [r for r in usable[-320:-120] if r[7] is None and r is not s_src]
    h_src = rng.choice([r for r in older if isinstance(r[6], int | float) and r[6] >= 4])
    hours = h_src[6]
    assert isinstance(hours, int | float)
    h_src[6] = round(float(hours) / 10, 1)
    marks.append(("daily", h_src, "good_qty", "rate-outlier", "工时少打一位,每小时产量成了标准的 10 倍"))
    line_of = {ln.name: ln for ln in f.lines}
    sundays = [r for r in older if r is not h_src and isinstance(r[0], date) and r[0].weekday() == 0
               and not f.shift_hours(line_of[str(r[2])], r[0] - timedelta(days=1))]
    m_src = rng.choice(sundays)
    monday = m_src[0]
    assert isinstance(monday, date)
    m_src[0] = monday - timedelta(days=1)
    marks.append(("daily", m_src, "date", "rest-day-report", "日期打成前一天星期日(该产线休息)"))
    sheets.append(DemoSheet(DAILY, DAILY.name, dkeys, _headers(DAILY, dkeys, {"hours": "h"}), daily))

    # 出货 ------------------------------------------------------------------------
    skeys = _all_keys(SHIPMENTS)
    ship_rows: list[list[Value]] = []
    ship_row_of: dict[int, list[Value]] = {}
    for s in f.shipments:
        row = [s.ship_date, s.order_no, s.line_no, s.item, s.qty, s.cartons, s.note_no,
               s.signed, _blank(s.remark), *_transport(s.ship_date), s.kind]
        ship_rows.append(row)
        ship_row_of[id(s)] = row
    marks.append(("shipments", ship_row_of[id(over)], "qty", "over-shipped",
                  f"订单 {over.order_no} 第 {over.line_no} 行已足量出货,又补发 {over.qty}"))
    marks.append(("shipments", ship_row_of[id(stray)], "order_no", "unknown-order",
                  "出货的订单号不在订单表中(有货无单)"))
    sheets.append(DemoSheet(SHIPMENTS, SHIPMENTS.name, skeys, _headers(SHIPMENTS, skeys, {}),
                            ship_rows, titles=["出货记录"]))

    # 产品 / 客户 / 产线 / 日历 / 设置 ------------------------------------------------
    ikeys = _all_keys(ITEMS)
    sheets.append(DemoSheet(
        ITEMS, ITEMS.name, ikeys,
        _headers(ITEMS, ikeys, {"std_rate": "pcs/h", "gross_weight": "kg", "net_weight": "kg"}),
        [[i.code, i.name, i.spec, i.unit, i.line, i.rate, i.pcs_per_carton, i.gross, i.net,
          i.carton, i.price, None, *_work_order_notes(i), OUT_SUPPLIERS.get(i.line),
          "是" if i.code in _new_items(f) else "否"] for i in f.items],
    ))
    ckeys = _all_keys(CUSTOMERS)
    sheets.append(DemoSheet(CUSTOMERS, CUSTOMERS.name, ckeys, _headers(CUSTOMERS, ckeys, {}),
                            [[c[0], c[1], c[2], c[3], c[4], c[5], SHIP_TO.get(c[0]), TAX_RATES.get(c[0]), MARKS.get(c[0])]
                             for c in CUSTOMER_DATA]))
    # 收款: a few payments, by short and by full name, before and in the current period.
    rkeys = _all_keys(RECEIPTS)
    full = {c[0]: c[1] for c in CUSTOMER_DATA}
    receipts: list[list[Value]] = [
        [date(2026, 10, 10), "华信电子", 120000.0, "转账", "9月货款"],
        [date(2026, 10, 28), full["东晟电器"], 85000.0, "转账", None],
        [date(2026, 11, 5), "凯达照明", 30000.0, "承兑", "6个月银行承兑汇票"],
        [date(2026, 11, 12), "东晟电器", 60000.0, "转账", "10月货款"],
        [date(2026, 11, 20), "华信电子", 98000.0, "转账", "10月货款"],
    ]
    sheets.append(DemoSheet(RECEIPTS, RECEIPTS.name, rkeys, _headers(RECEIPTS, rkeys, {"amount": "元"}),
                            receipts))
    lkeys = _all_keys(LINES)
    sheets.append(DemoSheet(LINES, LINES.name, lkeys, _headers(LINES, lkeys, {}),
                            [[ln.name, ln.workshop, ln.shifts, ln.hours, ln.efficiency, ln.rest]
                             for ln in f.lines]))
    kkeys = _all_keys(CALENDAR)
    sheets.append(DemoSheet(CALENDAR, CALENDAR.name, kkeys, _headers(CALENDAR, kkeys, {}),
                            [[d, line, kind, hours] for d, line, kind, hours in f.calendar]))
    settings_values: dict[str, Value] = {
        "company_name": COMPANY_NAME,
        "company_address": "广东省东莞市长安镇乌沙社区兴业路18号",
        "company_phone": "0769-8528 6618",
        "risk_days": 2,
        "note_lines": 8,
        "bank_name": "中国工商银行东莞长安支行",
        "bank_account": "2010 0276 0920 0088 163",
        "payment_terms": "月结 30 天,收到对账单后 7 日内确认",
    }
    setting_rows: list[list[Value]] = [
        [label, settings_values.get(key, default)] for key, (label, default) in SETTING_KEYS.items()
    ]
    tkeys = _all_keys(SETTINGS)
    sheets.append(DemoSheet(SETTINGS, SETTINGS.name, tkeys, _headers(SETTINGS, tkeys, {}),
                            setting_rows))

    sheets += _material_sheets(f, as_of, marks)
    sheets.append(_forecast_sheet(f, as_of, marks))
    sheets.append(_outsourcing_sheet(f, as_of, marks))
    sheets.append(_quality_sheet(f, as_of))
    sheets.append(_samples_sheet(f, as_of, marks, row_of))
    sheets.append(_complaints_sheet(f, as_of, marks))
    sheets.append(_satisfaction_sheet(f, as_of))
    sheets.append(_opening_stock_sheet(f, as_of, next(s for s in sheets if s.spec.key == "quality").rows))

    # Resolve planted marks to cell addresses now that every row has its place.
    by_key = {s.spec.key: s for s in sheets}
    for sheet_key, row_obj, col, code, note in marks:
        assert code in ISSUE_TYPES, code
        sh = by_key[sheet_key]
        index = _position(sh.rows, row_obj)
        value = sh.rows[index][sh.columns.index(col)]
        planted.append(Planted(sh.name, sh.address(index, col), code, value, note))
    planted.sort(key=lambda p: (p.sheet, int("".join(ch for ch in p.cell if ch.isdigit())), p.cell))

    return DemoData(
        as_of=as_of,
        seed=seed,
        company=COMPANY_NAME,
        sheets=sheets,
        planted=planted,
    )


# --- materials ---------------------------------------------------------------------

RESINS = {"ABS", "AS", "HDPE", "PA66", "PC", "PC+ABS", "PMMA", "POM", "PP", "TPE"}
RESIN_SUPPLIER = "金塑原料"
PART_SUPPLIER = "恒通五金"
MB_SUPPLIER = "彩丰色母"


def _material_sheets(f: _Factory, as_of: date, marks: list[tuple[str, object, str, str, str]]) -> list[DemoSheet]:
    """BOM, 物料, 采购, 领料 and 供应商价格: resin (kg per piece, 3% loss) for moulded
    items, one bought-in part for the others; stock covers open needs with room to
    spare, except one item's masterbatch, which arrives after its order line's date
    (late because of material). No random draws: the rest of the demo is unchanged."""
    def material_of(item: _Item) -> tuple[str, str, str, float, float]:
        token = item.spec.split()[0]
        if token in RESINS:
            per = round(item.net / item.pcs_per_carton, 4) if item.pcs_per_carton else 0.1
            return f"RM-{token}", f"{token} 原料", "kg", max(per, 0.001), 0.03
        return f"BP-{item.code}", f"{item.name}配件", "PCS", 1.0, 0.0

    open_wo = [ol for ol in f.order_lines if ol.wo_no and ol.wo_status in ("未开工", "生产中") and ol.status == "正常"]
    candidates = sorted(
        (ol for ol in open_wo if ol.wo_status == "未开工"
         and as_of + timedelta(days=5) <= ol.commitment <= as_of + timedelta(days=20)),
        key=lambda ol: (ol.commitment, ol.wo_no or ""),
    )
    late_item = candidates[0].item if candidates else None
    late_line = candidates[0] if candidates else None

    bom: list[list[Value]] = []
    info: dict[str, tuple[str, str, str]] = {}  # material -> name, unit, supplier
    per_of: dict[tuple[str, str], float] = {}
    for item in f.items:
        code, name, unit, per, loss = material_of(item)
        bom.append([item.code, code, per, f"{loss:.0%}" if loss else None])
        info.setdefault(code, (name, unit, RESIN_SUPPLIER if code.startswith("RM-") else PART_SUPPLIER))
        per_of[(item.code, code)] = per * (1 + loss)
        if item is late_item:
            mb = f"MB-{item.code}"
            bom.append([item.code, mb, 0.02, None])
            info[mb] = (f"{item.name}色母", "kg", MB_SUPPLIER)
            per_of[(item.code, mb)] = 0.02

    need: dict[str, float] = {}
    requisitions: list[list[Value]] = []
    for ol in open_wo:
        for (item_code, mat), per in per_of.items():
            if item_code != ol.item.code:
                continue
            need[mat] = need.get(mat, 0.0) + ol.qty * per
            if ol.wo_status == "生产中" and not mat.startswith("MB-"):
                issued = round(ol.qty * per * 0.5, 1)
                requisitions.append([ol.plan_start or ol.wo_issue, ol.wo_no, mat, issued,
                                     "注塑车间" if mat.startswith("RM-") else "装配车间"])
    requisitions.sort(key=lambda r: (r[0] if isinstance(r[0], date) else as_of, str(r[1]), str(r[2])))

    materials: list[list[Value]] = []
    for code in sorted(info):
        name, unit, supplier = info[code]
        stock = 0 if code.startswith("MB-") else int(-(-need.get(code, 0.0) * 1.2 // 25) * 25)
        lead = None if code.startswith("MB-") else (7 if code.startswith("RM-") else 15)
        materials.append([code, name, None, unit, stock, "外购", supplier, lead])

    price_since = date(2026, 8, 1)
    change_day = date(2026, 11, 1)
    prices: list[list[Value]] = []
    resin_codes = sorted(c for c in info if c.startswith("RM-"))
    for code in resin_codes:
        prices.append([RESIN_SUPPLIER, code, 12.5, "CNY", price_since])
    pp = "RM-PP" if "RM-PP" in info else resin_codes[0]
    prices.append([RESIN_SUPPLIER, pp, 13.2, "CNY", change_day])  # a price rise

    purchases: list[list[Value]] = []
    month = f"{as_of:%Y%m}"
    n = 0

    def po(material: str, supplier: str, qty: float, price: float, ordered: date, due: date, received: float,
           state: str) -> list[Value]:
        nonlocal n
        n += 1
        row: list[Value] = [f"CG{month}{n:03d}", supplier, material, qty, price, ordered, due, received, state]
        purchases.append(row)
        return row

    for code in resin_codes:
        price = 13.2 if code == pp else 12.5
        po(code, RESIN_SUPPLIER, 500, price, _weekday_on_or_before(as_of - timedelta(days=8)),
           _weekday_on_or_after(as_of + timedelta(days=10)), 0, "未到")
    # A purchase past its date with part of it still out (late-purchase).
    late = po(pp, RESIN_SUPPLIER, 1000, 12.5, date(2026, 10, 20), _weekday_on_or_before(as_of - timedelta(days=4)),
              400, "部分到货")
    marks.append(("purchases", late, "due", "late-purchase", "预计到货已过,还有 600 kg 未到"))
    # Ordered after the price rise at the old price (price-mismatch).
    old = po(pp, RESIN_SUPPLIER, 300, 12.5, _weekday_on_or_after(date(2026, 11, 12)),
             _weekday_on_or_after(as_of + timedelta(days=12)), 0, "未到")
    marks.append(("purchases", old, "unit_price", "price-mismatch", "调价后仍按旧价 12.5 下单(新价 13.2)"))
    if late_item is not None and late_line is not None:
        mb = f"MB-{late_item.code}"
        po(mb, MB_SUPPLIER, round(need.get(mb, 0.0) + 5), 38.0, _weekday_on_or_before(as_of - timedelta(days=2)),
           _weekday_on_or_after(late_line.commitment + timedelta(days=5)), 0, "未到")

    def sheet(spec: SheetSpec, rows: list[list[Value]], units: dict[str, str] | None = None) -> DemoSheet:
        keys = _all_keys(spec)
        return DemoSheet(spec, spec.name, keys, _headers(spec, keys, units or {}), rows)

    return [
        sheet(BOM_SHEET, bom),
        sheet(MATERIALS_SHEET, materials),
        sheet(PURCHASES_SHEET, purchases),
        sheet(REQUISITIONS_SHEET, requisitions),
        sheet(PRICES_SHEET, prices),
    ]


# --- customer forecasts ------------------------------------------------------------


def _round_up(qty: float, step: int) -> int:
    return int(-(-qty // step) * step)


def _forecast_sheet(f: _Factory, as_of: date, marks: list[tuple[str, object, str, str, str]]) -> DemoSheet:
    """预测: on each line, the customer item with the most firm quantity due next month
    gets a forecast for next month (1.6x what is ordered, so part of it is still
    open) and the month after (no orders yet, all open); the largest other one gets
    a weekly forecast two weeks ahead. One row is planted with 月份 written as 「12月下旬」 (bad-period).
    No random draws: the rest of the demo is unchanged."""
    nxt = (as_of.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = (nxt + timedelta(days=32)).replace(day=1)
    firm: dict[tuple[str, str], int] = {}
    for ol in f.order_lines:
        if ol.status != "取消" and (ol.due.year, ol.due.month) == (nxt.year, nxt.month):
            firm[(ol.customer, ol.item.code)] = firm.get((ol.customer, ol.item.code), 0) + ol.qty
    ranked = sorted(firm.items(), key=lambda kv: (-kv[1], kv[0]))
    line_of = {i.code: i.line for i in f.items}
    top: dict[str, tuple[tuple[str, str], int]] = {}
    for pair, qty in ranked:  # the first (largest) pair of each line
        top.setdefault(line_of[pair[1]], (pair, qty))
    chosen = [top[ln.name] for ln in f.lines if ln.name in top]
    rest = [kv for kv in ranked if kv not in chosen]
    rows: list[list[Value]] = []
    for (customer, item), qty in chosen:
        rows.append([customer, item, f"{nxt:%Y-%m}", None, _round_up(qty * 1.6, 500), "客户滚动预测"])
        rows.append([customer, item, f"{after.year}年{after.month}月", None, _round_up(qty * 1.2, 500), None])
    if rest:
        (customer, item), qty = rest[0]
        year, week, _ = (as_of + timedelta(days=14)).isocalendar()
        rows.append([customer, item, None, f"{year}-W{week:02d}", _round_up(qty, 100), "备货周预测"])
    if ranked:
        (customer, item), _qty = ranked[0]
        bad: list[Value] = [customer, item, f"{nxt.month}月下旬", None, 1000, "电话通知"]
        rows.append(bad)
        marks.append(("forecasts", bad, "month", "bad-period", "月份写成「下旬」,不是一个月份"))
    keys = _all_keys(FORECASTS)
    return DemoSheet(FORECASTS, FORECASTS.name, keys, _headers(FORECASTS, keys, {}), rows)


# --- outsourcing ----------------------------------------------------------------------

OUT_SUPPLIERS = {"注塑一线": "东莞市协力塑胶厂", "注塑二线": "东莞市协力塑胶厂", "组装线": "长安镇永兴电子组装部"}


def _outsourcing_sheet(f: _Factory, as_of: date, marks: list[tuple[str, object, str, str, str]]) -> DemoSheet:
    """外协: two lots sent out a week ago for open order lines with no work order
    (the earliest due ones): a third of the first line, half of it back, due in four
    days; a quarter of the second, nothing back, due two days ago (planted:
    late-outsourcing). No random draws: the rest of the demo is unchanged."""
    open_lines = sorted(
        (ol for ol in f.order_lines if ol.status == "正常" and not ol.wo_no and ol.commitment >= as_of),
        key=lambda ol: (ol.commitment, ol.order_no, ol.line_no),
    )
    sent = _weekday_on_or_before(as_of - timedelta(days=7))
    rows: list[list[Value]] = []
    for n, ol in enumerate(open_lines[:2]):
        step = ol.item.pcs_per_carton or 1
        qty = _round_up(ol.qty / (3 if n == 0 else 4), step)
        due = _weekday_on_or_after(as_of + timedelta(days=4)) if n == 0 else _weekday_on_or_before(
            as_of - timedelta(days=2))
        back = qty // 2 if n == 0 else 0
        supplier = OUT_SUPPLIERS.get(ol.item.line, "东莞市协力塑胶厂")
        row: list[Value] = [f"WX{sent:%Y%m%d}{n + 1:03d}", ol.order_no, ol.line_no, ol.item.code, qty, sent, due,
                            back, supplier]
        rows.append(row)
        if n == 1:
            marks.append(("outsourcing", row, "due", "late-outsourcing", "外协厂过了预计回厂日期还没交货"))
    keys = _all_keys(OUTSOURCING)
    return DemoSheet(OUTSOURCING, OUTSOURCING.name, keys, _headers(OUTSOURCING, keys, {}), rows)


# --- quality holds ----------------------------------------------------------------


def _quality_sheet(f: _Factory, as_of: date) -> DemoSheet:
    """品质异常: an open 返工 on a work order in production whose order line is due
    soon, back on the line only after that date (so the line is late, reason
    quality); a closed 报废 on another one in production (its balance grows); a
    closed 让步接受 and a closed 返工 on finished work orders (no effect). Only lines
    with nothing shipped yet. No random draws: the rest of the demo is unchanged."""
    shipped = {id(s.line) for s in f.shipments if s.line is not None}
    running = sorted(
        (ol for ol in f.order_lines if ol.wo_no and ol.wo_status == "生产中" and ol.status == "正常"
         and id(ol) not in shipped and ol.good_total >= 100),
        key=lambda ol: (ol.commitment, ol.wo_no or ""),
    )
    soon = [ol for ol in running if as_of + timedelta(days=3) <= ol.commitment <= as_of + timedelta(days=15)]
    finished = sorted(
        (ol for ol in f.order_lines if ol.wo_no and ol.wo_status == "完成" and ol.produced
         and ol.produced[-1][0] <= as_of - timedelta(days=10)),
        key=lambda ol: (ol.produced[-1][0], ol.wo_no or ""),
    )
    def _tens(qty: float) -> int:
        return max(10, int(qty // 10 * 10))

    rows: list[list[Value]] = []
    found = _weekday_on_or_before(as_of - timedelta(days=2))
    if finished:
        ol = finished[-1]
        day = ol.produced[-1][0]
        rows.append([day, ol.wo_no, "外观轻微色差,客户同意接收", "让步接受", _tens(ol.qty * 0.05), None,
                     _weekday_on_or_after(day + timedelta(days=1))])
    if len(finished) > 1:
        ol = finished[-2]
        day = ol.produced[-1][0]
        rows.append([day, ol.wo_no, "毛边", "返工", _tens(ol.qty * 0.1), _weekday_on_or_after(day + timedelta(days=2)),
                     _weekday_on_or_after(day + timedelta(days=2))])
    rework = soon[0] if soon else (running[0] if running else None)
    if rework is not None:
        rows.append([found, rework.wo_no, "缩水,尺寸超差", "返工", _tens(rework.good_total * 0.4),
                     _weekday_on_or_after(rework.commitment + timedelta(days=3)), None])
    scrap = next((ol for ol in running if ol is not rework), None)
    if scrap is not None:
        rows.append([found, scrap.wo_no, "压伤,无法修复", "报废", _tens(scrap.good_total * 0.05), None,
                     _weekday_on_or_after(found + timedelta(days=1))])
    rows.sort(key=lambda r: (r[0] if isinstance(r[0], date) else as_of, str(r[1])))
    keys = _all_keys(QUALITY)
    return DemoSheet(QUALITY, QUALITY.name, keys, _headers(QUALITY, keys, {}), rows)


# --- samples, complaints, satisfaction, finished-goods opening stock ----------------------
# No random draws in these: the rest of the demo is unchanged.


def _new_items(f: _Factory) -> set[str]:
    """产品 marked 新品 = 是: three items with one open line each. 华信电子's 合格 sample
    covers its SJ-1007 line; 立丰科技's SJ-1010 sample is not sent yet and 东晟电器's
    SJ-1004 sample came back 需修改, so those two lines have no approved sample."""
    return {f.items[3].code, f.items[6].code, f.items[9].code}


def _open_lines(f: _Factory, item: str, customer: str) -> list[_OrderLine]:
    """Order lines of ``item`` for ``customer`` still open (not 完成/取消, not all shipped)."""
    shipped: dict[int, int] = {}
    for s in f.shipments:
        if s.line is not None:
            shipped[id(s.line)] = shipped.get(id(s.line), 0) + (-s.qty if s.kind == RETURN_KIND else s.qty)
    return [ol for ol in f.order_lines if ol.item.code == item and ol.customer == customer
            and ol.status not in ("完成", "取消") and shipped.get(id(ol), 0) < ol.qty]


def _samples_sheet(
    f: _Factory, as_of: date, marks: list[tuple[str, object, str, str, str]], order_row_of: dict[int, list[Value]],
) -> DemoSheet:
    """样品: requests of the last weeks, one per customer, in every state. Planted:
    立丰科技's sample not sent 3 days after its 要求日期 (sample-overdue), 佳美家居's sent
    13 days ago and still 待确认 (sample-unconfirmed), and 立丰科技's open order line of
    the new item SJ-1010 with no approved sample (no-approved-sample). 凯达照明's new
    request has no 样品单号 yet: ``gendan docs sample-notices`` numbers it."""
    items = f.items
    day = _weekday_on_or_before
    rows: list[list[Value]] = [
        # 样品单号, 客户, 产品编码, 数量, 要求日期, 送样日期, 确认结果, 确认日期, 封样编号, 备注
        [f"YP{day(as_of - timedelta(days=30)):%Y%m%d}001", "华信电子", items[6].code, 5,
         day(as_of - timedelta(days=24)), day(as_of - timedelta(days=25)), "合格", day(as_of - timedelta(days=20)),
         "FY-2026-031", None],
        [f"YP{day(as_of - timedelta(days=21)):%Y%m%d}001", "东晟电器", items[3].code, 3,
         day(as_of - timedelta(days=14)), day(as_of - timedelta(days=13)), "需修改", day(as_of - timedelta(days=8)),
         None, "客户要求加强筋加厚"],
        [f"YP{day(as_of - timedelta(days=18)):%Y%m%d}001", "佳美家居", items[5].code, 4,
         day(as_of - timedelta(days=12)), day(as_of - timedelta(days=12)), "待确认", None, None, None],
        [f"YP{day(as_of - timedelta(days=10)):%Y%m%d}001", "立丰科技", items[9].code, 10,
         day(as_of - timedelta(days=3)), None, "待确认", None, None, "工程部改模中"],
        [f"YP{day(as_of - timedelta(days=6)):%Y%m%d}001", "恒通五金", items[10].code, 5,
         day(as_of - timedelta(days=2)), day(as_of - timedelta(days=3)), "待确认", None, None, None],
        [None, "凯达照明", items[8].code, 6,
         _weekday_on_or_after(as_of + timedelta(days=5)), None, "待确认", None, None, "灯罩透光率按客户色板"],
    ]
    overdue, unconfirmed = rows[3], rows[2]
    rows.sort(key=lambda r: (r[0] is None, str(r[0])))
    marks.append(("samples", overdue, "required_date", "sample-overdue", "要求送样日期已过 3 天,样品还没送出"))
    marks.append(("samples", unconfirmed, "result", "sample-unconfirmed", "样品送出近两周,客户仍未确认"))
    lines = _open_lines(f, items[9].code, "立丰科技")
    if lines:
        marks.append(("orders", order_row_of[id(lines[0])], "item", "no-approved-sample",
                      "新品订单未结,客户还没有确认合格的样品"))
    keys = _all_keys(SAMPLES)
    return DemoSheet(SAMPLES, SAMPLES.name, keys, _headers(SAMPLES, keys, {}), rows)


def _complaints_sheet(f: _Factory, as_of: date, marks: list[tuple[str, object, str, str, str]]) -> DemoSheet:
    """客诉: complaints on shipped order lines; two closed, two still open: one for three
    weeks (planted: complaint-open-long at its 状态), one for a few days."""
    shipped = sorted({(s.order_no, s.item, s.customer, s.ship_date) for s in f.shipments if s.line is not None},
                     key=lambda t: (t[3], t[0]))
    picks = [shipped[len(shipped) * k // 5] for k in (1, 2, 3, 4)] if len(shipped) >= 5 else shipped
    early = [s for s in shipped if s[3] <= as_of - timedelta(days=24)]
    if len(picks) > 2 and early:
        picks[2] = early[-1]  # shipped at least 24 days ago: open since then, past the 14 days
    texts = [("外观刮花", 30, "生产部", "加强包装隔板,全检后补货"), ("尺寸偏大 0.3mm", 120, "品质部", "修模,退货重做"),
             ("少装 2 箱", 40, "仓库", "补发 2 箱,出货前双人点数"), ("颜色偏黄", 200, "生产部", "更换色粉批次,待客户确认")]
    rows: list[list[Value]] = []
    for n, ((order_no, item, customer, shipped_on), (problem, qty, dept, action)) in enumerate(
            zip(picks, texts, strict=False)):
        opened = _weekday_on_or_after(shipped_on + timedelta(days=3))
        if n == 3:  # the other open one: a few days old, within the 14 days
            opened = max(opened, _weekday_on_or_before(as_of - timedelta(days=10)))
        if opened > as_of:
            opened = _weekday_on_or_before(as_of)
        closed = _weekday_on_or_after(opened + timedelta(days=6)) if n < 2 else None
        if closed is not None and closed > as_of:
            closed = max(opened, _weekday_on_or_before(as_of))
        row: list[Value] = [f"KS{opened:%Y%m}{n + 1:03d}", opened, customer, order_no, item, problem, qty, dept,
                            action, "已结案" if closed else "处理中", closed]
        rows.append(row)
        if n == 2 and (as_of - opened).days > 14:
            marks.append(("complaints", row, "status", "complaint-open-long",
                          "客诉登记三周仍在处理中,超过客诉结案提醒天数 14 天"))
    keys = _all_keys(COMPLAINTS)
    return DemoSheet(COMPLAINTS, COMPLAINTS.name, keys, _headers(COMPLAINTS, keys, {}), rows)


def _satisfaction_sheet(f: _Factory, as_of: date) -> DemoSheet:
    """满意度: three survey rounds for each customer: at the end of the two months before
    the as-of month and a few days before the as-of date."""
    scores = ((5, 4, 5, 3), (4, 4, 4, 4), (3, 4, 4, 3), (4, 5, 4, 4), (5, 5, 4, 3), (4, 3, 4, 4))
    this_month = as_of.replace(day=1)
    last_end = this_month - timedelta(days=1)
    before_end = last_end.replace(day=1) - timedelta(days=1)
    rounds = ((before_end, 0), (last_end, 1), (as_of - timedelta(days=5), 2))
    rows: list[list[Value]] = []
    for day, shift in rounds:
        for n, customer in enumerate(c[0] for c in CUSTOMER_DATA):
            d, q, sv, pr = scores[(n + shift) % len(scores)]
            rows.append([customer, _weekday_on_or_before(day), d, q, sv, pr, None])
    keys = _all_keys(SATISFACTION)
    return DemoSheet(SATISFACTION, SATISFACTION.name, keys, _headers(SATISFACTION, keys, {}), rows)


def _opening_stock_sheet(f: _Factory, as_of: date, quality: list[list[Value]]) -> DemoSheet:
    """成品期初: the stock counted at the start of the month before the as-of month.

    The factory's history ships goods made before it starts, so each item's count
    covers its lowest running stock from that day to the as-of date (daily-report
    good pieces less deliveries, plus returns, less 品质异常 scrap and rework until it
    is closed), in whole cartons, plus a few cartons
    (2-5) more. One item, planted, is the count a clerk forgot to update: only the
    few cartons, so its 成品月结 closing goes below zero and shows red."""
    first = (as_of.replace(day=1) - timedelta(days=1)).replace(day=1)
    item_of_wo = {ol.wo_no: ol.item.code for ol in f.order_lines if ol.wo_no}
    moves: list[tuple[date, str, int]] = []
    for row in f.daily:
        day, wo_no, good = row[0], row[1], row[4]
        if isinstance(day, date) and first <= day <= as_of and wo_no in item_of_wo and isinstance(good, int):
            moves.append((day, item_of_wo[str(wo_no)], good))
    for day, wo_no, _problem, action, qty, _expected, closed in quality:
        if wo_no not in item_of_wo or not isinstance(qty, int) or action not in (SCRAP, REWORK):
            continue
        if isinstance(day, date) and first <= day <= as_of:
            moves.append((day, item_of_wo[str(wo_no)], -qty))
        if action == REWORK and isinstance(closed, date) and first <= closed <= as_of:
            moves.append((closed, item_of_wo[str(wo_no)], qty))
    for sh in f.shipments:
        if first <= sh.ship_date <= as_of:
            moves.append((sh.ship_date, sh.item, abs(sh.qty) if sh.kind == RETURN_KIND else -sh.qty))
    stock: dict[str, int] = {}
    lowest: dict[str, int] = {}
    for _day, item, qty in sorted(moves, key=lambda m: (m[0], -m[2])):  # a day's output before its shipments
        stock[item] = stock.get(item, 0) + qty
        lowest[item] = min(lowest.get(item, 0), stock[item])
    few = {i.code: 2 + n % 4 for n, i in enumerate(f.items)}
    # The planted one: of the items that shipped more than they made since that day
    # (more than the few cartons), the one that did so by the least.
    behind = [i for i in f.items if stock.get(i.code, 0) < -(few[i.code] + 1) * i.pcs_per_carton]
    short = min(behind, key=lambda i: (-stock.get(i.code, 0), i.code)) if behind else None
    rows: list[list[Value]] = []
    for i in f.items:
        cartons = few[i.code]
        if i is not short:
            cartons += math.ceil(-lowest.get(i.code, 0) / i.pcs_per_carton)
        rows.append([i.code, f"{first:%Y-%m}", i.pcs_per_carton * cartons])
    keys = _all_keys(OPENING_STOCK)
    return DemoSheet(OPENING_STOCK, OPENING_STOCK.name, keys, _headers(OPENING_STOCK, keys, {}), rows)


__all__ = [
    "DEFAULT_AS_OF",
    "DemoData",
    "DemoSheet",
    "ExcelError",
    "Planted",
    "build_demo",
    "column_letter",
]
