"""Reading PDFs back: pages, text, page sizes, QR codes off a rendered page."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

A6_PT = (297.6, 419.5)
A4_PT = (595.3, 841.9)
LABEL_PT = (288.0, 216.0)


def reader(data: bytes) -> PdfReader:
    assert data[:5] == b"%PDF-"
    return PdfReader(io.BytesIO(data))


def page_count(data: bytes) -> int:
    return len(reader(data).pages)


def page_size(data: bytes, index: int = 0) -> tuple[float, float]:
    box = reader(data).pages[index].mediabox
    return (round(float(box.width), 1), round(float(box.height), 1))


def text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in reader(data).pages)


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in reader(data).pages]


def qr_codes(data: bytes, page: int = 1, dpi: int = 150) -> list[str]:
    """The QR codes on one page (1-based): pdftoppm renders it, zxing-cpp decodes it."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: sh scripts/system-packages.sh test")
    import zxingcpp
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(data)
        prefix = Path(folder) / "page"
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), source, prefix],
            check=True,
        )
        (png,) = Path(folder).glob("page*.png")
        image = Image.open(png)
        image.load()
    return sorted(r.text for r in zxingcpp.read_barcodes(image))
