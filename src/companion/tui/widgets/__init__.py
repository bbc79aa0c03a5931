"""Reusable widgets of the interview screens; each carries its own DEFAULT_CSS."""

from companion.tui.widgets.level_meter import LevelMeter
from companion.tui.widgets.note_input import NoteInput
from companion.tui.widgets.phase_stepper import PhaseStepper
from companion.tui.widgets.profile_chart import ProfileChart
from companion.tui.widgets.prompt_list import CursorList, PromptList, SuggestionList
from companion.tui.widgets.recording_header import RecordingHeader

__all__ = [
    "CursorList",
    "LevelMeter",
    "NoteInput",
    "PhaseStepper",
    "ProfileChart",
    "PromptList",
    "RecordingHeader",
    "SuggestionList",
]
