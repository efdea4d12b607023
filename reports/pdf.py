"""Print the report's HTML to PDF with headless Chromium (Debian's package ``chromium``).

The page is self-contained and its Content-Security-Policy forbids scripts and fetches, so
Chromium only lays it out. ``--no-sandbox`` is needed to run as root (as CI does); each run
gets a throwaway profile, so runs at the same time do not share one.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from indexer.errors import VnopinionError

__all__ = ["CHROMIUM_NAMES", "find_chromium", "print_pdf"]

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 120
INSTALL_HINT = (
    "install Debian's package `chromium` (apt-get install chromium, or "
    "scripts/system-deps.sh --with-browser), or set VNOPINION_CHROMIUM to a Chromium "
    "executable. The HTML report needs nothing: leave out --pdf."
)


def find_chromium(configured: Path | None) -> Path:
    """The configured executable, or the first Chromium on PATH."""
    if configured is not None:
        if configured.is_file():
            return configured
        raise VnopinionError(f"VNOPINION_CHROMIUM={configured}: no such file.", hint=INSTALL_HINT)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise VnopinionError(
        f"No Chromium to print the PDF with (looked for {', '.join(CHROMIUM_NAMES)} on PATH).",
        hint=INSTALL_HINT,
    )


def print_pdf(html_file: Path, pdf_file: Path, chromium: Path) -> None:
    """Lay out ``html_file`` on A4 pages (its own ``@page`` rules) and write ``pdf_file``."""
    pdf_file.parent.mkdir(parents=True, exist_ok=True)
    pdf_file.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="vnopinion-chromium-") as profile:
        command = [
            str(chromium), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--no-first-run", "--no-pdf-header-footer",
            f"--user-data-dir={profile}", f"--print-to-pdf={pdf_file.resolve()}",
            html_file.resolve().as_uri(),
        ]  # fmt: skip
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise VnopinionError(
                f"Chromium did not finish the PDF within {TIMEOUT_S} s.",
                hint="run the same command by hand to see why: " + " ".join(command),
            ) from exc
    if result.returncode != 0 or not _is_pdf(pdf_file):
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise VnopinionError(
            f"Chromium ({chromium}) did not write {pdf_file} (exit code {result.returncode}).",
            hint=f"check that `{chromium} --headless --no-sandbox --version` works; "
            "Chromium's last messages follow.",
            details=tail,
        )


def _is_pdf(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as file:
        return file.read(5) == b"%PDF-"
