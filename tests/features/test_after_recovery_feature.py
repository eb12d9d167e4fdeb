"""After-recovery settlement (R11): recoveries reduce the loss; the split follows the close."""

from pytest_bdd import scenarios

from .steps_rules import *  # noqa: F403 (pytest-bdd finds the steps among the module's names)

scenarios("after_recovery.feature")
