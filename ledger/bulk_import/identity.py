"""An enterprise identity for borrowers of layouts that carry no USCC (a US SBA file, say).

The ledger knows enterprises by their unified social credit code. A foreign borrower gets
a code of the same shape, derived from the columns the mapping names (e.g. the borrower's
name and state) within the layout's namespace, so the same borrower in a later file gets
the same code and the same enterprise. The code can never be a real enterprise's: its
registration authority is `Y` (others), its category `1` and its region `000000`, which
no administrative division has; the 9 characters after it are a digest of the namespace
and the key, and the 18th the GB 32100-2015 check character, so `validate_uscc` accepts it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from domain.uscc import CHARSET, check_character

DERIVED_PREFIX = "Y1000000"
_DIGEST_CHARACTERS = 9


def derived_uscc(namespace: str, key: Sequence[str]) -> str:
    """Returns the USCC-shaped code of the borrower `key` identifies within `namespace`."""
    text = "\x1f".join((namespace, *(part.strip().upper() for part in key)))
    number = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    body = []
    for _ in range(_DIGEST_CHARACTERS):
        number, digit = divmod(number, len(CHARSET))
        body.append(CHARSET[digit])
    first17 = DERIVED_PREFIX + "".join(body)
    return first17 + check_character(first17)


def is_derived(uscc: str) -> bool:
    """True for a code `derived_uscc` made rather than a registration authority."""
    return uscc.startswith(DERIVED_PREFIX)
