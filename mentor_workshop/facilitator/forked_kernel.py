"""What a child forked from the zygote does to become a Jupyter kernel.

The zygote (:mod:`mentor_workshop.facilitator.warm`) forks one child per notebook; the child
must then look, to jupyter_client and to the notebook, exactly like ``python -m
ipykernel_launcher ARGS``: its own session, the manager's streams, folder and environment.
Two things are added on the way, both for the grader's sake:

* it says when its sockets are bound, so the client connects at once instead of retrying;
* its output streams flush every :data:`OUTPUT_BUFFER` characters, so a flood of ``print``
  reaches the grader's output limit instead of filling the kernel's memory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Any

__all__ = ["OUTPUT_BUFFER", "become_kernel", "bound_output"]


def become_kernel(request: dict[str, Any], bound: int | None = None) -> None:
    """In the forked child: look exactly like ``python -m ipykernel_launcher ARGS``.

    Parameters
    ----------
    request
        The zygote's request: ``args`` (after ``-m ipykernel_launcher``), ``env``, ``cwd``
        and, optionally, files for ``stdout`` and ``stderr``.
    bound
        A pipe to write one byte to once the kernel's sockets are bound (then closed, so
        nothing the notebook starts inherits it); None to say nothing.

    Returns
    -------
    None
        It never returns: the kernel runs until it is killed, then the process exits.
    """
    os.setsid()  # its own process group, as jupyter_client starts kernels
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, key in ((1, "stdout"), (2, "stderr")):  # where the manager wanted them
        if request.get(key):
            sink = os.open(request[key], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.dup2(sink, fd)
            os.close(sink)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    # deferred: only a forked kernel needs them (the zygote has them pre-imported)
    import ipykernel_launcher
    from ipykernel.kernelapp import IPKernelApp

    sys.argv = [ipykernel_launcher.__file__, *request["args"]]
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    app = IPKernelApp.instance()
    app.initialize()
    bound_output()
    if bound is not None:
        with contextlib.suppress(OSError):
            os.write(bound, b"1")
            os.close(bound)
    # Modules that look for a running kernel when imported did so in the zygote, where there
    # was none; ipywidgets registers its comm targets then, so do it now the kernel exists.
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None and hasattr(widgets, "_handle_ipython"):
        with contextlib.suppress(Exception):
            widgets._handle_ipython()
    app.start()
    os._exit(0)


#: Characters a forked kernel's stdout or stderr may hold before ``print`` waits for them to go.
OUTPUT_BUFFER = 2**20


def bound_output(most: int = OUTPUT_BUFFER) -> None:
    """Make ``print`` wait for the IO thread once a stream holds ``most`` characters.

    ipykernel gathers output for a fifth of a second before it sends it. A cell that prints in a
    tight loop fills that buffer faster than memory allows: under the sandbox's address-space
    limit the kernel dies of ``MemoryError`` before a single byte reaches the grader, and the
    facilitator reads "the kernel died" instead of "too much output". Flushing every ``most``
    characters lets the output arrive, so the grader's output limit is the one that stops it.

    Parameters
    ----------
    most
        Characters a stream may hold before a write waits for them to be sent.

    Returns
    -------
    None
    """
    from ipykernel.iostream import OutStream  # deferred: only a forked kernel needs it

    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, OutStream):
            stream.write = _flushing_writer(stream, most)  # type: ignore[method-assign]


def _flushing_writer(stream: Any, most: int) -> Any:
    write = stream.write
    held = 0

    def bounded(string: str) -> Any:
        nonlocal held
        written = write(string)
        held += len(string)
        if held >= most:
            held = 0
            stream.flush()
        return written

    return bounded
