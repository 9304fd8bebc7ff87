"""Old import path, kept for released notebooks and library users.

The journal lives in :mod:`mentor_workshop.core.journal`.
"""

from mentor_workshop.core.journal import *  # noqa: F403
from mentor_workshop.core.journal import __all__  # noqa: F401
