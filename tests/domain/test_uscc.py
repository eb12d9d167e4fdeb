"""Unified social credit codes (GB 32100-2015): the check character and the code's shape."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.uscc import CHARSET, check_character, validate_uscc


def complete(first17: str) -> str:
    return first17 + check_character(first17)


# Registration authority, kind, 6-digit region, 9-character organisation code.
FIRST17 = [
    "91350100M000100Y4",  # a widely published example
    "91320500MA1MXXXX0",
    "91110108551385082",
    "52440300MJL123456",
    "12100000400000624",
    "93320583MA20KT8Q0",
]


def test_accepts_a_widely_published_real_code():
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"


@pytest.mark.parametrize("first17", FIRST17)
def test_accepts_codes_completed_with_their_check_character(first17):
    code = complete(first17)
    assert validate_uscc(code) == code


def test_upper_cases_and_trims_what_it_accepts():
    code = complete("91320500MA1MXXXX0")
    assert validate_uscc(f"  {code.lower()} ") == code


@pytest.mark.parametrize("first17", FIRST17)
def test_refuses_a_wrong_check_character(first17):
    wrong = next(ch for ch in CHARSET if ch != check_character(first17))
    with pytest.raises(InvalidInput, match="check character") as refused:
        validate_uscc(first17 + wrong, "borrower")
    assert refused.value.field == "borrower"


@pytest.mark.parametrize("length", [0, 1, 15, 17, 19, 20])
def test_refuses_a_code_that_is_not_eighteen_characters(length):
    text = ("91350100M000100Y43" * 2)[:length]
    with pytest.raises(InvalidInput, match="18") as refused:
        validate_uscc(text)
    assert refused.value.field == "uscc"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V", "o", "-", " ", "中"])
def test_refuses_letters_the_standard_leaves_out(letter):
    first17 = "91350100M000100Y4"
    code = complete(first17)
    garbled = code[:10] + letter + code[11:]
    with pytest.raises(InvalidInput, match="not allowed") as refused:
        validate_uscc(garbled)
    assert refused.value.field == "uscc"


@pytest.mark.parametrize("position", range(2, 8))
def test_refuses_a_region_code_that_is_not_digits_even_with_a_matching_check(position):
    first17 = "91350100M000100Y4"
    garbled17 = first17[:position] + "A" + first17[position + 1 :]
    with pytest.raises(InvalidInput, match="region") as refused:
        validate_uscc(complete(garbled17))
    assert refused.value.field == "uscc"


def test_the_alphabet_has_thirty_one_characters_without_i_o_z_s_v():
    assert len(CHARSET) == 31
    assert not set("IOZSV") & set(CHARSET)


any_code_char = st.sampled_from(CHARSET)
first_seventeen = st.tuples(
    st.text(any_code_char, min_size=2, max_size=2),
    st.text(st.sampled_from("0123456789"), min_size=6, max_size=6),
    st.text(any_code_char, min_size=9, max_size=9),
).map("".join)


@given(first_seventeen)
def test_any_seventeen_characters_with_their_check_character_validate(first17):
    code = complete(first17)
    assert validate_uscc(code) == code


@given(first_seventeen, any_code_char)
def test_any_other_eighteenth_character_fails_the_check(first17, last):
    if last == check_character(first17):
        last = CHARSET[(CHARSET.index(last) + 1) % len(CHARSET)]
    with pytest.raises(InvalidInput, match="check character"):
        validate_uscc(first17 + last)
