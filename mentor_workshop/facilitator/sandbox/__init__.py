"""Run a participant's code in a sandbox: bubblewrap, no network, own files only, hard limits.

Why: ``autograde`` (and any batch over participants' files) runs code a participant wrote, on
the facilitator's machine. Without a sandbox a hand-in can read the gradebook, the hidden tests
and other participants' journals, reach the network or leave a process behind that edits the
gradebook after grading. nbgrader itself does not protect against this (its FAQ says so), and
Docker, which otter-grader uses, is rarely on a workshop laptop. Debian's ``bubblewrap`` (the
sandbox behind Flatpak) needs no daemon and no root where user namespaces are enabled.

The parts:

* :mod:`.bwrap` -- is a sandbox available here, and the ``bwrap`` command line for one;
* :mod:`.cgroup` -- a process limit through the pids cgroup, where the kernel lets us have one;
* :mod:`.session` -- one sandbox for one participant's hand-in: a scratch copy of it, a private
  folder for the kernel's sockets, the processes it may hold, and tearing it all down;
* :mod:`.holder` -- the running sandbox: bubblewrap holding its namespaces open, and killing
  what a notebook left running;
* :mod:`.namespaces` -- how a kernel forked from the pre-warmed zygote (outside) enters the
  running sandbox and drops every privilege before it runs anything;
* :mod:`.inside` -- resource limits on each kernel, and a kernel started directly inside.

The limits are the pool policy's (:data:`mentor_workshop.facilitator.pool.POLICY`).
"""

from mentor_workshop.facilitator.sandbox.bwrap import available, require
from mentor_workshop.facilitator.sandbox.session import Sandbox

__all__ = ["Sandbox", "available", "require"]
