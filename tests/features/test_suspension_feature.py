"""业务暂停: banks suspended on their NPL ratio, products stopped at a cap (R4)."""

from pytest_bdd import scenarios

from .steps_breakers import *  # noqa: F403 (the step definitions are fixtures)

scenarios("suspension.feature")
