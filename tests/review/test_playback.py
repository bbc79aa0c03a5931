"""Playback from a note: the first block played comes from within 50 ms of the note's time.

The recording encodes its own timeline (see tests.support.interview), so the samples handed to the
device say where in the recording they came from. The output is an ALSA device whose
slave is the ``null`` PCM (PortAudio hides the pcm named ``null`` itself), so nothing is
heard and the test runs anywhere.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from companion.audio.play import Player, Timeline
from companion.errors import CompanionError
from companion.store import recordings
from companion.store.notes import get_note
from tests.support.interview import make_interview, position_of


def _null_output() -> str:
    import sounddevice as sd

    names = [d["name"] for d in sd.query_devices() if d["max_output_channels"] > 0]
    for wanted in ("null", "fakemic"):  # fakemic: the tests' ALSA file plugin onto "null"
        if wanted in names:
            return wanted
    raise AssertionError(f"no ALSA null output device among {names}")


class Tap:
    def __init__(self) -> None:
        self.blocks: list[tuple[int, np.ndarray]] = []
        self.first = threading.Event()

    def __call__(self, start: int, block: np.ndarray) -> None:
        self.blocks.append((start, block.copy()))
        self.first.set()


@pytest.fixture
def made(study, db):
    return make_interview(study, db)


def test_playback_from_a_note_starts_within_50_ms_of_its_time(study, db, made):
    note = get_note(db, made.note_ids["field"])
    tap = Tap()
    player = Player.for_session(study.root, recordings.list_segments(db, made.session_id),
                                device=_null_output(), tap=tap)
    try:
        player.play(note.at_ms)
        assert tap.first.wait(5), "the device never asked for audio"
        player.pause()
    finally:
        player.close()
    start, block = tap.blocks[0]
    assert abs(position_of(block) - note.at_ms) <= 50
    assert abs(start * 1000 // 16000 - note.at_ms) <= 50


def test_seek_skip_pause_and_gaps(study, db, made, tmp_path):
    timeline = Timeline(study.root, recordings.list_segments(db, made.session_id))
    player = Player(timeline)
    player.seek(30_000)
    player.skip(5_000)
    assert player.position_ms == 35_000
    player.skip(-50_000)
    assert player.position_ms == 0
    player.skip(10**9)
    assert player.position_ms == timeline.duration_ms == 60_000
    # Reading across the end pads with silence; a read inside matches the encoding.
    block = timeline.read(timeline.frames - 10, 20)
    assert block.shape == (20, 1) and not block[10:].any()
    assert position_of(timeline.read(16_000 * 12, 4)) == 12_000
    timeline.close()


def test_no_recording_is_a_clear_error(study, db):
    made = make_interview(study, db, "P09", audio=False)
    with pytest.raises(CompanionError, match="no recording"):
        Timeline(study.root, recordings.list_segments(db, made.session_id))
