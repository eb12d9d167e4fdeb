"""Reading product terms from TOML files."""

from __future__ import annotations

import tomllib
from pathlib import Path

from domain.errors import InvalidInput, InvalidTerms
from domain.terms import ProductTerms
from domain.terms_parsing import parse_terms


def load_terms(path: Path) -> ProductTerms:
    """Returns the terms in a TOML file; InvalidTerms lists every problem with its key path."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput("file", f"{path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidTerms([("file", f"{path} is not valid TOML: {error}")]) from None
    return parse_terms(data)
