#!/bin/sh
# The hub tests (marker `hub`, run as root) build the hub's environment from Debian's python3
# (with venv) and install configurable-http-proxy with npm. Install what is missing when we
# can; otherwise the hub tests skip themselves and say why.
[ "$(id -u)" = "0" ] || exit 0
command -v apt-get >/dev/null 2>&1 || exit 0
missing=""
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
/usr/bin/python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing="$missing python3-venv"
command -v runuser >/dev/null 2>&1 || missing="$missing util-linux"
if [ -n "$missing" ]; then
  echo "Installing$missing for the hub tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) \
    || echo "Could not install$missing; the hub tests will be skipped."
fi
exit 0
