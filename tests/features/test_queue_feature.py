"""A pool that cannot pay a leg queues it and pays it, oldest first, when funds arrive (R10)."""

from pytest_bdd import scenarios

from .steps_rules import *  # noqa: F403 (pytest-bdd finds the steps among the module's names)

scenarios("queue.feature")
