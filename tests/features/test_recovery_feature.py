"""追偿 (recovery): shared back pro rata to the burdens, never beyond the loss (R11)."""

from pytest_bdd import scenarios

scenarios("recovery.feature")
