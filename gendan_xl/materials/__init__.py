"""Materials: BOM requirements per work order, their allocation to stock and
purchases in the scheduler's order, the material-ready date that holds a job
back, late purchases and supplier price changes. Optional: a ledger without a
BOM sheet has no material plan and plans exactly as before."""

from gendan_xl.materials.allocate import (
    MaterialPlan,
    bom_factors,
    issued_by_wo,
    loss_share,
    material_plan,
    price_changes,
    price_in_force,
)

__all__ = [
    "MaterialPlan",
    "bom_factors",
    "issued_by_wo",
    "loss_share",
    "material_plan",
    "price_changes",
    "price_in_force",
]
