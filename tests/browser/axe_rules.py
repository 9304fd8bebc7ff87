"""The one list of axe-core rules the sweep does not apply everywhere, each with its reason.

Why a list at all: axe-core checks the whole page, and a notebook page is mostly JupyterLab's
own chrome (menu bar, side panels, tab bar, status bar, cell toolbars), which the kit does not
draw and cannot fix. A rule JupyterLab breaks is switched off *only for that chrome*: the sweep
runs it separately on the notebook's cells (:data:`KIT_CONTENT`) with JupyterLab's parts of a
cell as the run's ``exclude`` (:data:`CELL_CHROME`), so the kit's markdown, widgets and outputs
are always held to every rule. Pages the kit writes on its own (feedback, plan, report) get no
exceptions at all.

To add a rule here, say which element of JupyterLab breaks it and why the kit cannot fix it; to
remove one, delete its line: the sweep then applies it everywhere again.
"""

from __future__ import annotations

#: Impacts that fail the sweep. axe-core's "moderate" and "minor" results are printed, not failed.
BLOCKING_IMPACTS = ("serious", "critical")

#: Where the kit draws on a notebook page: its cells (markdown, outputs, widgets). Everything
#: outside them is JupyterLab's chrome (menu bar, side panels, tab bar, toolbars, status bar, the
#: notebook's cell list itself).
KIT_CONTENT = ".jp-Notebook .jp-Cell"

#: JupyterLab's chrome *inside* a cell: the editor that shows a cell's source (CodeMirror's; the
#: text is the kit's, locked for participants), the "[3]:" prompts, the collapser bar, the
#: cell toolbar and the fold button JupyterLab adds beside markdown headings.
CELL_CHROME: tuple[str, ...] = (
    ".jp-InputArea-editor",
    ".jp-InputPrompt",
    ".jp-OutputPrompt",
    ".jp-Collapser",
    ".jp-cell-toolbar",
    ".jp-collapseHeadingButton",
)

#: Rule id -> why JupyterLab 4's chrome breaks it. These rules are run only on
#: :data:`KIT_CONTENT` less :data:`CELL_CHROME`, so the kit's own output is still held to them;
#: every other rule runs on the whole page. Found with JupyterLab 4.6 and axe-core 4.14.
CHROME_RULES: dict[str, str] = {
    "aria-allowed-attr": (
        "JupyterLab's toolbar buttons (<jp-button> in the file browser and notebook toolbars, "
        "nbgrader's Validate button, the debugger button) carry aria-pressed, which their "
        "button role does not allow"),
    "button-name": (
        "JupyterLab adds an empty <button class=jp-collapseHeadingButton> (fold this section) "
        "beside each markdown heading, with no text and no aria-label"),
    "aria-input-field-name": (
        "CodeMirror draws each cell's source as a role=textbox with no accessible name"),
    "aria-required-children": (
        "the notebook's cell list is role=feed, but its children are the cells, drawn as plain "
        "divs with an aria-label instead of role=article"),
}
