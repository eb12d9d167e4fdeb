"""还款计划与还款顺序: schedules exact to the fen, and the repayment waterfall (R12)."""

from pytest_bdd import scenarios

from .steps_schedules import *  # noqa: F403 (the step definitions are fixtures)

scenarios("schedules.feature")
