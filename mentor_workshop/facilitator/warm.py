"""The one warm kernel pool: a "zygote" that has imported the kit forks a kernel per notebook.

Used by autograde and by the batches (``personalize``, ``plans``) alike. Most of a notebook's
time in a fresh kernel is the kernel itself: starting Python and ipykernel, then importing the
kit and ipywidgets in the first cell. Each worker process therefore keeps a zygote: a process
that has imported all that once and forks a new kernel for every notebook. Each notebook still
gets its own fresh kernel process (new namespace, new sockets, nothing from other notebooks);
only the imports are done in advance. The fork happens before any thread, socket or event loop
exists, and a kernel that cannot be forked is started the ordinary way (``--no-prewarm``
starts every kernel that way).

In a sandboxed autograde the same zygote serves every participant of its worker, and no
participant's code ever runs in it: each kernel it forks first enters its participant's sandbox
(:mod:`mentor_workshop.facilitator.sandbox.namespaces`: bubblewrap's namespaces, every
privilege dropped, the sandbox's limits) and only then becomes a kernel; a child that cannot
enter exits without starting one. The zygote is started with the sandbox's environment only
and never reads the course, so a kernel inherits nothing it could not see anyway. Paying the
imports once per worker instead of once per participant (in a zygote inside each sandbox, as
before) cut a sandboxed run of 30 participants by about a tenth of its CPU. Retries, timeouts
and how a stuck or crashed kernel is reported are the pool policy's
(:mod:`mentor_workshop.facilitator.pool`).

The zygote imports this module (``python -c "from ...warm import zygote_main"``) and every
kernel is a fork of it: so this module and what it imports at the top stay light (no nbgrader,
no nbconvert, no papermill).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from typing import Any

from mentor_workshop.facilitator.forked_kernel import become_kernel
from mentor_workshop.facilitator.sandbox import namespaces
from mentor_workshop.facilitator.sandbox.inside import apply_limits
from mentor_workshop.facilitator.sandbox.session import Sandbox

__all__ = [
    "PRELOAD",
    "current_sandbox",
    "current_zygote",
    "forking_manager_class",
    "start_zygote",
    "stop_zygote",
    "use_sandbox",
    "zygote_main",
]

#: Imported once by the zygote; a module that fails to import is simply not pre-loaded.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",  # a kernel imports it as it starts (debugpy: a tenth of a second)
    # ... and these, found by listing what a kernel's start-up still imported after the fork
    "ipykernel_launcher",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "faulthandler",
    "pdb",
    "psutil",
    "sqlite3",
    "filelock",  # a step's first cell opens the journal (the kit imports it only then)
    "tornado.platform.asyncio",
    "ipywidgets",
    "mentor_workshop",
    "mentor_workshop.participant.widgets",
    "mentor_workshop.core.checks",
    "mentor_workshop.participant.notebook_parts",
)

#: This worker's zygote, or None (not started, not on Linux, or broken).
_zygote: dict[str, Any] = {"current": None, "sandbox": None}


def zygote_main() -> None:
    """The zygote process: pre-import, then fork one kernel per request (JSON lines on stdin).

    A request is ``{"args": ..., "env": ..., "cwd": ...}`` and, for a sandboxed kernel,
    ``"enter": {"pid", "cgroup", "limits"}`` (:meth:`.sandbox.session.Sandbox.entry`). The
    reply is ``{"pid": N}``, the kernel's pid as the zygote's worker sees it, or
    ``{"error": why}`` when no kernel was started.

    Returns
    -------
    None
        It returns when its worker closes stdin; each forked child never returns.
    """
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything an import prints goes to the log, not into the protocol
    # The imports make hundreds of thousands of objects and few cycles, and the collector would
    # walk them again and again (a tenth of the zygote's start): off while loading, one
    # collection after, on again before any fork.
    gc.disable()
    for name in PRELOAD:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    _preload_kit()
    # What was loaded moves out of the collector's sight: a kernel's garbage collections would
    # otherwise walk (and so copy, page by page) the whole inherited heap
    gc.collect()
    gc.freeze()
    gc.enable()  # kernels inherit it: a notebook's cycles are collected as usual
    # kernels are reaped as they end (waited for, not ignored, so their CPU time is counted in
    # the zygote's children and, through its worker, in the whole run's)
    signal.signal(signal.SIGCHLD, _reap_children)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the worker's to handle
    replies.write(json.dumps({"ready": os.getpid()}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply: dict[str, Any] = {"pid": _fork_kernel(request, replies)}
        except OSError as exc:
            reply = {"error": str(exc)}
        replies.write(json.dumps(reply) + "\n")


def _fork_kernel(request: dict[str, Any], replies: Any) -> int:
    """Fork the requested kernel, in its sandbox when it names one; its pid once it listens."""
    bound, bound_w = os.pipe()
    enter = request.get("enter")
    if enter is None:
        pid = os.fork()
        if pid == 0:
            try:
                replies.close()
                os.close(bound)
                become_kernel(request, bound_w)
            finally:
                os._exit(1)
    else:
        told, tell = os.pipe()
        child = os.fork()
        if child == 0:
            try:
                replies.close()
                os.close(bound)
                os.close(told)
                _enter_sandbox(request, enter, bound_w, tell)
            finally:
                os._exit(1)
        os.close(tell)
        with os.fdopen(told, "rb") as answer:
            said = json.loads(answer.read() or b'{"error": "it exited at once"}')
        if "pid" not in said:
            os.close(bound)
            os.close(bound_w)
            raise OSError(f"could not enter the notebook's sandbox: {said['error']}")
        pid = int(said["pid"])
    os.close(bound_w)
    _wait_until_bound(bound)
    return pid


def _enter_sandbox(request: dict[str, Any], enter: dict[str, Any], bound: int,
                   tell: int) -> None:
    """In a child of the zygote: enter the notebook's sandbox, then fork the kernel there.

    Fail closed: on any error this process says why and exits; no kernel is started. The
    kernel is a second fork because a PID namespace applies to children only; this process
    says the kernel's pid and exits, and bubblewrap's init inherits the kernel.
    """
    try:
        keep = {0, 1, 2, bound, tell}
        for name in os.listdir("/proc/self/fd"):  # nothing of the zygote's goes in
            if int(name) not in keep:
                with contextlib.suppress(OSError):
                    os.close(int(name))
        with contextlib.suppress(PermissionError):
            os.setgroups([])  # as bubblewrap does, where we may (as root)
        if enter.get("cgroup"):
            with open(enter["cgroup"], "w", encoding="ascii") as procs:
                procs.write("0")  # join the sandbox's pids cgroup (children follow)
        namespaces.enter(namespaces.open_namespaces(int(enter["pid"])))
        namespaces.drop_privileges()
        apply_limits(enter.get("limits") or {})
        kernel = os.fork()
    except Exception as exc:
        os.write(tell, json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())
        os._exit(1)
    if kernel == 0:
        os.close(tell)
        become_kernel(request, bound)
    os.write(tell, json.dumps({"pid": kernel}).encode())
    os._exit(0)


def _wait_until_bound(fd: int, limit: float = 10.0) -> None:
    """Wait until the new kernel has bound its sockets (it writes a byte) or has died (EOF).

    A client that connects before the kernel listens is retried by ZeroMQ only every 0.1 s, so
    replying at once cost a tenth of a second or two per notebook; a kernel that takes longer
    than ``limit`` is left to the client's own start-up timeout.
    """
    try:
        if select.select([fd], [], [], limit)[0]:
            os.read(fd, 1)
    except OSError:
        pass
    finally:
        os.close(fd)


def _reap_children(_signum: int, _frame: Any) -> None:
    """Wait for every kernel that has ended (SIGCHLD handler of the zygote)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def _preload_kit() -> None:
    """Import every module of the kit a notebook may use and load its content once.

    A step notebook's cells import that step's widget module, the checks and the feedback
    rules; done here, each forked kernel starts with them (the profile showed a fresh kernel's
    first cells paying for those imports).
    """
    import pkgutil

    for package in ("mentor_workshop.participant", "mentor_workshop.core"):
        with contextlib.suppress(Exception):
            root = importlib.import_module(package)
            for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
                with contextlib.suppress(Exception):
                    importlib.import_module(info.name)
    with contextlib.suppress(Exception):
        from mentor_workshop.core import curriculum

        curriculum.load()
    with contextlib.suppress(Exception):
        from mentor_workshop.core.feedback.rules import active_rules

        active_rules()
    with contextlib.suppress(Exception):  # a kernel's default address (psutil, then cached)
        from jupyter_client.localinterfaces import localhost

        localhost()
    with contextlib.suppress(Exception):  # the word list behind "is this real text?"
        from mentor_workshop.core.reality.config import load_config
        from mentor_workshop.core.reality.vocabulary import words

        load_config()
        words()


class Zygote:
    """The worker's handle on its zygote process.

    Parameters
    ----------
    env
        The zygote's own environment (the worker's when None). For sandboxed kernels it is
        the sandbox's allow-list: every kernel inherits the zygote's memory, which starts with
        the environment it was started with.
    """

    def __init__(self, env: dict[str, str] | None = None) -> None:
        argv = [sys.executable, "-c", "from mentor_workshop.facilitator.warm import "
                                      "zygote_main; zygote_main()"]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1, env=env)
        self.ready = False
        self.last_kernel: int | None = None

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if not self.ready:
            json.loads(self.proc.stdout.readline())["ready"]
            self.ready = True
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())  # type: ignore[no-any-return]

    def fork(self, args: list[str], env: dict[str, str], cwd: str,
             streams: dict[str, str] | None = None, sandbox: Sandbox | None = None) -> int:
        """Ask the zygote for a kernel started as ``ipykernel_launcher ARGS`` would be.

        Parameters
        ----------
        args
            The kernel's command-line arguments (after ``-m ipykernel_launcher``).
        env
            Its environment (cut down to the sandbox's allow-list in a sandbox).
        cwd
            Its working folder.
        streams
            Files for the kernel's ``stdout`` and ``stderr`` (e.g. a batch job's stderr log);
            by default it keeps the zygote's.
        sandbox
            The participant's sandbox: the kernel enters this notebook's sandbox
            (:meth:`~mentor_workshop.facilitator.sandbox.session.Sandbox.entry`) before it
            runs anything.

        Returns
        -------
        int
            The kernel's process id (not a child of this process).

        Raises
        ------
        OSError
            When the kernel could not enter the sandbox (no kernel was started).
        """
        request: dict[str, Any] = {"args": args, "env": dict(env), "cwd": cwd,
                                   **(streams or {})}
        if sandbox is not None:
            request.update(env=sandbox.environment(env), enter=sandbox.entry())
        reply = self._ask(request)
        if "error" in reply:
            raise OSError(reply["error"])
        self.last_kernel = int(reply["pid"])
        return self.last_kernel

    def close(self) -> None:
        """Stop the zygote (its kernels are not its to stop: each ends with its notebook).

        It is asked first (its stdin closed), so its CPU time is counted; after 2 s it is
        killed.
        """
        with contextlib.suppress(Exception):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(timeout=2)
        with contextlib.suppress(Exception):
            self.proc.kill()
            self.proc.wait(timeout=5)


def start_zygote(env: dict[str, str] | None = None) -> None:
    """Start this worker's zygote, on Linux only.

    A zygote that cannot start leaves kernels to start the ordinary way (in a sandbox: each
    in a sandbox of its own, started directly).

    Parameters
    ----------
    env
        The zygote's environment: the sandbox's allow-list when its kernels will be sandboxed
        (:func:`~mentor_workshop.facilitator.sandbox.session.sandbox_environment`); the
        worker's own when None.

    Returns
    -------
    None
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError):
        zygote = Zygote(env)
        _zygote["current"] = zygote
        atexit.register(zygote.close)


def use_sandbox(sandbox: Sandbox | None) -> None:
    """Start this worker's kernels in ``sandbox`` from now on, or (None) nowhere special.

    Parameters
    ----------
    sandbox
        The participant's sandbox, or None.

    Returns
    -------
    None
    """
    _zygote["sandbox"] = sandbox


def stop_zygote() -> None:
    """Stop the current zygote and forget the sandbox.

    Returns
    -------
    None
    """
    zygote = _zygote["current"]
    if zygote is not None:
        zygote.close()
        with contextlib.suppress(Exception):
            atexit.unregister(zygote.close)
    _zygote["current"] = None
    _zygote["sandbox"] = None


def current_zygote() -> Zygote | None:
    """This worker's zygote, or None when kernels start the ordinary way.

    Returns
    -------
    Zygote or None
    """
    return _zygote["current"]  # type: ignore[no-any-return]


def current_sandbox() -> Sandbox | None:
    """The sandbox this worker's kernels start in now, or None.

    Returns
    -------
    Sandbox or None
    """
    return _zygote["sandbox"]  # type: ignore[no-any-return]


class _ForkedProcess:
    """What jupyter_client needs of a ``Popen`` for a kernel that is not our own child."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None
        try:
            self._fd: int | None = os.pidfd_open(pid)  # immune to pid reuse
        except (AttributeError, OSError):
            self._fd = None

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        if self._fd is not None:
            alive = not select.select([self._fd], [], [], 0)[0]
        else:
            try:
                os.kill(self.pid, 0)
                alive = True
            except ProcessLookupError:
                alive = False
        if not alive:
            self.returncode = 0
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _streams(kw: dict[str, Any]) -> dict[str, str]:
    """The files a manager asked the kernel's output to go to, by name (a zygote cannot take
    an open file object over its pipe)."""
    found = {}
    for key in ("stdout", "stderr"):
        target = kw.get(key)
        if target == subprocess.DEVNULL:
            found[key] = os.devnull
        elif isinstance(getattr(target, "name", None), str):
            found[key] = target.name
    return found


@functools.cache
def forking_manager_class() -> type:
    """An ``AsyncKernelManager`` that gets its python kernels from the worker's zygote.

    Returns
    -------
    type
        The class (made once per process: it subclasses jupyter_client's, imported here).
    """
    # deferred: the zygote imports this package, and kernels are forks of it (module docstring)
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import ensure_async

    class QuickClient(AsyncKernelClient):
        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            # jupyter_client ends its wait by draining IOPub until it has been silent for
            # 0.2 s: a fifth of a second per notebook for messages nbclient ignores anyway
            # (they answer no cell). Wait for the reply, then drain only what is there.
            channel = self.iopub_channel
            original = channel.get_msg

            async def quick(*args: Any, **kw: Any) -> Any:
                if self._mw_ready:
                    kw["timeout"] = 0.01
                return await ensure_async(original(*args, **kw))

            self._mw_ready = False
            original_handle = self._handle_kernel_info_reply

            def handled(msg: Any) -> None:
                original_handle(msg)
                self._mw_ready = True

            self._handle_kernel_info_reply = handled  # type: ignore[method-assign]
            channel.get_msg = quick  # type: ignore[method-assign]
            try:
                await super()._async_wait_for_ready(timeout)
            finally:
                channel.get_msg = original  # type: ignore[method-assign]
                self._handle_kernel_info_reply = original_handle  # type: ignore[method-assign]

        # AsyncKernelClient binds ``wait_for_ready`` to the base class's function, not to the
        # method by name: without this line the override above is never called.
        wait_for_ready = _async_wait_for_ready

    class ForkingKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            sandbox = current_sandbox()
            if sandbox is not None:
                # no network in the sandbox: the kernel's sockets are files in its runtime folder
                kwargs["transport"] = "ipc"
                kwargs["ip"] = os.path.join(sandbox.runtime, "k")
                kwargs["connection_file"] = os.path.join(
                    sandbox.runtime, f"kernel-{os.urandom(6).hex()}.json")
            super().__init__(**kwargs)
            self.client_factory = QuickClient

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            # jupyter_client polls a killed kernel every 0.1 s, and its first poll comes before
            # the kernel has had a millisecond to die: a tenth of a second lost per notebook
            await super()._async_wait(pollinterval=min(pollinterval, 0.005))

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            zygote = current_zygote()
            sandbox = current_sandbox()
            native = kernel_cmd[:3] == [sys.executable, "-m", "ipykernel_launcher"]
            if sandbox is not None and not native:
                raise RuntimeError("only the kit's own Python kernel can run in the sandbox")
            if zygote is not None and native and self.provisioner is not None:
                try:
                    pid = zygote.fork(kernel_cmd[3:], kw.get("env") or dict(os.environ),
                                      str(kw.get("cwd") or os.getcwd()), _streams(kw),
                                      sandbox)
                except Exception as exc:
                    # broken, or not allowed to enter sandboxes here: from now on kernels
                    # start the usual way (in a sandbox: each in one of its own, from scratch)
                    print(f"pre-warmed kernels are off in this worker: {exc}",
                          file=sys.stderr, flush=True)
                    if sandbox is not None:
                        sandbox.stop()
                    _zygote["current"] = None
                    zygote.close()
                else:
                    provisioner = self.provisioner
                    provisioner.process = _ForkedProcess(pid)
                    provisioner.pid = provisioner.pgid = pid
                    provisioner.cwd = kw.get("cwd")
                    self._reconcile_connection_info(provisioner.connection_info)
                    return
            if sandbox is not None:  # no zygote: a sandbox of its own for this kernel
                kernel_cmd = sandbox.command([sys.executable, "-m",
                                              "mentor_workshop.facilitator.sandbox.inside",
                                              *kernel_cmd[3:]])
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return ForkingKernelManager
