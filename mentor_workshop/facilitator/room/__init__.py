"""The live room view: who is on which step, who is stuck, the step funnel (a hub service)."""

from mentor_workshop.facilitator.room.page import render_room
from mentor_workshop.facilitator.room.snapshot import RoomSnapshot, take_snapshot

__all__ = ["RoomSnapshot", "render_room", "take_snapshot"]
