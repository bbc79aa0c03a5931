"""A Dutch transcript writes its long pauses as ``(6 sec.)`` wherever it is shown: the txt
export and the review screen both read the one session timeline, in the transcript's
language (an English one says ``(6 s)``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from companion.tui.app import CompanionApp
from companion.tui.screens.review import ReviewScreen
from tests.support.exports import export_paths
from tests.support.interview import make_interview

# The participant's answer ends at 35 s and the interviewer asks again at 41 s.
SIX_SECONDS = ((35_000, 41_000),)


def _txt(study, db, session_id: int, tmp_path: Path) -> list[str]:
    [path] = export_paths(study, session=session_id, fmt="txt",
                          output=tmp_path / "out.txt")
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize(("language", "mark", "other"),
                         [("nl", "(6 sec.)", "(6 s)"), ("en", "(6 s)", "(6 sec.)")])
def test_the_txt_export_marks_a_long_pause_in_the_transcripts_language(
        study, db, tmp_path: Path, language: str, mark: str, other: str) -> None:
    made = make_interview(study, db, language=language, extra_pauses=SIX_SECONDS)
    lines = _txt(study, db, made.session_id, tmp_path)
    assert mark in lines and other not in "\n".join(lines)
    # In clock order: the answer, the pause on its own line, the next phase and question.
    at = lines.index(mark)
    assert "tulip garden" in lines[at - 1]
    assert lines[at + 1].startswith("[00:00:40] --- Phase: ")
    assert lines[at + 2].startswith("[00:00:41] I: Is there something")


async def test_the_review_screen_shows_a_dutch_pause_as_the_export_does(
        study, db, tmp_path: Path) -> None:
    made = make_interview(study, db, language="nl", extra_pauses=SIX_SECONDS)
    txt = _txt(study, db, made.session_id, tmp_path)
    async with CompanionApp(study, check_recovery=False).run_test(size=(160, 50)) as pilot:
        screen = ReviewScreen(made.session_id, player_factory=lambda _s: None)  # type: ignore[arg-type,return-value]
        await pilot.app.push_screen(screen)
        await pilot.pause()
        listing = screen.query_one("#transcript-list", OptionList)
        rows = [str(listing.get_option_at_index(i).prompt).strip()
                for i in range(listing.option_count)]
    pauses = [row for row in rows if row.startswith("(") and row.endswith(")")]
    assert "(6 sec.)" in pauses and "(6 s)" not in pauses
    assert pauses == [line for line in txt if line.startswith("(") and line.endswith(")")]
