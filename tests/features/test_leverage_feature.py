"""放大倍数: a product's covered outstanding stays within its multiple of the pools' funds (R3)."""

from pytest_bdd import scenarios

from .steps_breakers import *  # noqa: F403 (the step definitions are fixtures)

scenarios("leverage.feature")
