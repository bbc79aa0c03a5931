"""A session recorded in real time with every kind of interruption, then transcribed.

Through the PulseAudio microphone of ``tests/conftest.py`` (real time, PortAudio), spoken by
espeak-ng into its sink: a question, **F6 pause** (the room goes on for a moment), resume,
an answer, **stop**, a moment later **continue** (a second recorder on the same session,
as F5 on the summary does), a question, the **microphone pulled** (the sink unloaded) and
plugged back, an answer, stop. Four recording files, three interruptions, about twelve
seconds of real time; then the real ``tiny.en`` transcribes it.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.audio.recorder import Recorder
from companion.session.timeline import Interruption, load_timeline
from companion.store import recordings, transcripts
from companion.study.folder import Study, init_study
from tests.support.audio import wait_for
from tests.support.people import consented_session

# What is said in each recorded stretch (one mono microphone: no speakers known).
PHRASES = ("Tell me how the pain began.", "It began in my lower back.",
           "Did the team listen to you?", "Not really, they were always busy.")
PAUSED_S = 1.5  # how long the room waits while the recording is paused (F6)
STOPPED_S = 1.0  # between the stop and the continue
UNPLUGGED_S = 0.5  # the cable stays out this long after the recorder noticed


@dataclass(frozen=True)
class Recorded:
    study: Study
    session_id: int
    files: list[recordings.Segment]
    interruptions: list[Interruption]
    segments: list[transcripts.Segment]


def phrase_wavs(folder: Path) -> list[Path]:
    out = []
    for index, text in enumerate(PHRASES):
        path = folder / f"phrase-{index}.wav"
        subprocess.run(["espeak-ng", "-s", "160", "-w", str(path), text], check=True,
                       capture_output=True)
        out.append(path)
    return out


def _say(mic: Any, wav: Path) -> None:
    """Play one phrase into the microphone and wait until it has been said."""
    mic.play(wav).wait(30)
    time.sleep(0.4)  # the tail of the phrase reaches the recorder


def _recorder(study: Study, session_id: int, mic: Any) -> Recorder:
    # As the live screen records (a stop leaves the session continuable), but noticing a
    # pulled cable after 1 s of no audio instead of 3, to keep the test short.
    rec = Recorder(study, session_id, device=mic.device, stopped_status="stopped",
                   stall_seconds=1.0, retry_interval=0.3)
    rec.start()
    wait_for(lambda: rec.status().state == "recording", 15, "the first audio")
    return rec


def record_interrupted(root: Path, mic: Any, engine: Any) -> Recorded:
    """Record, interrupt and transcribe the session (see the module's doc)."""
    from companion.transcribe import transcribe_session

    study, _ = init_study(root)
    db = study.db()
    try:
        session_id = consented_session(db, "P05").id
    finally:
        db.conn.close()
    wavs = phrase_wavs(root.parent)
    mic.replug()
    try:
        first = _recorder(study, session_id, mic)
        try:
            _say(mic, wavs[0])
            first.pause()
            time.sleep(PAUSED_S)
            first.resume()
            wait_for(lambda: len(first.segments) == 2, 15, "a new file after the pause")
            _say(mic, wavs[1])
        finally:
            first.stop()
        time.sleep(STOPPED_S)
        second = _recorder(study, session_id, mic)
        try:
            _say(mic, wavs[2])
            mic.unplug()
            wait_for(lambda: second.status().device_lost, 15, "the lost microphone noticed")
            time.sleep(UNPLUGGED_S)
            mic.replug()
            wait_for(lambda: len(second.segments) == 2 and second.status().state
                     == "recording", 20, "recording again in a new file")
            _say(mic, wavs[3])
        finally:
            second.stop()
    finally:
        mic.replug()
        mic.stop_players()
    result = transcribe_session(study, session_id, engine=engine)
    assert result.status == "done", result
    db = study.db()
    try:
        files = recordings.list_segments(db, session_id)
        timeline = load_timeline(study, db, session_id)
        return Recorded(study, session_id, files, timeline.interruptions(),
                        transcripts.list_segments(db, session_id))
    finally:
        db.conn.close()
