"""Turns and sentences, the hallucination guard and the verbatim helpers, without the model."""

from __future__ import annotations

import numpy as np
import pytest

from companion.audio.decode import FRAME_MS, SAMPLE_RATE
from companion.transcribe.chunks import CHUNK_S, plan_chunks, voiced_frames
from companion.transcribe.guard import guard_words, is_sound_tag, loop_copies
from companion.transcribe.pauses import TimedWord
from companion.transcribe.segmenting import MAX_SEGMENT_MS, split_words
from companion.transcribe.verbatim import (
    UNINTELLIGIBLE,
    VERBATIM_PROMPT,
    VERBATIM_PROMPTS,
    Style,
    initial_prompt,
    mark_unintelligible,
)
from tests.support.protocols import minimal_protocol
from tests.support.speech import speech_of


def words(spec: str, *, start: int = 0, length: int = 300, gap: int = 100) -> list[TimedWord]:
    out, at = [], start
    for token in spec.split():
        out.append(TimedWord(" " + token, at, at + length, 0.9))
        at += length + gap
    return out


def texts(groups: list[list[TimedWord]]) -> list[str]:
    return ["".join(w.word for w in g).strip() for g in groups]


def test_segments_split_at_pauses_and_sentence_ends_but_not_at_titles() -> None:
    first = words("so I told Mr. Jansen, and then")
    later = words("he said no. Fine.", start=first[-1].end_ms + 900)
    assert texts(split_words(first + later)) == [
        "so I told Mr. Jansen, and then", "he said no.", "Fine."]
    # a protocol that wants longer pauses before a new segment
    assert texts(split_words(first + later, pause_ms=1500)) == [
        "so I told Mr. Jansen, and then he said no.", "Fine."]


def test_no_segment_is_longer_than_15_s_whatever_the_words() -> None:
    # 60 s of words without a pause or a full stop, a comma now and then
    run = words(" ".join("word," if i % 17 == 0 else "word" for i in range(160)))
    groups = split_words(run)
    assert run[-1].end_ms - run[0].start_ms > 4 * MAX_SEGMENT_MS
    assert all(g[-1].end_ms - g[0].start_ms <= MAX_SEGMENT_MS for g in groups)
    assert [w for g in groups for w in g] == run  # nothing lost, nothing reordered


def test_the_guard_drops_words_in_silence_and_loops_and_says_why() -> None:
    voiced = np.zeros(3000, dtype=bool)  # 30 s, voiced only from 1 to 5 s
    voiced[100:500] = True
    spoken = words("I was in pain", start=1200)
    invented = words("Thank you.", start=20_000)
    kept, dropped = guard_words(spoken + invented, voiced)
    assert kept == spoken
    assert [(d.word.strip(), d.reason) for d in dropped] == [("Thank", "silence"),
                                                             ("you.", "silence")]
    loop = words("I I went to the doctor the doctor the doctor the doctor the doctor")
    assert [loop[i].word.strip() for i in sorted(loop_copies(loop))] == ["the", "doctor"] * 3
    assert not loop_copies(words("I I I went, went home"))  # verbatim repeats are speech


def test_the_guard_drops_subtitle_sound_tags_but_not_the_spoken_word() -> None:
    voiced = np.ones(1000, dtype=bool)
    heard = words("MUZIEK MUZIEK Hoe gaat het [Music] ♪ (applaus) ik luister naar muziek.")
    kept, dropped = guard_words(heard, voiced)
    assert " ".join(w.word.strip() for w in kept) == "Hoe gaat het ik luister naar muziek."
    assert [(d.word.strip(), d.reason) for d in dropped] == [
        ("MUZIEK", "tag"), ("MUZIEK", "tag"), ("[Music]", "tag"), ("♪", "tag"),
        ("(applaus)", "tag")]
    assert not is_sound_tag(" NHS") and not is_sound_tag(" Music") and is_sound_tag(" MUSIC")


def test_unintelligible_stretches_are_marked_not_guessed() -> None:
    run = words("it was the ward sister")
    unsure = [TimedWord(w.word, w.start_ms, w.end_ms, 0.01) if 1 <= i <= 3 else w
              for i, w in enumerate(run)]
    marked = mark_unintelligible(unsure)
    assert [w.word.strip() for w in marked] == ["it", UNINTELLIGIBLE, "sister"]
    assert (marked[1].start_ms, marked[1].end_ms) == (run[1].start_ms, run[3].end_ms)
    # one unsure word (a rare name) stays as Whisper wrote it
    assert mark_unintelligible(unsure[:2] + run[2:]) == unsure[:2] + run[2:]


def test_the_prompt_carries_the_vocabulary_and_the_verbatim_style() -> None:
    style = Style(verbatim=True, vocabulary=("WAI-ReD", "physiotherapist"))
    prompt = initial_prompt(style, "en")
    assert prompt is not None and VERBATIM_PROMPT in prompt and "WAI-ReD" in prompt
    assert initial_prompt(Style(), "en") is None


def test_the_verbatim_sample_is_in_the_language_decoded() -> None:
    style = Style(verbatim=True, vocabulary=("werkrelatie",))
    dutch = initial_prompt(style, "nl")
    assert dutch is not None and VERBATIM_PROMPTS["nl"] in dutch and "werkrelatie" in dutch
    assert VERBATIM_PROMPT not in dutch and " eh" in dutch.lower()
    # no sample of its own (or not known yet): no English sample either, only the words
    assert initial_prompt(style, "de") == "werkrelatie."
    assert initial_prompt(style, None) == "werkrelatie."
    assert initial_prompt(Style(verbatim=True), "de") is None


@pytest.mark.parametrize("vad", [False, True])
def test_every_voiced_frame_is_decoded_and_true_silence_is_not(vad: bool) -> None:
    rng = np.random.default_rng(4)
    mono = rng.normal(0, 10 ** (-66 / 20), 90 * SAMPLE_RATE).astype(np.float32)  # room noise
    tone = np.sin(np.arange(SAMPLE_RATE * 2) * 2 * np.pi * 220 / SAMPLE_RATE)
    for at, level_db in ((5, -10), (12, -45), (70, -20)):  # a loud, a faint, a loud sound
        mono[at * SAMPLE_RATE: (at + 2) * SAMPLE_RATE] += (10 ** (level_db / 20)) * tone
    frames = len(mono) // (SAMPLE_RATE * FRAME_MS // 1000)
    mix = mono[: frames * 160].reshape(frames, 160)
    mix_db = 10 * np.log10(np.maximum(np.mean(mix * mix, axis=1), 1e-9))
    speech = speech_of(mono) if vad else ()
    chunks = plan_chunks(len(mono), ~voiced_frames(mix_db), speech=speech, mix_db=mix_db)
    covered = np.zeros(len(mono), dtype=bool)
    for chunk in chunks:
        assert chunk.samples <= CHUNK_S * SAMPLE_RATE
        for start, end in chunk.spans:
            covered[start:end] = True
    for at in (5, 12, 70):  # the faint sound too
        assert covered[at * SAMPLE_RATE: (at + 2) * SAMPLE_RATE].all()
    assert not covered[30 * SAMPLE_RATE: 60 * SAMPLE_RATE].any()  # 30 s of room noise


def test_word_times_in_a_joined_chunk_map_back_to_the_file() -> None:
    from companion.transcribe.chunks import Chunk

    chunk = Chunk(((0, SAMPLE_RATE), (10 * SAMPLE_RATE, 12 * SAMPLE_RATE)))
    assert chunk.samples == 3 * SAMPLE_RATE
    assert [chunk.to_file_ms(t) for t in (0.0, 0.5, 1.5, 2.9, 9.0)] == [
        0, 500, 10_500, 11_900, 12_000]


def test_dropped_words_are_stored_once_and_forgotten_on_restart(tmp_path) -> None:
    from companion.store.db import schema_version
    from companion.store.dropped import Dropped, forget_dropped, list_dropped, store_dropped
    from companion.store.schema import SCHEMA_VERSION
    from companion.store.transcripts import delete_transcript
    from companion.study import init_study

    study, _ = init_study(tmp_path / "study")
    db = study.db()
    # A forward migration makes the table with the rest of the schema.
    assert "transcript_dropped" in db.table_names()
    assert schema_version(db) == SCHEMA_VERSION
    assert list_dropped(db, 1) == []
    gone = [Dropped(" Thank", 20_000, 20_300, 0.4, "silence"),
            Dropped(" doctor", 9_000, 9_300, 0.8, "loop")]
    store_dropped(db, 1, gone)
    store_dropped(db, 1, gone)  # the same chunk again (a resumed run): no duplicates
    assert [(d.word, d.start_ms, d.reason) for d in list_dropped(db, 1)] == [
        ("doctor", 9_000, "loop"), ("Thank", 20_000, "silence")]
    forget_dropped(db, 1)
    assert list_dropped(db, 1) == []
    store_dropped(db, 1, gone)
    delete_transcript(db, 1)  # a restart throws the transcript away, its dropped words too
    assert list_dropped(db, 1) == []
    db.conn.close()




def test_the_protocol_sets_verbatim_and_the_turn_pause(tmp_path) -> None:
    from companion.protocol import ProtocolError, load_protocol, packaged_protocols_dir

    pain = load_protocol(packaged_protocols_dir() / "pain-alliance.toml")
    assert pain.verbatim and pain.turn_pause_seconds == 0.8
    path = tmp_path / "mini.toml"
    path.write_text(minimal_protocol())
    assert not load_protocol(path).verbatim
    path.write_text(minimal_protocol('verbatim = "yes"\nturn_pause_seconds = 0'))
    with pytest.raises(ProtocolError) as err:
        load_protocol(path)
    assert sorted(p.key for p in err.value.problems) == ["turn_pause_seconds", "verbatim"]
    assert "true or false" in str(err.value) and "0.2 to 10" in str(err.value)


def test_the_study_setting_overrides_the_protocols_verbatim(tmp_path) -> None:
    import soundfile as sf

    from companion.errors import InputError
    from companion.study import init_study
    from companion.transcribe.plan import plan_session
    from tests.support.people import consented_session
    from tests.support.speech import add_recording

    study, _ = init_study(tmp_path / "study")
    db = study.db()
    wav = tmp_path / "a.wav"
    sf.write(wav, np.zeros(SAMPLE_RATE, dtype=np.float32), SAMPLE_RATE)

    sid = consented_session(db, "P01", protocol_id="pain-alliance").id
    add_recording(db, sid, wav)
    assert plan_session(db, study, sid).style.verbatim  # the protocol's
    assert plan_session(db, study, sid).style.pause_ms == 800
    study.config_path.write_text("[transcribe]\nverbatim = false\n")
    assert not plan_session(db, study, sid).style.verbatim
    study.config_path.write_text('[transcribe]\nverbatim = "no"\n')
    with pytest.raises(InputError, match=r"transcribe\.verbatim"):
        plan_session(db, study, sid)
    db.conn.close()


def test_a_stretched_or_tag_word_does_not_count_as_a_decoded_turn() -> None:
    from companion.transcribe.coverage import covered_share
    from companion.transcribe.engine import RawWord

    voiced = np.ones(900, dtype=bool)  # a 9-s turn, voiced throughout
    stretched = [RawWord(" MUZIEK", 0.0, 3.0, 0.2), RawWord(" en", 3.0, 6.0, 0.3),
                 RawWord(" rug.", 6.0, 9.0, 0.3)]
    assert covered_share(stretched, voiced, 0.0) < 0.4
    spoken = [RawWord(f" w{i}", i * 0.5, i * 0.5 + 0.4, 0.9) for i in range(18)]
    assert covered_share(spoken, voiced, 0.0) > 0.95
    tags = [RawWord(" MUZIEK", i * 0.5, i * 0.5 + 0.4, 0.9) for i in range(18)]
    assert covered_share(tags, voiced, 0.0) == 0.0


def test_a_skipped_greeting_leaves_a_turn_undecoded_however_much_is_covered() -> None:
    from companion.transcribe.coverage import covered_share, decoded, longest_unheard_s
    from companion.transcribe.engine import RawWord

    voiced = np.zeros(400, dtype=bool)
    voiced[30:350] = True  # voice from 0.3 to 3.5 s
    question = [RawWord(f" w{i}", 1.5 + i * 0.4, 1.85 + i * 0.4, 0.9) for i in range(5)]
    assert covered_share(question, voiced, 0.0) >= 0.6  # enough by share alone...
    assert longest_unheard_s(question, voiced, 0.0) > 1.0  # ...but the greeting is unheard
    assert not decoded(question, voiced, 0.0)
    greeting = [RawWord(" Goedemorgen.", 0.3, 1.2, 0.9)]
    assert decoded(greeting + question, voiced, 0.0)
