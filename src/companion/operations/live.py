"""The live transcript as both fronts use it: whether it runs, starting it beside a
recorder, its stored lines, and pinning a line as a quote.

Whether it runs: the study's ``[live] transcript`` (on by default), unless the session's
set-up turned it off (a participant may consent to audio only) or on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from companion.live.client import LiveLine, LiveTranscriber
from companion.operations._base import acting, reading
from companion.store import notes as note_store
from companion.store import sessions as session_store
from companion.store.live import LiveSegment, list_live_segments
from companion.store.notes import Note
from companion.store.settings import get_setting, set_setting
from companion.study.folder import Study

__all__ = ["LiveLine", "LiveSegment", "LiveTranscriber", "live_segments", "live_wanted",
           "pin_quote", "quotes", "session_choice", "set_session_live", "start_live"]


MONO_LABELLER = "companion.speakers.live:label_line"
"""Where the live transcript finds voice labels for mono audio: a function (16 kHz mono
audio of a line, its session start in ms, the labels ("I", participant code)) → one of the
labels or None (see :mod:`companion.live.speakers`). Used when that
module exists (offline speaker separation); without it mono lines have no speaker."""


def mono_labeller() -> str | None:
    import importlib.util

    module = MONO_LABELLER.partition(":")[0]
    try:
        return MONO_LABELLER if importlib.util.find_spec(module) is not None else None
    except ImportError:  # companion.speakers itself is not there
        return None


def _key(session_id: int) -> str:
    return f"live.transcript.{session_id}"


def session_choice(study: Study, session_id: int | str) -> bool | None:
    """The session's own choice (None: it follows the study setting)."""
    with reading(study) as db:
        session = session_store.get_session(db, session_id)
        value = get_setting(db, _key(session.id))
    return None if value in (None, "") else value == "on"


def set_session_live(study: Study, session_id: int | str, on: bool) -> None:
    """Turn the live transcript on or off for one session (the set-up's checkbox)."""
    with acting(study, entity="session", action="live-transcript") as act:
        session = session_store.get_session(act.db, session_id)
        set_setting(act.db, _key(session.id), "on" if on else "off")


def live_wanted(study: Study, session_id: int | str) -> bool:
    choice = session_choice(study, session_id)
    return study.settings.live.transcript if choice is None else choice


def start_live(
    study: Study, session_id: int, recorder: Any, *, clock: Callable[[], int] | None = None,
) -> LiveTranscriber | None:
    """Start the live transcriber for ``recorder`` (before its ``start()``, so no block is
    missed) when the session wants it; None when it does not or the recorder cannot feed
    one (it has no taps)."""
    if not live_wanted(study, session_id) or not hasattr(recorder, "taps"):
        return None
    from companion.operations.protocols import session_protocol
    from companion.transcribe.engine import vocabulary_hotwords

    with reading(study) as db:
        session = session_store.get_session(db, session_id)
    protocol = session_protocol(study, session)
    live = LiveTranscriber(
        study, session.id, samplerate=int(recorder.samplerate),
        channels=int(recorder.channels), clock=clock or recorder.session_ms,
        labels=("I", session.participant_code), model=study.settings.transcribe.model,
        hotwords=vocabulary_hotwords(protocol.vocabulary),
        mono_labeller=mono_labeller() if int(recorder.channels) == 1 else None,
    )
    live.start()
    recorder.taps.append(live.tap)
    return live


def live_segments(study: Study, session_id: int | str) -> list[LiveSegment]:
    with reading(study) as db:
        session = session_store.get_session(db, session_id)
        return list_live_segments(db, session.id)


def pin_quote(study: Study, session_id: int, line: LiveLine, part: str = "") -> Note:
    """Keep a live line as a quote: a note of kind ``quote`` at the line's session time.

    ``part``: words of the line to keep instead of all of it (any case); ignored when the
    line does not contain them."""
    text = line.text
    at = line.text.lower().find(" ".join(part.split()).lower()) if part.strip() else -1
    if at >= 0:
        text = line.text[at:at + len(" ".join(part.split()))]
    with acting(study, entity="note", action="create") as act:
        return note_store.add_note(act.db, session_id, kind="quote", text=text,
                                   at_ms=line.start_ms)


def quotes(study: Study, session_id: int) -> list[Note]:
    with reading(study) as db:
        return note_store.list_notes(db, session_id, kind="quote")
