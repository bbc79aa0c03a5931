"""The conventions and the signal helpers, without the model."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.audio.decode import FRAME_MS, SAMPLE_RATE, load_audio
from companion.notation import pause_mark, segment_text, timestamp
from companion.transcribe.chunks import CHUNK_S, plan_chunks, split_long
from companion.transcribe.pauses import Silence, TimedWord, find_pauses, give_length
from companion.transcribe.speakers import attribute_words, speaker_labels, split_by_speaker
from tests.support.speech import speech_of


@pytest.mark.parametrize(("ms", "mark"), [
    (0, ""), (999, ""), (1000, "(.)"), (1999, "(.)"), (2000, "(..)"), (2999, "(..)"),
    (3000, "(...)"), (3999, "(...)"), (4000, "(4 s)"), (6200, "(6 s)"), (75_600, "(76 s)"),
])
def test_pause_marks(ms: int, mark: str) -> None:
    assert pause_mark(ms) == mark


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=10**7))
def test_longer_silences_never_get_a_smaller_mark(a: int, b: int) -> None:
    def weight(mark: str) -> float:
        if not mark:
            return 0
        return mark.count(".") if "s)" not in mark else float(mark[1:-3])

    short, long = sorted((a, b))
    assert weight(pause_mark(short)) <= weight(pause_mark(long))


def test_timestamps() -> None:
    assert timestamp(0) == "[00:00:00]"
    assert timestamp(4_267_999) == "[01:11:07]"
    assert timestamp(36_000_000) == "[10:00:00]"


def test_segment_text_marks_inner_pauses() -> None:
    words = [{"word": " No,", "start_ms": 0, "end_ms": 400},
             {"word": " I", "start_ms": 2500, "end_ms": 2600},
             {"word": " did", "start_ms": 2600, "end_ms": 2900}]
    assert segment_text(words, [{"start_ms": 395, "end_ms": 2505}]) == "No, (..) I did"
    assert segment_text(words) == "No, I did"
    assert segment_text([], text=" plain ") == "plain"


def _envelope(spans_ms: list[tuple[int, int]], total_ms: int) -> np.ndarray:
    db = np.full(total_ms // FRAME_MS, -90.0)
    for start, end in spans_ms:
        db[start // FRAME_MS: end // FRAME_MS] = -20.0
    return db


def test_words_are_trimmed_to_their_sound_and_pauses_measured_on_silence() -> None:
    silence = Silence(_envelope([(0, 800), (2000, 2600)], 3000))
    # Whisper stretched the first word 400 ms into the silence and started the next late
    late_end = TimedWord("one", 300, 1200)
    assert silence.trim(late_end) == TimedWord("one", 300, 800)
    second = TimedWord("two", 2150, 2600)
    found = find_pauses([silence.trim(late_end), second], silence)
    assert len(found) == 1
    start, end, index = found[0]
    assert abs(start - 800) <= FRAME_MS and abs(end - 2000) <= FRAME_MS and index == 1
    # without the audio, Whisper's gap is all there is (and here it is under 1 s)
    assert find_pauses([late_end, second], None) == []
    # across a resume: the previous word comes from the database
    assert find_pauses([second], silence, previous=TimedWord("one", 300, 800))[0][2] == 0


def test_a_word_run_on_over_a_silence_into_the_next_sound_ends_before_the_silence() -> None:
    silence = Silence(_envelope([(0, 400), (1200, 1600)], 2000))
    # "it." 0-400 ms; Whisper's span runs over 800 ms of silence into the next speaker
    assert silence.trim(TimedWord("it.", 100, 1250)) == TimedWord("it.", 100, 400)
    # ... or starts in the tail of the word before it
    assert silence.trim(TimedWord("what", 350, 1600)) == TimedWord("what", 1200, 1600)
    # a short silence inside a word (a stop consonant) stays part of it
    short = Silence(_envelope([(0, 300), (450, 700)], 1000))
    assert short.trim(TimedWord("act", 0, 900)) == TimedWord("act", 0, 700)


# Gaps and lengths on Whisper's grid of word times (tens of ms), from any start.
@given(st.lists(st.tuples(st.sampled_from([0, 0, 10, 40, 300]), st.sampled_from([0, 0, 20, 300])),
                min_size=1, max_size=12), st.integers(0, 200))
def test_every_word_gets_a_length_within_its_neighbours(
        steps: list[tuple[int, int]], floor: int) -> None:
    # Words as Whisper gives them: in time order, none overlapping, some of no length
    # (often squeezed against the next word, or several at one instant).
    words, at = [], floor
    for gap, length in steps:
        at += gap
        words.append(TimedWord(f"w{len(words)}", at, at + length))
        at += length
    given_length = give_length(words, floor_ms=floor)
    assert [w.word for w in given_length] == [w.word for w in words]
    assert all(w.start_ms < w.end_ms for w in given_length)
    assert given_length[0].start_ms >= floor
    assert all(a.end_ms <= b.start_ms for a, b in itertools.pairwise(given_length))
    # A word that had a length and no squeezed neighbour keeps its times exactly.
    for i, w in enumerate(words):
        if all(v.end_ms > v.start_ms for v in words[max(0, i - 1):i + 2]):
            assert given_length[i] == w


def test_a_word_of_no_length_takes_the_start_of_the_next() -> None:
    # Seen from tiny.en: "Can" at 1.68-1.68 s against "you" at 1.68-1.92 s.
    can, you = give_length([TimedWord("Can", 1680, 1680), TimedWord(" you", 1680, 1920)])
    assert (can.start_ms, can.end_ms, you.start_ms, you.end_ms) == (1680, 1780, 1780, 1920)
    # Alone at the end of what was heard: it takes a short word's length after its start.
    [alone] = give_length([TimedWord("so", 500, 500)])
    assert (alone.start_ms, alone.end_ms) == (500, 600)


def test_short_gaps_are_no_pauses() -> None:
    silence = Silence(_envelope([(0, 500), (1200, 1500)], 2000))
    assert find_pauses([TimedWord("a", 0, 500), TimedWord("b", 1200, 1500)], silence) == []


def test_words_go_to_the_channel_that_carries_them() -> None:
    power = np.zeros((300, 2))
    power[0:100, 0] = 1.0   # interviewer, left
    power[100:200, 1] = 1.0  # participant, right
    power[200:300] = [0.5, 0.45]  # both: cannot tell
    words = [TimedWord("q", 0, 900), TimedWord("a", 1000, 1900), TimedWord("x", 2000, 2900)]
    labels = speaker_labels("P05")
    assert labels == ("I", "P05")
    assert attribute_words(words, power, labels) == ["I", "P05", "P05"]
    assert attribute_words(words, power, labels, interviewer_channel=1)[:2] == ["P05", "I"]
    assert attribute_words(words, power[:, :1], labels) == [None, None, None]
    runs = split_by_speaker(words, ["I", "P05", "P05"])
    assert [(who, [w.word for w in run]) for who, run in runs] == [("I", ["q"]),
                                                                   ("P05", ["a", "x"])]


def test_a_long_stretch_is_cut_in_its_longest_late_silence() -> None:
    rate = 16_000
    silent = np.zeros(70_000 // FRAME_MS, dtype=bool)
    silent[2_000:2_030] = True  # 20.0-20.3 s
    silent[2_500:2_580] = True  # 25.0-25.8 s: the longest in the second half of 30 s
    silent[500:900] = True  # 5-9 s: longer, but it would leave a short first piece
    pieces = split_long(0, 70 * rate, silent)
    assert pieces[0] == (0, round(25.4 * rate))
    assert all(end - start <= CHUNK_S * rate for start, end in pieces)
    assert pieces[-1][1] == 70 * rate
    assert all(a[1] == b[0] for a, b in itertools.pairwise(pieces))
    # without any silence: a hard cut at the limit
    assert split_long(0, 45 * rate, np.zeros(4_500, dtype=bool)) == [
        (0, 30 * rate), (30 * rate, 45 * rate)]


def test_chunks_hold_at_most_30_s_of_audio_and_cut_no_utterance(interview) -> None:
    audio = load_audio(interview.mono)
    silent = Silence(audio.mix_db).silent
    for vad in (True, False):
        speech = speech_of(audio.mono) if vad else ()
        chunks = plan_chunks(len(audio.mono), silent, speech=speech, mix_db=audio.mix_db)
        assert chunks == plan_chunks(len(audio.mono), silent, speech=speech,
                                     mix_db=audio.mix_db)
        assert all(0 < c.samples <= CHUNK_S * SAMPLE_RATE for c in chunks)
        assert all(a.end <= b.start for a, b in itertools.pairwise(chunks))
        # the 6-s silence is not decoded: joined spans, one chunk for the whole interview
        assert len(chunks) == 1 and len(chunks[0].spans) >= 2
        for u in interview.truth:  # every utterance whole inside one span
            assert sum(start * 1000 // SAMPLE_RATE <= u.start_ms
                       and u.end_ms <= end * 1000 // SAMPLE_RATE
                       for c in chunks for start, end in c.spans) == 1
    # a smaller limit makes more chunks, and still cuts no utterance
    small = plan_chunks(len(audio.mono), silent, limit_s=12.0, mix_db=audio.mix_db)
    assert len(small) >= 3
    for u in interview.truth:
        assert sum(c.start_ms <= u.start_ms and u.end_ms <= c.end_ms for c in small) == 1
        assert any(c.to_file_ms(0.0) == c.start_ms for c in small)
