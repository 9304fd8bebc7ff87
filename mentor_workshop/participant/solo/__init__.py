"""The self-paced path's logic, apart from its widgets.

``choice`` reads the choice made in ``00_welcome`` and the suggested pace; ``progress`` is the
"Where am I" line every notebook opens with; ``calendar`` puts the pace in the plan's file. The
controls are in ``widgets/`` (``solo_path``, ``roleplay``, ``self_assessment``).
"""
