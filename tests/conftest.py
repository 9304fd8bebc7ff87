"""Shared fixtures: temporary journals and a fresh kernel to prove answers survive a restart."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.json"


@pytest.fixture(autouse=True)
def _not_grading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as a participant unless they set NBGRADER_EXECUTION themselves."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def on_disk(path: Path) -> dict:
    """The answers exactly as written to journal.json."""
    return json.loads(path.read_text(encoding="utf-8"))["answers"]


class FreshKernel:
    """A real ipykernel, started in ``cwd``; ``run`` returns what the code printed."""

    def __init__(self, cwd: Path) -> None:
        self.km, self.kc = start_new_kernel(kernel_name="python3", cwd=str(cwd))

    def run(self, code: str, timeout: float = 60) -> str:
        out: list[str] = []
        errors: list[str] = []

        def hook(msg: dict) -> None:
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind == "error":
                errors.append("\n".join(content["traceback"]))

        self.kc.execute_interactive(textwrap.dedent(code), timeout=timeout, output_hook=hook)
        if errors:
            raise AssertionError("kernel error:\n" + "\n".join(errors))
        return "".join(out)

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture
def fresh_kernel(tmp_path: Path) -> Iterator[FreshKernel]:
    """Start the kernel lazily-per-test; the participant's restart, made literal."""
    env_grading = os.environ.pop("NBGRADER_EXECUTION", None)
    kernel = FreshKernel(tmp_path)
    try:
        yield kernel
    finally:
        kernel.close()
        if env_grading is not None:
            os.environ["NBGRADER_EXECUTION"] = env_grading
