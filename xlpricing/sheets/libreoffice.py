"""LibreOffice headless: recalculate workbooks (convert to .xlsx) or print them (convert to .pdf)."""

from __future__ import annotations

import contextlib
import threading
import os
import signal
import shutil
import subprocess
import sys
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


# Recalculate every formula on load, whatever values the file carries: a test of stored values
# must see what LibreOffice computes, not what we wrote.
ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    pass


CJK_FONT_HINT = ("--pdf needs a font that covers Chinese, and LibreOffice finds none (every Chinese character, "
                 "the customer's name included, would print as an empty box): on Debian/Ubuntu "
                 "`sudo apt-get install fonts-noto-cjk`; macOS and Windows ship one.")


def cjk_font_missing() -> bool:
    """True when LibreOffice would print Chinese as boxes. On Linux it finds fonts through fontconfig
    (which honours FONTCONFIG_FILE); macOS and Windows ship a Chinese font."""
    if not sys.platform.startswith("linux"):
        return False
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True  # no fontconfig: no way for LibreOffice to find one either
    try:
        done = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return True
    return not done.stdout.strip()


@contextlib.contextmanager
def _profile_folder():
    """A private LibreOffice profile folder, removed however the run ends. SIGTERM and Ctrl-C wait
    while it is made: one arriving between the folder's creation and the ``try`` that removes it
    (what TemporaryDirectory leaves open) would leave it behind."""
    held = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT}) if held else None
    profile = None
    try:
        profile = tempfile.mkdtemp(prefix="xlpricing-lo-")
        if held:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a signal that waited arrives here
            held = False
        yield profile
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        if profile is not None:
            shutil.rmtree(profile, ignore_errors=True)


def _run_group(cmd: list[str], env: dict, timeout: float) -> subprocess.CompletedProcess:
    """Run soffice in a process group of its own: stopped (a timeout, Ctrl-C, SIGTERM turned into
    SystemExit), every process of it is killed before its profile folder is removed: the soffice
    script's soffice.bin would otherwise go on writing there."""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                          start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except BaseException:
            try:
                if hasattr(os, "killpg"):
                    os.killpg(proc.pid, signal.SIGKILL)
                else:  # Windows: no process groups of this kind
                    proc.kill()
            except ProcessLookupError:
                pass
            proc.communicate()
            raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def convert(files: list[Path], fmt: str, outdir: Path, timeout: float = 600, strict: bool = True) -> list:
    """Convert ``files`` in one LibreOffice run; returns the output paths in the same order.

    ``fmt`` is "xlsx" (recalculate: LibreOffice computes every formula and stores the values)
    or "pdf". A private profile directory keeps parallel runs from blocking each other.
    ``strict=False``: a file LibreOffice did not convert is a LibreOfficeError in its place in
    the list, and the others are still returned.
    """
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError(INSTALL_HINT)
    outdir.mkdir(parents=True, exist_ok=True)
    with _profile_folder() as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(ALWAYS_RECALCULATE, encoding="utf-8")
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--calc", "--convert-to", fmt, "--outdir", str(outdir), *map(str, files)]
        scratch = Path(profile) / "tmp"  # LibreOffice's own temp files go with the profile
        scratch.mkdir()
        env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp", "TMPDIR": str(scratch)}
        done = _run_group(cmd, env, timeout)
    outputs = [outdir / f"{Path(f).stem}.{fmt}" for f in files]
    missing = [p.name for p in outputs if not p.exists()]
    if strict and (done.returncode != 0 or missing):
        raise LibreOfficeError(f"soffice failed (exit {done.returncode}), missing {missing}: {done.stderr.strip()[:500]}")
    return [p if p.exists() else LibreOfficeError(f"LibreOffice wrote no {fmt.upper()} (exit {done.returncode}): "
                                                  f"{done.stderr.strip()[:300]}") for p in outputs]


def pdf_unavailable(what: str = "a PDF") -> str | None:
    """Why ``what`` cannot be printed here (no LibreOffice, or no Chinese font: a PDF that is right
    or none at all), or None."""
    if find_soffice() is None:
        return f"{what} needs LibreOffice. {INSTALL_HINT}"
    if cjk_font_missing():
        return CJK_FONT_HINT
    return None
