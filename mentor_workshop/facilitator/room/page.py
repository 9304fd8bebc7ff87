"""The room view as one self-contained HTML page: no script, no CDN, everything escaped.

Why no JavaScript: the service asks the browser to reload the page with an HTTP ``Refresh``
header, which is enough for a view that changes every few seconds and leaves nothing to load
from the network (the workshop room may have none) and nothing for participant text to run in.
Not a ``<meta http-equiv="refresh">``: a timed reload the reader cannot stop fails WCAG 2.2.1
(axe's ``meta-refresh``), so the page carries a link that pauses it and the header is not sent
while paused. Names and ids
come from participants, so every one goes through ``html.escape``. The pseudonymous variant
shows ``P-XXXXX`` instead of names, for projecting on the wall.
"""

from __future__ import annotations

import html
import time

from mentor_workshop.facilitator.room.snapshot import RoomSnapshot

__all__ = ["CONTENT_SECURITY_POLICY", "render_room"]

#: Sent with the page: nothing may load from anywhere, not even from the hub itself.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; " \
                          "form-action 'self'; frame-ancestors 'self'"

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}
p.meta{color:#444;margin:0 0 1rem}
table{border-collapse:collapse;margin-bottom:1.5rem}
th,td{border-bottom:1px solid #ccc;padding:.3rem .7rem;text-align:left}
td.num{text-align:right}
tr.stuck td{background:#fde7e7}
.bar{display:inline-block;height:.9rem;background:#1f5fa8;vertical-align:middle}
a{color:#1f5fa8}
"""


def _idle(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    return "just now" if minutes < 1 else f"{minutes:.0f} min"


def render_room(snap: RoomSnapshot, *, pseudonymous: bool = False, refresh: int = 10,
                toggle_url: str = "?", pause_url: str = "?paused=1", paused: bool = False
                ) -> str:
    """The page for one snapshot.

    Parameters
    ----------
    snap : RoomSnapshot
        What :func:`take_snapshot` returned.
    pseudonymous : bool
        Show pseudonyms instead of names and ids (for projecting).
    refresh : int
        Seconds between automatic reloads (the service sends them as a ``Refresh`` header).
    toggle_url : str
        Link to the other mode (names or pseudonyms).
    pause_url : str
        Link that pauses the reloads, or resumes them when ``paused``.
    paused : bool
        Whether the reader has paused the reloads.

    Returns
    -------
    str
        A complete HTML document.
    """
    e = html.escape
    total = len(snap.rows)
    stuck = [r for r in snap.rows if r.stuck]
    rows = []
    for r in sorted(snap.rows, key=lambda r: (not r.stuck, r.done, r.pseudonym if pseudonymous
                                             else r.name.casefold())):
        who = r.pseudonym if pseudonymous else r.id if r.name == r.id else f"{r.name} ({r.id})"
        step = r.step or "all done"
        note = r.problem or ("stuck?" if r.stuck else "")
        rows.append(f'<tr class="{"stuck" if r.stuck else ""}"><td>{e(who)}</td>'
                    f"<td>{e(step)}</td><td class=num>{r.done}/{len(snap.steps)}</td>"
                    f"<td>{e(_idle(r.idle_minutes))}</td><td>{e(note)}</td></tr>")
    funnel = []
    for step in snap.steps:
        count = snap.funnel.get(step, 0)
        width = int(200 * count / total) if total else 0
        funnel.append(f"<tr><td>{e(step)}</td><td class=num>{count}</td>"
                      f'<td><span class="bar" style="width:{width}px"></span></td></tr>')
    mode = "Show names" if pseudonymous else "Pseudonyms (for projecting)"
    stamp = time.strftime("%H:%M:%S", time.localtime(snap.taken_at))
    timing = "automatic refresh paused" if paused else f"refreshes every {int(refresh)} s"
    pause_label = "Resume refreshing" if paused else "Pause refreshing"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Room view</title><style>{_STYLE}</style></head>
<body><main>
<h1>Room view</h1>
<p class="meta">{total} participants · {len(stuck)} may be stuck · updated {e(stamp)},
{e(timing)} · <a href="{e(pause_url)}">{e(pause_label)}</a> ·
<a href="{e(toggle_url)}">{e(mode)}</a></p>
<h2>Who is where</h2>
<table><thead><tr><th scope=col>Participant</th><th scope=col>Working on</th>
<th scope=col>Steps done</th><th scope=col>Last save</th><th scope=col>Note</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<h2>Step funnel</h2>
<table><thead><tr><th scope=col>Step</th><th scope=col>Done</th><th scope=col></th></tr></thead>
<tbody>{''.join(funnel)}</tbody></table>
</main></body></html>
"""
