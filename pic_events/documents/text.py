"""Names on paper: first and family name from one name field, and font sizes that fit.

Widths are measured with the committed font's own advance widths (fontTools), so a size
chosen here is the size that fits once WeasyPrint sets the text in that font.
"""

from __future__ import annotations

import os
from functools import cache

from pic_events.documents.rendering import FONT_DIR

# Lower-case words that belong to the family name: "Jan van der Berg" -> "van der Berg".
PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "das",
        "dos",
        "du",
        "la",
        "le",
        "lo",
        "ten",
        "ter",
        "af",
        "av",
        "zu",
        "bin",
        "ibn",
    ]
)


def split_name(name: str) -> tuple[str, str]:
    """(first names, family name) of a full name written first name first."""
    words = name.split()
    if len(words) < 2:
        return (name.strip(), "")
    start = len(words) - 1
    while start > 1 and words[start - 1] in PARTICLES:
        start -= 1
    return (" ".join(words[:start]), " ".join(words[start:]))


@cache
def _advances(bold: bool) -> tuple[dict[int, int], int, int]:
    from fontTools.ttLib import TTFont  # with WeasyPrint's other parts: loaded when first used

    font = TTFont(os.path.join(FONT_DIR, "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"))
    cmap = font.getBestCmap()
    metrics = font["hmtx"].metrics
    widths = {code: metrics[glyph][0] for code, glyph in cmap.items()}
    units = font["head"].unitsPerEm
    fallback = metrics[".notdef"][0] if ".notdef" in metrics else units // 2
    return widths, units, fallback


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width of `text` set in DejaVu Sans at `size` (same unit as size)."""
    widths, units, fallback = _advances(bold)
    return sum(widths.get(ord(c), fallback) for c in text) * size / units


def fit_size(
    text: str, width: float, *, largest: float, smallest: float, bold: bool = False
) -> float:
    """The largest size (<= largest) at which the longest word and, if possible, the whole
    text fit on one line of `width`; never below `smallest` (the text then wraps; a word
    longer than the line breaks where it must)."""
    if not text:
        return largest
    whole = text_width(text, 1.0, bold=bold)
    size = min(largest, width / whole * 0.98) if whole else largest
    if size >= smallest:
        return round(size, 2)
    longest = max(text_width(w, 1.0, bold=bold) for w in text.split())
    size = min(largest, width / longest * 0.98) if longest else largest
    return round(max(size, smallest), 2)
