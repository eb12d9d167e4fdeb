"""The whole split (R8): revenue tiers, bonus, per-claim and cumulative caps on the pools."""

from pytest_bdd import scenarios

from .steps_rules import *  # noqa: F403 (pytest-bdd finds the steps among the module's names)

scenarios("split_rules.feature")
