"""``python -m mentor_workshop.facilitator.room --state DIR``: how the hub starts the room view."""

from mentor_workshop.facilitator.room.service import serve

serve()
