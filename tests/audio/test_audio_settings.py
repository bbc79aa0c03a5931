"""``[audio]`` in companion.toml decides how both fronts record, unless a flag says otherwise."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from companion.store import recordings
from companion.tui.recording import default_recorder_factory
from tests.support.audio import RATE, feed_fakemic, run_companion

pytestmark = pytest.mark.audio

AUDIO = """[audio]
device = "fakemic"
format = "wav"
channels = 2
samplerate = 48000
silence_seconds = 2
"""


def test_record_without_flags_uses_the_audio_settings(study_dir, study, db, session_id, speech):
    study.config_path.write_text(AUDIO, encoding="utf-8")
    feed_fakemic(np.column_stack([speech, np.zeros_like(speech)]))  # channel 2 stays silent
    done = run_companion(study_dir, "record", str(session_id), "--seconds",
                         str(len(speech) / RATE))
    assert done.returncode == 0, done.stderr
    assert "'fakemic'" in done.stdout and "48000 Hz, 2 ch, wav" in done.stdout
    assert "silence on channel 2 for 2 s" in done.stdout
    [segment] = recordings.list_segments(db, session_id)
    path = segment.abspath(study.root)
    assert path.suffix == ".wav" and segment.format == "wav" and segment.channels == 2
    data, rate = sf.read(str(path), dtype="int16")
    assert rate == 48000 and data.shape == (len(speech), 2)
    assert np.array_equal(data[:, 0], speech)


def test_record_flags_win_over_the_audio_settings(study_dir, study, db, session_id, speech):
    study.config_path.write_text(AUDIO, encoding="utf-8")
    feed_fakemic(speech)
    done = run_companion(study_dir, "record", str(session_id), "--seconds", "1",
                         "--format", "flac", "--channels", "1")
    assert done.returncode == 0, done.stderr
    [segment] = recordings.list_segments(db, session_id)
    assert segment.format == "flac" and segment.channels == 1
    assert segment.abspath(study.root).suffix == ".flac"


def test_the_tui_recorder_takes_the_same_audio_settings(study, session_id):
    study.config_path.write_text(AUDIO, encoding="utf-8")
    recorder = default_recorder_factory(None)(study, session_id)
    assert recorder.device.name == "fakemic"
    assert (recorder.fmt, recorder.channels, recorder.samplerate) == ("wav", 2, 48000)
    assert recorder.silence_seconds == 2.0
