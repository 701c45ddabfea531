"""The vectorised helpers behind the planning stage's speed give the same answers
as the plain lookups they replace (worked out by hand)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gendan_xl.materials.allocate import _issued_at
from gendan_xl.plan.core import _lookup_rate
from gendan_xl.plan.progress import lookup, lookup_many
from gendan_xl.plan.schedule import release_schedule


def test_lookup_many_equals_lookup_per_column() -> None:
    table = pd.DataFrame(
        {
            "n": [1, 2],
            "d": pd.to_datetime(["2026-01-01", "2026-01-02"]),
            "s": ["x", "y"],
        },
        index=pd.Index(["a", "b"], dtype=object),
    ).astype({"s": str})
    keys = pd.Series(["b", "z", "a"], index=[10, 11, 12], dtype=str)
    got = lookup_many(keys, table, ("n", "d", "s"))
    # b -> row 2, z -> missing, a -> row 1; an int column with a missing key is float.
    assert got["n"].dtype == np.float64
    assert got["n"].tolist()[0::2] == [2.0, 1.0] and np.isnan(got["n"].iloc[1])
    assert got["d"].tolist()[0::2] == [pd.Timestamp("2026-01-02"), pd.Timestamp("2026-01-01")]
    assert pd.isna(got["d"].iloc[1])
    assert got["s"].iloc[0] == "y" and got["s"].iloc[2] == "x" and pd.isna(got["s"].iloc[1])
    for col in ("n", "d", "s"):
        pd.testing.assert_series_equal(got[col], lookup(keys, table[col]))
        assert list(got[col].index) == [10, 11, 12]


def test_rates_looked_up_once_per_pair_reach_every_row() -> None:
    actual = pd.DataFrame({"item": ["A"], "line": ["L1"], "actual_rate": [10.0], "report_days": [5]})
    std = pd.Series({"A": 5.0, "B": 7.0})
    item = pd.Series(["A", "A", "B", "A", "C"])
    line = pd.Series(["L1", "L2", "L1", "L1", "L1"])
    rate, source = _lookup_rate(item, line, actual, std)
    # (A, L1) has an actual rate 10; (A, L2) and (B, L1) only the standard 5 and 7; C none.
    assert rate[:4].tolist() == [10.0, 5.0, 7.0, 10.0] and np.isnan(rate[4])
    assert source.tolist() == ["actual", "standard", "standard", "actual", None]


class _Requisitions:
    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df

    def __getitem__(self, key: str) -> Any:
        assert key == "requisitions"
        return self.df


def test_issued_per_work_order_and_material() -> None:
    req = pd.DataFrame(
        {
            "wo_no": ["W1", "W1", "W1", "W2", None, "W1"],
            "material": ["M1", "M1", "M2", "M1", "M1", "M1"],
            "qty": [3.0, 4.0, 5.0, 1.0, 9.0, None],
        }
    )
    wo = pd.Series(["W1", "W2", "W1", "W3", None])
    mat = pd.Series(["M1", "M2", "M2", "M1", "M1"])
    got = _issued_at(_Requisitions(req), wo, mat)  # type: ignore[arg-type]
    # W1/M1: 3 + 4 (the row without qty and the one without 工单号 do not count); W2/M2: none;
    # W1/M2: 5; W3/M1: none; no work order: none.
    assert got[0] == 7.0 and got[2] == 5.0
    assert np.isnan(got[[1, 3, 4]]).all()


def test_release_schedule_waits_for_material_and_lets_others_pass() -> None:
    # One line of 8 hours a day. Job 0 (4 h) released on day 1, job 1 (8 h) and job 2
    # (4 h) ready at once. Day 0: job 1 runs 0-8 (job 0 not released). Day 1: job 0 is
    # released and first in priority: 8-12, then job 2: 12-16.
    placed = release_schedule(np.array([4.0, 8.0, 4.0]), np.full(5, 8.0), np.array([1, 0, 0]))
    assert placed.first_day.tolist() == [1, 0, 1]
    assert placed.last_day.tolist() == [1, 0, 1]
    assert placed.scheduled.tolist() == [8.0, 8.0, 0.0, 0.0, 0.0]
