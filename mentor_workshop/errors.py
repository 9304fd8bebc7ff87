"""Errors a user can act on, shared by the library and the command line."""


class UserError(Exception):
    """A problem the user can fix; its message says how (the CLI prints it without a traceback)."""
