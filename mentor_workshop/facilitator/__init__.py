"""The facilitator's side: course, grading, batches, reports.

One import-time rule lives here because every facilitator module passes through this file
before it imports nbformat. ``jsonschema`` (under nbformat, nbgrader and papermill) builds about
forty Lark parsers for the IRI string formats when the optional ``rfc3987_syntax`` package is
installed, which jupyter-events' ``jsonschema[format-nongpl]`` brings in. That costs a second or
more in every command and batch worker, for formats that no notebook or nbgrader schema uses.
Marking the package as absent (only when jsonschema has not been imported yet) makes jsonschema
skip those two format checks; every other format check and all schema validation still run.
"""

import sys

if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
