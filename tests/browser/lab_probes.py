"""What the browser tests ask JupyterLab and the page, evaluated in the page.

The tests wait on JupyterLab's state (is the kernel idle, has every cell run) rather than on
fixed sleeps; these snippets read it through ``window.jupyterapp``, which the test server exposes
(``--LabApp.expose_app_in_browser``). What the participant sees and does is unchanged. Also
here: which of the kit's controls a screen reader cannot name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Locator

#: True once every code cell shows an execution count (no "[*]" or "[ ]"), nothing marked stale
#: is left, and the kernel is idle.
ALL_RUN_JS = r"""
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return false;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
    .map(e => e.textContent.replace(/\s/g, ''));
  if (!prompts.length || !prompts.every(t => /^\[\d+\]:$/.test(t))) return false;
  if (panel.querySelector('[data-mw-stale]')) return false;
  const current = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = current && current.sessionContext && current.sessionContext.session
    && current.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}
"""


#: True once the current tab is the notebook named ``arg`` and its kernel is connected and idle.
KERNEL_IDLE_JS = r"""
(name) => {
  const app = window.jupyterapp;
  const current = app && app.shell.currentWidget;
  if (!current || !current.context || !current.context.path.endsWith(name)) return false;
  const kernel = current.sessionContext && current.sessionContext.session
    && current.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}
"""


#: The current tab's path, its kernel's status and connection, and the text of open dialogs.
KERNEL_STATE_JS = r"""
() => {
  const current = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const ctx = current && current.sessionContext;
  const kernel = ctx && ctx.session && ctx.session.kernel;
  return {
    path: current && current.context ? current.context.path : null,
    kernel: kernel ? kernel.status : null,
    connection: kernel ? kernel.connectionStatus : null,
    dialogs: [...document.querySelectorAll('.jp-Dialog')]
      .map(d => d.innerText.trim().slice(0, 300)),
  };
}
"""


#: Save and close the notebook at path ``arg[0]`` when it is the current tab, then open
#: ``arg[1]`` with the command the file browser runs on a double click.
OPEN_NEXT_JS = r"""
async ([old, path]) => {
  const app = window.jupyterapp;
  const current = app.shell.currentWidget;
  if (current && current.context && current.context.path === old) {
    await current.context.save();
    current.close();
  }
  await app.commands.execute('docmanager:open', {path});
}
"""


def accessible_name_problems(scope: Locator) -> list[str]:
    """Every visible widget control in ``scope`` without a name a screen reader can read.

    A name counts when it comes from an associated ``<label>`` with text, ``aria-label`` or
    ``aria-labelledby``; a placeholder alone does not (it vanishes as soon as you type).
    """
    return scope.evaluate(
        r"""
        (root) => {
          const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)
            && getComputedStyle(e).visibility !== 'hidden';
          const text = e => (e ? (e.innerText || e.textContent || '') : '').trim();
          const problems = [];
          // Only what the exercises draw (widget views), not JupyterLab's own toolbar.
          const controls = root.querySelectorAll(
            '.jupyter-widgets :is(input:not([type=hidden]), textarea, select, [role=slider], '
            + '[role=radio], [role=checkbox], button)');
          for (const el of controls) {
            if (!visible(el)) continue;
            let name = (el.getAttribute('aria-label') || '').trim();
            if (!name && el.getAttribute('aria-labelledby')) {
              name = el.getAttribute('aria-labelledby').split(/\s+/)
                .map(id => text(document.getElementById(id))).join(' ').trim();
            }
            if (!name && el.labels) {
              name = [...el.labels].filter(visible).map(text).join(' ').trim();
            }
            if (!name && el.tagName === 'BUTTON') name = text(el) || (el.title || '').trim();
            if (!name) {
              const cls = [...el.closest('.jupyter-widgets')?.classList || []]
                .filter(c => c.startsWith('mw-')).join('.');
              problems.push(`${el.tagName.toLowerCase()}${el.type ? '[' + el.type + ']' : ''}`
                + ` in .${cls || '(untagged widget)'}`
                + (el.placeholder ? ` (placeholder: ${el.placeholder})` : ''));
            }
          }
          return problems;
        }
        """
    )
