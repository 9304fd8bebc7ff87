"""Atomic writes: content lands whole, permissions are kept, failures leave no debris."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mentor_workshop.core.atomic import TEMP_SUFFIX, write_bytes_atomic, write_text_atomic


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(TEMP_SUFFIX))


def test_writes_new_file_and_creates_missing_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.txt"
    write_text_atomic(target, "héllo 🌱\n")
    assert target.read_bytes() == "héllo 🌱\n".encode()
    assert leftovers(target.parent) == []


def test_replaces_existing_content_completely(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"x" * 10_000)
    write_bytes_atomic(target, b"short")
    assert target.read_bytes() == b"short"
    assert leftovers(tmp_path) == []


def test_newlines_are_written_exactly(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text_atomic(target, "a\r\nb\nc")
    assert target.read_bytes() == b"a\r\nb\nc"


def test_existing_permissions_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_text_atomic(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_new_file_gets_the_usual_umask_mode_not_owner_only(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    os.umask(mask)
    target = tmp_path / "out.txt"
    write_text_atomic(target, "x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


def test_failed_replace_removes_the_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside").write_text("keep me")
    with pytest.raises(OSError):
        write_bytes_atomic(target, b"data")
    assert leftovers(tmp_path) == []
    assert (target / "inside").read_text() == "keep me"


def test_wrong_types_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="bytes"):
        write_bytes_atomic(tmp_path / "x", "text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str"):
        write_text_atomic(tmp_path / "x", b"bytes")  # type: ignore[arg-type]
    assert not (tmp_path / "x").exists()


def test_a_reader_never_sees_a_partial_file(tmp_path: Path) -> None:
    """A real writer process swaps two large contents while we read as fast as we can."""
    target = tmp_path / "shared.txt"
    first, second = "A" * 200_000, "B" * 300_000
    write_text_atomic(target, first)
    script = textwrap.dedent(
        f"""
        import sys
        from mentor_workshop.core.atomic import write_text_atomic
        first, second = "A" * {len(first)}, "B" * {len(second)}
        for i in range(150):
            write_text_atomic({str(target)!r}, first if i % 2 else second)
        """
    )
    writer = subprocess.Popen([sys.executable, "-c", script])
    seen = set()
    try:
        while writer.poll() is None:
            content = target.read_text()
            assert content in (first, second), f"partial read of {len(content)} characters"
            seen.add(content[0])
    finally:
        writer.wait(timeout=60)
    assert writer.returncode == 0
    assert leftovers(tmp_path) == []
    assert seen  # we did read while the writer ran
