"""分次放款: each tranche earns interest from its own date; paid instalments never change (R12)."""

from pytest_bdd import scenarios

from .steps_corrections import *  # noqa: F403 (pytest-bdd finds the steps among the module's names)
from .steps_drawdowns import *  # noqa: F403
from .steps_schedules import *  # noqa: F403

scenarios("drawdowns.feature")
