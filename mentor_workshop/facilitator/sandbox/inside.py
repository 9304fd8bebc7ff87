"""What runs inside a sandbox: the limits each kernel gets before it runs a single cell.

:func:`apply_limits` is called by every sandboxed kernel, whether forked from the pre-warmed
zygote as it enters the sandbox (:mod:`mentor_workshop.facilitator.warm`) or started directly
in one (:func:`kernel_main`, with ``--no-prewarm``): address space (a memory bomb gets
``MemoryError``), file size, no core dumps and, where the cgroup is not to be had,
``RLIMIT_NPROC``. Hard limits equal soft ones, so a notebook cannot raise them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping

__all__ = ["apply_limits", "kernel_main"]


def apply_limits(limits: Mapping[str, int]) -> None:
    """Set this process's hard and soft resource limits (inherited by what it starts).

    Parameters
    ----------
    limits
        ``memory`` (bytes of address space), ``file_bytes``, ``processes`` (``RLIMIT_NPROC``);
        a missing or zero entry is left as it is.

    Returns
    -------
    None
    """
    import resource  # deferred: POSIX only, and only a sandboxed kernel needs it

    wanted = {resource.RLIMIT_CORE: 0}
    for key, name in (("memory", "RLIMIT_AS"), ("file_bytes", "RLIMIT_FSIZE"),
                      ("processes", "RLIMIT_NPROC")):
        if limits.get(key):
            wanted[getattr(resource, name)] = int(limits[key])
    for which, value in wanted.items():
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, (value, value))


def kernel_main() -> None:
    """A kernel started directly in a sandbox (no zygote): limits first, then ipykernel.

    ``python -m mentor_workshop.facilitator.sandbox.inside ARGS`` behaves as
    ``python -m ipykernel_launcher ARGS`` with the sandbox's limits applied.

    Returns
    -------
    None
    """
    import json
    import runpy
    import sys

    apply_limits(json.loads(os.environ.pop("MW_SANDBOX_LIMITS", "{}") or "{}"))
    sys.argv = ["ipykernel_launcher", *sys.argv[1:]]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    kernel_main()
