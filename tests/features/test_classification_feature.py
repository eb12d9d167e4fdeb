"""五级分类与逾期违约: classes by days past due (R5), default at the threshold (R6)."""

from pytest_bdd import scenarios

from .steps_schedules import *  # noqa: F403 (the step definitions are fixtures)

scenarios("classification.feature")
