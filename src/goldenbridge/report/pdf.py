"""Printing a brief to PDF (or a page to PNG) with Debian's headless chromium."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["CHROMIUM_FLAGS", "find_chromium", "print_pdf", "screenshot"]

#: No sandbox (containers), no GPU, no network beyond the file itself.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    """The chromium executable (``/usr/bin/chromium`` on Debian), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(chromium: str, args: list[str], page: Path, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="goldenbridge-chromium-") as profile:
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        command.append(page.resolve().as_uri())
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise OSError(f"chromium failed (exit {done.returncode}): {last}")


def print_pdf(page: Path, pdf: Path, chromium: str | None = None, timeout: float = 120) -> Path:
    """Print an HTML file to PDF; returns the PDF's path."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise OSError("printing to PDF needs chromium: apt-get install -y chromium")
    _run(chromium, [f"--print-to-pdf={pdf.resolve()}", "--no-pdf-header-footer"], page, timeout)
    if not pdf.exists():
        raise OSError(f"chromium wrote no PDF to {pdf}")
    return pdf


def screenshot(
    page: Path, png: Path, size: tuple[int, int] = (1280, 2400), chromium: str | None = None
) -> Path:
    """Render an HTML file to a PNG of ``size`` pixels (width, height)."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise OSError("rendering needs chromium: apt-get install -y chromium")
    _run(
        chromium, [f"--screenshot={png.resolve()}", f"--window-size={size[0]},{size[1]}"], page, 120
    )
    return png
