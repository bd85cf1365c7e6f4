"""Files the commands write: names made from free text, atomic writes, normal permissions.

- A name made from free text (a customer, a quote number) is one file name in the folder it
  was given: no separators, no ``..``, no control characters, at most NAME_BYTES bytes.
- A file appears whole or not at all: it is written to a temp file beside its target, then
  published. Without ``force`` publishing is create-exclusive (a hard link, which fails if the
  name exists), so two runs writing into one folder never replace each other's files.
- It gets the permissions the user's umask gives any new file (0644 under umask 022), not the
  0600 of a temp file.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import itertools
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Iterator

from .formatting import BIDI_CONTROLS

TEMP_PREFIX = ".xlpricing-"  # temp files next to their target; see remove_stale_temp_files
NAME_BYTES = 120  # a stem from free text, in UTF-8 bytes: with a suffix, well inside 255

# what a file name must not hold: Windows' reserved characters, controls, line separators and the
# bidi controls (a name with U+202E shows its end reversed, "…fdp.exe")
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f\x80-\x9f\u2028\u2029' + BIDI_CONTROLS + ']+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_file_stem(text: str, fallback: str = "quote", limit: int = NAME_BYTES) -> str:
    """A file name stem that Windows and Linux both accept, made from free text (a customer name).

    ``limit`` counts UTF-8 bytes, not characters: 100 emoji are 400 bytes, past any file system's
    name limit.
    """
    stem = unicodedata.normalize("NFC", text)
    stem = _UNSAFE.sub("_", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" ._")
    stem = stem.lstrip("=+-@#")  # a name that would look like a formula in a file listing
    stem = stem.encode("utf-8")[:limit].decode("utf-8", "ignore").rstrip(" .")
    if not stem or stem.split(".")[0].upper() in _RESERVED:
        stem = f"{fallback}-{stem}" if stem else fallback
    return stem


def unique_path(folder: Path, stem: str, suffix: str, taken: set[str]) -> Path:
    """``folder/stem.suffix``, or ``stem-2``, ``stem-3`` … if the name is taken (case-blind, as on Windows)."""
    candidate, n = stem, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate.casefold())
    return folder / f"{candidate}{suffix}"


@functools.cache
def file_mode() -> int:
    """What open() would give a new file under this process's umask (0o644 under 022)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _exists(path: Path) -> FileExistsError:
    return FileExistsError(f"{path} exists; pass --force to overwrite it")


def refuse_folder(path: Path) -> None:
    """A folder where a file belongs: an OSError, so the command exits 1 as the README says,
    whatever its name ends with (checked before a command looks at the suffix)."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; give a file name", str(path))


def check_target(path: Path, force: bool) -> None:
    """Refuse before any work: a folder where a file belongs, or an existing file without ``force``."""
    refuse_folder(path)
    if not force and (path.exists() or path.is_symlink()):
        raise _exists(path)


@contextlib.contextmanager
def atomic_write(path: str | Path, force: bool = False) -> Iterator[Path]:
    """Yield a temp path beside ``path``; when the block ends without an error it becomes ``path``.

    On any error (a full disk, a kill turned into SystemExit) the temp file is removed and an
    existing ``path`` is untouched.
    """
    path = Path(path)
    check_target(path, force)
    try:
        for folder in (path.parent, *path.parent.parents):
            if folder.exists() and not folder.is_dir():  # mkdir would only say "File exists"
                raise NotADirectoryError(errno.ENOTDIR, f"{folder} is a file, not a folder", str(path))
        path.parent.mkdir(parents=True, exist_ok=True)  # a missing folder is made, as -o out/q.xlsx expects
        tmp = temp_beside(path, path.suffix)
    except OSError as exc:  # name the file the user asked for, not our temp file
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    try:
        try:
            yield tmp
        except OSError as exc:
            if exc.filename in (None, str(tmp)):  # a full disk while saving: say which file it was for
                raise type(exc)(exc.errno, exc.strerror, str(path)) from None
            raise
        publish_temp(tmp, path, force)
    finally:
        tmp.unlink(missing_ok=True)


def publish_temp(tmp: Path, path: Path, force: bool) -> None:
    """A complete temp file (beside ``path``) takes its name: replacing it with ``force``, else
    only where no file is."""
    os.chmod(tmp, file_mode())
    _publish(tmp, path, force)


def publish_numbered(data: bytes, folder: Path, stem: str, suffix: str, first: int = 1) -> Path:
    """``data`` under the first free name ``<stem>-<n><suffix>`` from n = ``first``, each name
    claimed create-exclusive: writers at the same moment each get a name of their own, and a
    name taken (by another writer, or a file left behind) is passed over, never replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(folder / f"{stem}{suffix}", suffix)
    try:
        tmp.write_bytes(data)
        os.chmod(tmp, file_mode())
        for n in itertools.count(max(first, 1)):
            path = folder / f"{stem}-{n}{suffix}"
            try:
                _publish(tmp, path, force=False)
                return path
            except FileExistsError:
                continue
    finally:
        tmp.unlink(missing_ok=True)
    raise AssertionError("unreachable")  # pragma: no cover - itertools.count never ends


def temp_beside(path: Path, suffix: str) -> Path:
    """An empty temp file of ours beside ``path`` (remove_stale_temp_files knows its name)."""
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=f"{suffix}.tmp", dir=path.parent)
    os.close(fd)
    return Path(name)


def _publish(tmp: Path, path: Path, force: bool) -> None:
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # atomic, and fails if the name exists: never replaces another run's file
    except FileExistsError:
        raise _exists(path) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # no hard links here (FAT, some network drives): claim the name exclusively, then fill it
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, file_mode()))
        except FileExistsError:
            raise _exists(path) from None
        os.replace(tmp, path)


def describe_os_error(exc: OSError) -> str:
    """One line for a person: which file, and what the system said."""
    if exc.errno is None:  # one of ours, already a sentence
        return str(exc)
    where = f" {exc.filename}" if exc.filename is not None else ""
    return f"cannot write{where}: {exc.strerror or exc}"


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Temp files left by a process that was killed (SIGKILL runs no clean-up); ours only."""
    removed = []
    for tmp in Path(folder).glob(f"{TEMP_PREFIX}*.tmp"):
        pid = tmp.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # on Windows, signal 0 would send Ctrl-C: assume alive
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")  # Linux: a killed process nobody has reaped yet is a zombie
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True
