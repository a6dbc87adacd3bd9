"""Text folded to lower-case ASCII words, for search that ignores case and accents.

Pure (no Flask, no database): the catalogue folds the text of each profile
(profiles.search_text) and the query the same way, so `lodz` finds Łódź, `weiss`
finds Weiß and `ostergaard` finds Østergaard on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not split into a base letter and a mark.
_SPECIAL = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "ħ": "h",
        "Ħ": "h",
        "ŀ": "l",
        "Ŀ": "l",
        "ŧ": "t",
        "Ŧ": "t",
        "ĸ": "k",
        "ŉ": "n",
        "ſ": "s",
        "’": "'",
    }
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str | None) -> str:
    """Lower-case ASCII words separated by one space: "Łódź, Weiß-Østergaard" ->
    "lodz weiss ostergaard". Every other character separates words."""
    if not text:
        return ""
    if not text.isascii():
        # NFKD splits é into e and a combining accent, which the ASCII encoding drops.
        text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
        text = text.encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub(" ", text.lower()).strip()


def folded_words(text: str | None) -> list[str]:
    """The distinct folded words of a search query, in order."""
    return list(dict.fromkeys(fold(text).split()))
