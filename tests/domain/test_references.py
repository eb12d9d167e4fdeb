"""Callers' references (R14): the same content again is a no-op, other content a conflict."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import Conflict, InvalidInput
from domain.references import References


def test_an_unseen_reference_is_not_a_repeat():
    refs = References()
    assert refs.is_repeat("R1", 100, date(2024, 1, 1)) is False
    assert len(refs) == 0


def test_a_remembered_reference_with_the_same_content_is_a_repeat():
    refs = References()
    refs.remember("R1", 100, date(2024, 1, 1))
    assert refs.is_repeat("R1", 100, date(2024, 1, 1)) is True
    assert len(refs) == 1


@pytest.mark.parametrize("content", [(101, date(2024, 1, 1)), (100, date(2024, 1, 2)), (100,)])
def test_a_remembered_reference_with_other_content_is_a_conflict(content):
    refs = References()
    refs.remember("R1", 100, date(2024, 1, 1))
    with pytest.raises(Conflict) as refused:
        refs.is_repeat("R1", *content)
    assert refused.value.field == "ref"


@pytest.mark.parametrize("ref", ["", "  "])
def test_a_reference_is_required(ref):
    with pytest.raises(InvalidInput) as refused:
        References().is_repeat(ref, 100)
    assert refused.value.field == "ref"
