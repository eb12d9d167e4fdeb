"""冲正 (corrections): a mistaken money event undone by a reversal with a reason (R13)."""

from pytest_bdd import scenarios

from .steps_corrections import *  # noqa: F403 (pytest-bdd finds the steps among the module's names)
from .steps_leg_reversals import *  # noqa: F403
from .steps_repeats import *  # noqa: F403
from .steps_rules import *  # noqa: F403
from .steps_schedules import *  # noqa: F403

scenarios("corrections.feature")
