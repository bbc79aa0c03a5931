"""What the live transcript leaves behind: the full transcription replaces its lines and
moves pinned quotes onto the final words; the protocol words quote and mention cards."""

from __future__ import annotations

from pathlib import Path

from companion.live.cards import PinnedQuote, ScoreCard, arrange
from companion.live.mentions import find_mentions
from companion.operations.transcription import after_transcript
from companion.protocol.live import LiveProtocol
from companion.protocol.loader import check_protocol, load_protocol
from companion.store import live as live_store
from companion.store import notes, transcripts
from companion.store.transcripts import NewSegment, Word
from companion.study.folder import Study
from tests.support.people import consented_session

ROOT = Path(__file__).resolve().parents[2]


def test_full_transcription_replaces_live_lines_and_reanchors_quotes(study: Study,
                                                                      db) -> None:
    session = consented_session(db, "P05")
    # Live: tiny.en misheard a word and placed the line a little early.
    live_store.add_live_segment(db, session.id, start_ms=4_800, end_ms=7_500,
                                text="My back has 34 more than 10 years.", speaker="P05",
                                shown_at_ms=8_600)
    quote = notes.add_note(db, session.id, kind="quote", at_ms=4_800,
                           text="My back has 34 more than 10 years.")
    said = ["My", "back", "has", "hurt", "for", "more", "than", "ten", "years."]
    # The same words said twice: the quote goes to the occurrence nearest its time.
    early = [Word(w, 1_000 + 200 * i, 1_150 + 200 * i) for i, w in enumerate(said)]
    late = [Word(w, 5_300 + 250 * i, 5_500 + 250 * i) for i, w in enumerate(said)]
    transcripts.begin_transcript(db, session.id, model="tiny.en", language="en",
                                 total_ms=9_000)
    transcripts.commit_segments(db, session.id, [
        NewSegment(None, 1_000, 2_950, " ".join(said), "P05", -0.2, tuple(early)),
        NewSegment(None, 5_300, 7_550, " ".join(said), "P05", -0.2, tuple(late)),
    ], [], done_ms=9_000)
    assert live_store.list_live_segments(db, session.id)  # still there until done
    transcripts.finish_transcript(db, session.id, "done", done_ms=9_000)
    after_transcript(study, session.id, speakers="none")  # what a finished run is followed by

    assert live_store.list_live_segments(db, session.id) == []
    moved = notes.get_note(db, quote.id)
    assert moved.at_ms == 5_300
    assert moved.text == "My back has hurt for more than ten years."
    assert notes.note_versions(db, quote.id)[0]["text"] == quote.text  # history kept


def test_protocol_words_the_quote_card_and_adds_mention_rules(tmp_path: Path) -> None:
    source = (ROOT / "protocols" / "semi-structured.toml").read_text(encoding="utf-8")
    path = tmp_path / "team.toml"
    path.write_text(source.replace('id = "semi-structured"', 'id = "team"', 1) + '''
[live]
quote_prompt = "Earlier ({time}) you said '{quote}'. Say more?"
quote_phases = ["core"]

[live.synonyms]
psychologist = ["therapist"]

[[rules]]
id = "mention-surgery"
signal = "mention"
words = ["surgery", "operation"]
priority = 1
prompt = "You mentioned {heard}. What did it change for you?"
reason = "an operation changes what people hope for"

[[rules]]
id = "mention-least"
signal = "mention"
words = ["sent me"]
target = "least"
priority = 2
prompt = "Who decided that, you or your {role}?"
reason = "who steers the treatment"
''', encoding="utf-8")
    protocol = load_protocol(path)
    live = protocol.live
    cards = [ScoreCard("weakest-bond", "Tell me about a session with your psychologist.",
                       ("why: Bond 120",), {"role": "psychologist", "target": "least"}),
             ScoreCard("ceiling", "Anything left unsaid?", ("why: high",),
                       {"role": "physiotherapist", "target": "most"})]
    heard = find_mentions("My therapist sent me for an operation.", 61_000,
                          [(c.card_id, c.evidence) for c in cards], live)
    assert [(m.card_id, m.reason) for m in heard] == [
        ("weakest-bond", "heard 'therapist' at 00:01:01"),
        ("mention-surgery",
         "heard 'operation' at 00:01:01 — an operation changes what people hope for"),
        ("mention-least", "heard 'sent me' at 00:01:01 — who steers the treatment")]
    shown = arrange(cards, heard, [PinnedQuote(3, 12_000, "it was hard")], phase_id="core",
                    live=live, used={"ceiling"})
    assert [(c.kind, c.text) for c in shown] == [
        ("mention", "Tell me about a session with your psychologist."),
        ("mention", "You mentioned operation. What did it change for you?"),
        ("mention", "Who decided that, you or your psychologist?"),  # the least rating's
        ("quote", "Earlier (00:00:12) you said 'it was hard'. Say more?"),
    ]  # the used card dropped away
    assert shown[1].details == (
        "heard 'operation' at 00:01:01 — an operation changes what people hope for",)
    # Before the ratings are in, a rule about the least positive professional waits.
    assert [m.card_id for m in find_mentions("He sent me home.", 5_000, [], live)] == []
    # Outside the quote phases no quote card; the interviewer's words raise nothing there.
    assert [c.kind for c in arrange(cards, [], [PinnedQuote(3, 12_000, "x")],
                                    phase_id="warm-up", live=live, used=set())] == [
        "score", "score"]


def test_a_participant_saying_listened_raises_the_being_heard_card() -> None:
    """The shipped protocols' own mention rule, in English and in Dutch."""
    for name, said, word in (("pain-alliance", "She never really listened to me.", "listened"),
                             ("pain-alliance-nl", "Er werd nooit echt geluisterd.",
                              "geluisterd")):
        protocol = load_protocol(ROOT / "protocols" / f"{name}.toml")
        score = ScoreCard("weakest-goal", "Whose goals were they?", ("why: Goal 150",),
                          {"role": "psychologist", "target": "least"})
        [mention] = find_mentions(said, 754_000, [(score.card_id, score.evidence)],
                                  protocol.live)
        top, rest = arrange([score], [mention], [], phase_id="opening", live=protocol.live,
                            used=set())
        assert (top.card_id, top.kind, top.raised_at_ms) == ("mention-being-heard",
                                                             "mention", 754_000)
        assert f"({word})" in top.text
        assert top.details[0].startswith(f"heard '{word}' at 00:12:34 — ")
        assert rest.card_id == "weakest-goal"
        # Once asked, the card drops away.
        assert [c.card_id for c in arrange([score], [mention], [], phase_id="opening",
                                           live=protocol.live,
                                           used={"mention-being-heard"})] == ["weakest-goal"]


def test_a_bad_live_table_names_the_key_and_what_is_allowed(tmp_path: Path) -> None:
    source = (ROOT / "protocols" / "semi-structured.toml").read_text(encoding="utf-8")
    path = tmp_path / "bad.toml"
    path.write_text(source + '''
[live]
quote_prompt = "At {when} you said {quote}"
quote_phases = ["nowhere"]
''', encoding="utf-8")
    problems = {p.where: p for p in check_protocol(path)}
    assert "{when}" in str(problems["live.quote_prompt"])
    assert "nowhere" in str(problems["live.quote_phases[0]"])
    assert LiveProtocol().quote_phases == ("deepening", "critical-reflection")
