"""A mono interview transcribed with no enrolled voice, in which nothing tells which voice
is the interviewer's (two recorded readers: no protocol prompt read, none marked asked, no
question asked): the transcribe summary, the review header and an export's header say the
speakers are uncertain and how to enrol; and the summary or the review asks once "Is this
you?", playing that voice, and on yes learns it from the session."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import soundfile as sf

from companion.speakers.enrol import voice_path
from companion.store.audit import session_trail
from companion.store.speakers import get_separation
from companion.study import open_study
from companion.tui.app import CompanionApp
from companion.tui.screens.enrol_offer import EnrolOfferScreen
from companion.tui.screens.review import ReviewScreen
from companion.tui.screens.summary import SummaryScreen
from tests.support.conversations import real
from tests.support.speakers import add_session, cli

pytestmark = pytest.mark.model


@dataclass(frozen=True)
class Unsure:
    root: Path
    summary: str  # what `companion transcribe` printed


@pytest.fixture(scope="module")
def unsure(tmp_path_factory: pytest.TempPathFactory) -> Unsure:
    root = tmp_path_factory.mktemp("unsure") / "study"
    assert cli(root, "init").exit_code == 0
    conv = real("cards", "librivox", "slow")
    wav = root / "recordings" / "readers.wav"
    sf.write(wav, conv.audio, 16_000, subtype="PCM_16")
    add_session(root, wav)
    done = cli(root, "transcribe", "1")
    assert done.exit_code == 0, done.output
    return Unsure(root, done.output)


@pytest.fixture
def copy_of(tmp_path: Path, unsure: Unsure) -> Callable[[], Path]:
    def make() -> Path:
        target = tmp_path / "copy"
        shutil.copytree(unsure.root, target)
        db = open_study(target).db()
        db.execute("UPDATE recording_segments SET path = ?",
                   [str(target / "recordings" / "readers.wav")])
        db.conn.commit()
        db.conn.close()
        return target

    return make


def test_uncertain_speakers_are_said_wherever_they_are_shown(unsure: Unsure,
                                                             tmp_path: Path) -> None:
    db = open_study(unsure.root).db()
    stored = get_separation(db, 1)
    db.conn.close()
    assert stored is not None and stored["uncertain"] and not stored["enrolled"]
    assert stored["naming"] is not None and stored["naming"] < 0.25
    # the transcribe summary: the warning, what to do, and how to enrol
    assert "Speakers uncertain (which voice is the interviewer's was unclear)" in unsure.summary
    assert "companion speaker enrol --from-session 1" in unsure.summary
    # an export's header says it too
    out = tmp_path / "readers.md"
    exported = cli(unsure.root, "export", "1", "--format", "md", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    header = out.read_text(encoding="utf-8").splitlines()[:15]
    assert any("Speakers uncertain" in line for line in header), header


class StillPlayer:
    """The review's player, never started (no sound device needed); remembers where it was
    asked to play."""

    position_ms = 0
    playing = False
    duration_ms = 60_000

    def __init__(self) -> None:
        self.asked: list[int | None] = []

    def play(self, at_ms: int | None = None) -> None:
        self.asked.append(at_ms)

    def pause(self) -> None: ...
    def toggle(self) -> None: ...
    def skip(self, delta_ms: int) -> None: ...
    def close(self) -> None: ...


async def _wait(pilot, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause()


async def test_is_this_you_in_review_plays_the_voice_and_enrols_it_once(
        copy_of: Callable[[], Path]) -> None:
    root = copy_of()
    study = open_study(root)
    player = StillPlayer()
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = ReviewScreen(1, player_factory=lambda _s: player)
        await pilot.app.push_screen(screen)
        await _wait(pilot, lambda: isinstance(pilot.app.screen, EnrolOfferScreen))
        offer = pilot.app.screen
        assert isinstance(offer, EnrolOfferScreen)
        assert "Is this you?" in str(offer.query_one(".offer--title").render())
        await pilot.press("p")
        assert player.asked == [offer.offer.start_ms]
        await pilot.press("y")
        await _wait(pilot, lambda: voice_path(study).is_file())
        await pilot.app.workers.wait_for_complete()
        assert pilot.app.screen is screen
    db = study.db()
    answers = [e for e in session_trail(db, 1) if e["action"] == "enrolment-offer"]
    db.conn.close()
    assert len(answers) == 1 and answers[0]["after"]["answer"] == "yes"

    # asked once: a second review (and a summary) opens without the question
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = ReviewScreen(1, player_factory=lambda _s: StillPlayer())
        await pilot.app.push_screen(screen)
        await pilot.pause()
        await pilot.app.push_screen(SummaryScreen(1))
        await pilot.pause()
        assert not isinstance(pilot.app.screen, EnrolOfferScreen)


async def test_the_summary_asks_too_and_no_is_remembered(copy_of: Callable[[], Path]) -> None:
    root = copy_of()
    study = open_study(root)
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.app.push_screen(SummaryScreen(1))
        await _wait(pilot, lambda: isinstance(pilot.app.screen, EnrolOfferScreen))
        await pilot.press("escape")  # not now: nothing stored
        await pilot.app.workers.wait_for_complete()
        assert isinstance(pilot.app.screen, SummaryScreen)
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.app.push_screen(SummaryScreen(1))  # so it is asked again
        await _wait(pilot, lambda: isinstance(pilot.app.screen, EnrolOfferScreen))
        await pilot.press("n")
        await pilot.app.workers.wait_for_complete()
        assert isinstance(pilot.app.screen, SummaryScreen)
    assert not voice_path(study).is_file()
    app = CompanionApp(study, check_recovery=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.app.push_screen(ReviewScreen(1, player_factory=lambda _s: StillPlayer()))
        await pilot.pause()
        assert not isinstance(pilot.app.screen, EnrolOfferScreen)
        head = str(pilot.app.screen.query_one("#review-head").render())
        assert "Speakers uncertain" in head
