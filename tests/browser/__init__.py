"""Browser tests: JupyterLab in headless Chromium, driven as a participant would (see README.md).

A package, so that its ``conftest`` does not shadow ``tests/conftest.py``, whose helpers other
test modules import with ``from conftest import ...``.
"""
