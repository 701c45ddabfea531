"""Cartons, weights and volume: the arithmetic behind the 装箱单 (packing list) and
the 出货计划's weight and CBM, in one place.

- 箱规 (``产品.carton_size``) is read tolerantly: three positive numbers, length x
  width x height, separated by ``x``, ``X``, ``×``, ``*``, ``✕`` (full-width forms
  too), optionally with L/W/H or 长/宽/高 in front of a number and a unit at the end
  (cm by default; ``mm``/毫米 and ``m``/米 are converted). Anything else is
  ``bad-carton-size`` at the cell (``check_carton_sizes``) and the CBM stays blank.
- A quantity at ``per`` pieces a carton fills ``floor(qty / per)`` full cartons and,
  when something is left, one last partial carton: ``carton_runs``.
- Weights are per carton (kg). A full carton weighs 净重 / 毛重. A partial carton's
  net weight is prorated by pieces (净重 x pieces / per); its gross weight is that
  net weight plus the tare of one carton (毛重 - 净重). With only 毛重 known the
  tare is unknown and the gross weight is prorated by pieces as well.
- Volume: every carton, partial or not, takes L x W x H / 1,000,000 m³.
- Printed figures are rounded per row (weights to 0.01 kg, CBM to 0.001 m³) and
  totals are sums of the printed rows, so a page always adds up.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gendan_xl.ledger import Ledger
    from gendan_xl.model import Issue

WEIGHT_PLACES = 2
CBM_PLACES = 3

_NUM = r"(\d+(?:\.\d+)?)"
_SEP = r"\s*(?:x|\*|×|✕|✖|乘)\s*"
_DIM = r"(?:[lwh长宽高]\s*[:=]?\s*)?"
_UNIT = r"(cm|mm|m|厘米|公分|毫米|米)?"
_CARTON_RE = re.compile(
    rf"^{_DIM}{_NUM}\s*{_UNIT}{_SEP}{_DIM}{_NUM}\s*{_UNIT}{_SEP}{_DIM}{_NUM}\s*{_UNIT}$"
)
_TO_CM = {None: 1.0, "cm": 1.0, "厘米": 1.0, "公分": 1.0, "mm": 0.1, "毫米": 0.1, "m": 100.0, "米": 100.0}


@dataclass(frozen=True, slots=True)
class CartonSize:
    """A carton's outer size in cm."""

    length: float
    width: float
    height: float

    @property
    def cbm(self) -> float:
        """Volume of one carton in m³ (not rounded)."""
        return self.length * self.width * self.height / 1_000_000

    @property
    def text(self) -> str:
        return "×".join(f"{v:g}" for v in (self.length, self.width, self.height)) + "cm"


def parse_carton_size(value: object) -> CartonSize | None:
    """``"60x40x35"``, ``"62×56×40cm"``, ``"60*40*35"``, ``"L60×W40×H35 cm"``,
    ``"600x400x350mm"`` -> the size in cm; None when the text is not three positive
    sizes (blank included: the caller tells blank from bad)."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    text = text.replace("(", " ").replace(")", " ").replace("（", " ").replace("）", " ").strip()
    m = _CARTON_RE.match(text)
    if m is None:
        return None
    nums = [float(m.group(i)) for i in (1, 3, 5)]
    units = [m.group(i) for i in (2, 4, 6)]
    given = {u for u in units if u is not None}
    if len(given) > 1 or (given and units[2] is None):
        return None  # mixed units, or a unit on the first sizes only: ambiguous
    factor = _TO_CM[units[2]]
    dims = [n * factor for n in nums]
    if any(d <= 0 for d in dims):
        return None
    return CartonSize(*dims)


def _dec(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def round_to(value: float, places: int) -> float:
    """Half-up rounding as printed (0.125 -> 0.13)."""
    return float(_dec(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class CartonRun:
    """Consecutive cartons holding the same number of pieces: cartons ``first`` to
    ``last`` (numbered through the whole note), ``per`` pieces each."""

    first: int
    last: int
    per: float
    partial: bool = False  # the last carton of a line, holding fewer than 每箱数量

    @property
    def cartons(self) -> int:
        return self.last - self.first + 1

    @property
    def qty(self) -> float:
        return self.cartons * self.per

    @property
    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


def split_cartons(qty: float, per: float) -> tuple[int, float]:
    """(full cartons, pieces left for a last partial carton) of ``qty`` at ``per``
    a carton, exact in decimal (1000 at 48: 20 full, 40 left)."""
    if per <= 0 or qty < 0:
        raise ValueError("qty must be >= 0 and per > 0")
    q, p = _dec(qty), _dec(per)
    full = int(q // p)
    rest = q - p * full
    return full, float(rest)


def carton_count(qty: float, per: float) -> int:
    full, rest = split_cartons(qty, per)
    return full + (1 if rest > 0 else 0)


def carton_runs(qty: float, per: float, first: int = 1) -> list[CartonRun]:
    """The cartons of ``qty`` pieces at ``per`` a carton, numbered from ``first``:
    one run of full cartons and, when pieces are left, one partial carton after it."""
    full, rest = split_cartons(qty, per)
    runs: list[CartonRun] = []
    if full:
        runs.append(CartonRun(first, first + full - 1, float(per)))
    if rest > 0:
        n = first + full
        runs.append(CartonRun(n, n, rest, partial=True))
    return runs


@dataclass(frozen=True, slots=True)
class Weights:
    """Net, gross (kg) and volume (m³) of some cartons, rounded as printed; None
    where the per-carton figure is missing."""

    net: float | None
    gross: float | None
    cbm: float | None


def run_weights(
    run: CartonRun, per_carton: float | None, net: float | None, gross: float | None, size: CartonSize | None
) -> Weights:
    """Weights and volume of one run of cartons (rules in the module docstring).
    ``per_carton``: the item's 每箱数量 (the share a partial carton holds)."""
    n = run.cartons
    if run.partial and per_carton:
        share = run.per / per_carton
        net_w = net * share if net is not None else None
        if gross is None:
            gross_w = None
        elif net is not None:
            gross_w = (net_w or 0.0) + (gross - net)
        else:
            gross_w = gross * share
    else:
        net_w = net * n if net is not None else None
        gross_w = gross * n if gross is not None else None
    return Weights(
        net=round_to(net_w, WEIGHT_PLACES) if net_w is not None else None,
        gross=round_to(gross_w, WEIGHT_PLACES) if gross_w is not None else None,
        cbm=round_to(n * size.cbm, CBM_PLACES) if size is not None else None,
    )


def shipment_weights(
    qty: float, per_carton: float | None, net: float | None, gross: float | None, size: CartonSize | None
) -> tuple[int | None, Weights]:
    """(cartons, weights) of ``qty`` pieces of one item, as a packing list would print
    them (sums of its rows); cartons None without a positive 每箱数量."""
    if not per_carton or per_carton <= 0 or qty <= 0:
        return None, Weights(None, None, None)
    runs = carton_runs(qty, per_carton)
    parts = [run_weights(r, per_carton, net, gross, size) for r in runs]
    return sum(r.cartons for r in runs), Weights(
        net=_total([p.net for p in parts], WEIGHT_PLACES),
        gross=_total([p.gross for p in parts], WEIGHT_PLACES),
        cbm=_total([p.cbm for p in parts], CBM_PLACES),
    )


def _total(values: list[float | None], places: int) -> float | None:
    if not values or any(v is None for v in values):
        return None
    return round_to(sum(v for v in values if v is not None), places)


def positive(value: object) -> float | None:
    """A per-carton figure as a positive float, else None."""
    if value is None:
        return None
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, InvalidOperation):
        return None
    return f if f == f and f > 0 else None


def check_carton_sizes(ledger: Ledger, ctx: object) -> list[Issue]:
    """产品.箱规 text that is not three positive sizes (L x W x H): ``bad-carton-size``
    at the cell (warning: packing lists and the 出货计划 leave its CBM blank)."""
    table = ledger.table("items")
    df = table.df
    if df.empty or "carton_size" not in df:
        return []
    given = df["carton_size"].notna() & (df["carton_size"].astype("string").str.strip() != "")
    bad = given & df["carton_size"].map(lambda v: parse_carton_size(v) is None).astype(bool)
    return table.issues_at("bad-carton-size", df[bad.fillna(False).astype(bool)], "carton_size")


__all__ = [
    "CBM_PLACES",
    "WEIGHT_PLACES",
    "CartonRun",
    "CartonSize",
    "Weights",
    "carton_count",
    "carton_runs",
    "check_carton_sizes",
    "parse_carton_size",
    "positive",
    "round_to",
    "run_weights",
    "shipment_weights",
    "split_cartons",
]
