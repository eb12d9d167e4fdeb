"""兜底方: the party taking what the pools' caps remove must share the loss (R8)."""

from pytest_bdd import scenarios

from .steps_residual_party import *  # noqa: F403 (pytest-bdd finds the steps among the module's names)

scenarios("residual_party.feature")
