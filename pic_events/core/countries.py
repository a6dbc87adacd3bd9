"""ISO 3166 countries, named by Babel in the reader's language."""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale


def _is_country(code: str) -> bool:
    # Babel's territories include regions ("150": Europe) and pseudo-codes; keep countries.
    return len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "QO"}


def country_choices(locale: Locale | None = None) -> list[tuple[str, str]]:
    locale = locale or get_locale() or Locale("en")
    pairs = [(code, name) for code, name in locale.territories.items() if _is_country(code)]
    return sorted(pairs, key=lambda pair: pair[1])


def country_name(code: str | None, locale: Locale | None = None) -> str:
    if not code:
        return ""
    locale = locale or get_locale() or Locale("en")
    return locale.territories.get(code.upper(), code)


def is_country(code: str | None) -> bool:
    return bool(code) and _is_country(code.upper()) and code.upper() in Locale("en").territories
