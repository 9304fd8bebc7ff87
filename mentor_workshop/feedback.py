"""Old import path (``mentor_workshop.feedback.analyze``).

The feedback engine lives in :mod:`mentor_workshop.core.feedback`.
"""

from mentor_workshop.core.feedback import *  # noqa: F403
from mentor_workshop.core.feedback import __all__  # noqa: F401
