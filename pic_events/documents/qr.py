"""QR codes as inline SVG (segno): sharp at any print size, no image files."""

from __future__ import annotations

import segno


def qr_svg(data: str, *, css_class: str = "qr") -> str:
    """An <svg> element holding `data`; its size comes from the CSS class (viewBox scales)."""
    code = segno.make(data, error="m", micro=False)
    return code.svg_inline(scale=1, border=2, omitsize=True, svgclass=css_class, lineclass=None)
