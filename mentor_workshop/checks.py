"""Old import path, kept because released notebooks' hidden tests import ``grade`` from here.

The checks live in :mod:`mentor_workshop.core.checks`.
"""

from mentor_workshop.core.checks import *  # noqa: F403
from mentor_workshop.core.checks import __all__  # noqa: F401
