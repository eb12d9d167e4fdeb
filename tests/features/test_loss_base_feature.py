"""损失基数: outstanding principal at default, plus unpaid interest when the product covers it
(R7)."""

from pytest_bdd import scenarios

from .steps_loss_base import *  # noqa: F403 (pytest-bdd finds the steps among the module's names)
from .steps_rules import *  # noqa: F403
from .steps_schedules import *  # noqa: F403

scenarios("loss_base.feature")
