"""Entering a running sandbox from a pre-warmed process, and giving up every privilege on the way.

Why: starting Python and importing ipykernel and the kit costs the better part of a
core-second, and a sandbox started by ``bwrap`` starts a new program. Doing that for every
participant was the largest cost of a sandboxed autograde. Instead, the worker's pre-warmed
zygote (:mod:`mentor_workshop.facilitator.warm`) forks a child for each notebook, and that child
*joins* the namespaces of a small process bubblewrap holds open for the notebook
(:mod:`.holder`): the same mounts, the same empty network, the same PID namespace, the same
unprivileged user. Namespaces, mounts and the user mapping are still all made by bubblewrap;
this module only enters them, with ``setns(2)``, and drops what entering gave.

Order matters. ``bwrap --disable-userns`` nests the sandbox's user namespace in an intermediate
one that owns its other namespaces, and entering a namespace needs privilege over the user
namespace that owns it; so the user namespaces are entered from the outside in, each followed
by the namespaces it owns. Entering a user namespace grants every capability in it: they are
all dropped (bounding set, ambient, permitted, effective, inheritable) and ``no_new_privs`` is
set before the caller goes on. Anything that fails raises, and the caller must then exit
without running a line of the notebook (fail closed).
"""

from __future__ import annotations

import ctypes
import fcntl
import os

__all__ = ["drop_privileges", "enter", "open_namespaces"]

_CLONE = {"user": 0x10000000, "mnt": 0x00020000, "ipc": 0x08000000, "uts": 0x04000000,
          "net": 0x40000000, "cgroup": 0x02000000, "pid": 0x20000000}
_NS_GET_USERNS = 0xB701  # ioctl: the user namespace owning a namespace
_NS_GET_PARENT = 0xB702  # ioctl: a user namespace's parent
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38
_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
_CAPABILITY_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _identity(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


def open_namespaces(pid: int) -> dict[str, int]:
    """Open every namespace of process ``pid`` (one file descriptor each).

    Parameters
    ----------
    pid
        A process inside the sandbox, as this process sees it (the holder).

    Returns
    -------
    dict
        Namespace kind (``user``, ``mnt``, ``ipc``, ``uts``, ``net``, ``cgroup``, ``pid``) ->
        an open descriptor; the caller closes them (:func:`enter` does).
    """
    fds: dict[str, int] = {}
    try:
        for kind in _CLONE:
            fds[kind] = os.open(f"/proc/{pid}/ns/{kind}", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        for fd in fds.values():
            os.close(fd)
        raise
    return fds


def enter(fds: dict[str, int]) -> None:
    """Join the namespaces in ``fds`` (from :func:`open_namespaces`), then close them.

    Only the PID namespace is special: it applies to the caller's *children*, so the caller
    forks once more after this, and the child is the one inside.

    Parameters
    ----------
    fds
        The sandbox's namespaces, as opened by :func:`open_namespaces`.

    Returns
    -------
    None

    Raises
    ------
    OSError
        When a namespace cannot be entered (the caller must then exit).
    """
    own = os.open("/proc/self/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    opened = [own]
    try:
        chain = []  # the sandbox's user namespaces, outermost first, below our own
        user = fds["user"]
        while _identity(user) != _identity(own):
            chain.insert(0, user)
            user = fcntl.ioctl(user, _NS_GET_PARENT)
            opened.append(user)
        owners = {}
        for kind, fd in fds.items():
            if kind != "user":
                owner = fcntl.ioctl(fd, _NS_GET_USERNS)
                opened.append(owner)
                owners[kind] = _identity(owner)
        for user in chain:
            _check(_libc.setns(user, _CLONE["user"]), "setns(user)")
            for kind in [k for k, owner in owners.items() if owner == _identity(user)]:
                _check(_libc.setns(fds[kind], _CLONE[kind]), f"setns({kind})")
                del owners[kind]
        if owners:
            raise OSError(f"namespaces not owned by the sandbox's users: {sorted(owners)}")
    finally:
        for fd in {*opened, *fds.values()}:
            os.close(fd)


def drop_privileges() -> None:
    """Give up every capability for good and forbid gaining any (``no_new_privs``).

    Returns
    -------
    None

    Raises
    ------
    OSError
        When a capability cannot be dropped (the caller must then exit).
    """
    with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as handle:
        last = int(handle.read())
    for cap in range(last + 1):
        _check(_libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0), f"dropping capability {cap}")
    _check(_libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "ambient set")
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable, twice: all empty
    _check(_libc.capset(header, data), "capset")
    _check(_libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
