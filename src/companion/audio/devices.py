"""Input devices as PortAudio sees them, choosing one by name, and remembering the choice."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from companion.errors import InputError
from companion.store.settings import get_setting, set_setting

DEVICE_SETTING = "audio.input_device"


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_samplerate: int
    is_default: bool
    hostapi: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sd() -> Any:
    import sounddevice

    return sounddevice


def refresh_devices() -> None:
    """Re-scan devices (PortAudio only sees a replugged USB microphone after this).

    Only call it while no stream is open.
    """
    sd = _sd()
    sd._terminate()
    sd._initialize()


def list_input_devices() -> list[InputDevice]:
    """Every device with at least one input channel, in PortAudio's order."""
    sd = _sd()
    try:
        default_in = int(sd.default.device[0])
    except (TypeError, ValueError):
        default_in = -1
    if default_in < 0:
        try:
            default_in = int(sd.query_devices(kind="input")["index"])
        except Exception:
            default_in = -1
    hostapis = sd.query_hostapis()
    devices = []
    for info in sd.query_devices():
        if int(info["max_input_channels"]) <= 0:
            continue
        devices.append(
            InputDevice(
                index=int(info["index"]),
                name=str(info["name"]),
                channels=int(info["max_input_channels"]),
                default_samplerate=int(info["default_samplerate"]),
                is_default=int(info["index"]) == default_in,
                hostapi=str(hostapis[info["hostapi"]]["name"]),
            )
        )
    return devices


def resolve_device(name: str | int | None, *, rescan: bool = False) -> InputDevice:
    """The input device called ``name`` (exact, then case-insensitive, then a unique part of
    the name, or its index); ``None`` means the system default. Otherwise an InputError
    listing what exists.

    ``rescan``: if ``name`` is not found, re-scan the devices once and look again (a
    microphone plugged in after start-up); only while this process has no stream open.
    """
    try:
        return _resolve(name, list_input_devices())
    except InputError:
        if not rescan:
            raise
    refresh_devices()
    return _resolve(name, list_input_devices())


def _resolve(name: str | int | None, devices: list[InputDevice]) -> InputDevice:
    names = ", ".join(d.name for d in devices) or "none found"
    if name is None or str(name).strip() == "":
        for device in devices:
            if device.is_default:
                return device
        if devices:
            return devices[0]
        raise InputError("device", name, "an input device; none found",
                         hint="connect a microphone and see 'companion devices'")
    text = str(name).strip()
    if text.isascii() and text.isdigit():
        for device in devices:
            if device.index == int(text):
                return device
    for match in (
        [d for d in devices if d.name == text],
        [d for d in devices if d.name.lower() == text.lower()],
        [d for d in devices if text.lower() in d.name.lower()],
    ):
        if len(match) == 1:
            return match[0]
        if len(match) > 1:
            raise InputError("device", name, "one of " + ", ".join(d.name for d in match),
                             hint="the name matches several devices")
    raise InputError("device", name, "one of " + names, hint="see 'companion devices'")


def remembered_device(db: sqlite_utils.Database) -> str | None:
    return get_setting(db, DEVICE_SETTING)


def remember_device(db: sqlite_utils.Database, name: str) -> None:
    set_setting(db, DEVICE_SETTING, name)
