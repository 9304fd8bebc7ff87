"""Old import path, and ``python -m mentor_workshop.curriculum DIR`` to check an exercises folder.

The loader lives in :mod:`mentor_workshop.core.curriculum`.
"""

import sys

from mentor_workshop.core.curriculum import *  # noqa: F403
from mentor_workshop.core.curriculum import __all__, main  # noqa: F401

if __name__ == "__main__":
    sys.exit(main())
