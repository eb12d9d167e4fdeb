"""A seeded, realistic city programme (DESIGN §9) for demonstrations and load checks."""

from ledger.demo.build import DemoSummary, build_demo
from ledger.demo.plan import DemoPlan, plan_demo

__all__ = ["DemoPlan", "DemoSummary", "build_demo", "plan_demo"]
