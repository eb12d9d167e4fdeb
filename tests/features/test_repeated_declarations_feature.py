"""重复提交: the same declaration again is a no-op, another is a conflict naming the field (R14)."""

from pytest_bdd import scenarios

from .steps_repeats import *  # noqa: F403 (pytest-bdd finds the steps among the module's names)
from .steps_schedules import *  # noqa: F403

scenarios("repeated_declarations.feature")
