"""Recording that never loses an interview: devices, recorder, recovery, import."""

from companion.audio.status import RecorderStatus

__all__ = ["RecorderStatus"]
