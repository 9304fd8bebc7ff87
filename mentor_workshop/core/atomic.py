"""Crash-safe file writes shared by every module that saves something.

A participant's laptop can sleep, a kernel can be killed, a disk can fill up. Writing in place
would leave half a file behind; instead we write a temporary file in the same folder (so the
final rename never crosses a filesystem), flush it to disk, and swap it in with ``os.replace``,
which is atomic on POSIX and Windows. Readers therefore see either the old or the new file,
never a mix. Fsyncing the folder afterwards makes the rename itself survive a power cut.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["TEMP_SUFFIX", "fsync_directory", "write_bytes_atomic", "write_text_atomic"]

#: Temporary files are named ``.<target name>.<random>.tmp`` so they sort next to the target,
#: stay hidden in Jupyter's file browser, and a stale one (left by a killed process) is easy to
#: recognise.
TEMP_SUFFIX = ".tmp"


@functools.cache
def _default_mode() -> int:
    """Mode a plain ``open(path, "w")`` would give, so our files are not stricter than usual.

    ``mkstemp`` creates files readable by the owner only; a journal collected by nbgrader or a
    roster shared with a co-facilitator must stay readable as any normal file would be.
    """
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def fsync_directory(folder: str | os.PathLike[str]) -> None:
    """Flush a folder's entries so a finished rename survives a power cut.

    Best effort: some platforms (Windows) and filesystems cannot open or fsync a folder, and
    the file's own data is already on disk by then, so failure here is not worth an error.

    Parameters
    ----------
    folder : str or os.PathLike
        The folder whose entries (e.g. a just-renamed file) should reach the disk.
    """
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes_atomic(
    path: str | os.PathLike[str], data: bytes, *, fsync_dir: bool = True
) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file.

    The parent folder is created if needed. An existing file keeps its permission bits. Pass
    ``fsync_dir=False`` when another atomic write to the same folder follows at once: its folder
    fsync covers both renames.

    Parameters
    ----------
    path : str or os.PathLike
        The file to replace (or create).
    data : bytes
        The complete new content (``bytearray`` and ``memoryview`` are accepted too).
    fsync_dir : bool, default True
        Whether to fsync the parent folder after the rename.

    Raises
    ------
    TypeError
        If ``data`` is not bytes-like, so a str never gets written with a guessed encoding.
    OSError
        If the folder cannot be created or written; the temporary file is removed first.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"write_bytes_atomic needs bytes, not {type(data).__name__}")
    target = Path(path)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = _default_mode()

    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # chmod after writing: the mode may lack the owner's write bit (a read-only original).
        with contextlib.suppress(OSError):
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    if fsync_dir:
        fsync_directory(folder)


def write_text_atomic(
    path: str | os.PathLike[str],
    text: str,
    *,
    encoding: str = "utf-8",
    fsync_dir: bool = True,
) -> None:
    """Text flavour of :func:`write_bytes_atomic`; newlines are written exactly as given.

    Parameters
    ----------
    path : str or os.PathLike
        The file to replace (or create).
    text : str
        The complete new content; no newline translation, so files match across platforms.
    encoding : str, default "utf-8"
        How ``text`` is encoded.
    fsync_dir : bool, default True
        Whether to fsync the parent folder after the rename.

    Raises
    ------
    TypeError
        If ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"write_text_atomic needs str, not {type(text).__name__}")
    write_bytes_atomic(path, text.encode(encoding), fsync_dir=fsync_dir)
