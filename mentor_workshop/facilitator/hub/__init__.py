"""A real JupyterHub for a live workshop on one Linux machine (``mentor-workshop hub``).

``setup`` builds the environment, accounts, exchange and config; ``start`` runs the hub;
``teardown`` removes exactly what setup made. See ``facilitator/shared_server.md``.
"""

from mentor_workshop.facilitator.hub.lifecycle import (
    HubReport,
    hub_status,
    setup_hub,
    start_hub,
    stop,
    teardown_hub,
)

__all__ = ["HubReport", "hub_status", "setup_hub", "start_hub", "stop", "teardown_hub"]
