"""LibreOffice headless: recalculate workbooks (convert to .xlsx) or print them (convert to .pdf)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = ("LibreOffice is not installed: on Debian/Ubuntu `sudo apt-get install libreoffice-calc-nogui`, "
                "on macOS `brew install --cask libreoffice`, on Windows the installer from libreoffice.org "
                "(then put soffice on PATH).")


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    return None


class LibreOfficeError(RuntimeError):
    pass


def convert(files: list[Path], fmt: str, outdir: Path, timeout: float = 600) -> list[Path]:
    """Convert ``files`` in one LibreOffice run; returns the output paths in the same order.

    ``fmt`` is "xlsx" (recalculate: LibreOffice computes every formula and stores the values)
    or "pdf". A private profile directory keeps parallel runs from blocking each other.
    """
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError(INSTALL_HINT)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlpricing-lo-") as profile:
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--calc", "--convert-to", fmt, "--outdir", str(outdir), *map(str, files)]
        env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    outputs = [outdir / f"{Path(f).stem}.{fmt}" for f in files]
    missing = [p.name for p in outputs if not p.exists()]
    if done.returncode != 0 or missing:
        raise LibreOfficeError(f"soffice failed (exit {done.returncode}), missing {missing}: {done.stderr.strip()[:500]}")
    return outputs
