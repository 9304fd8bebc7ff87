"""Subcommands of ``mentor-workshop``, one module per area; see :mod:`mentor_workshop.cli`."""
