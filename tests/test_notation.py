"""One notation for times, lengths of time and pauses."""

from __future__ import annotations

import pytest

from companion.errors import InputError
from companion.notation import (
    format_duration,
    format_eta,
    format_hms,
    parse_hms,
    pause_mark,
    timestamp,
)


def test_session_times_round_trip() -> None:
    assert format_hms(2_467_900) == "00:41:07" and timestamp(2_467_900) == "[00:41:07]"
    assert parse_hms("41:07") == parse_hms("00:41:07") == 2_467_000
    assert parse_hms("00:00:01.5") == 1500
    assert format_hms(-5) == "00:00:00"
    with pytest.raises(InputError) as caught:
        parse_hms("41 min")
    assert "HH:MM:SS" in str(caught.value)


def test_one_way_to_say_how_long() -> None:
    assert [format_duration(s) for s in (0.2, 40, 89.4, 90, 725, 5340, 5400, 45_000)] == [
        "1 s", "40 s", "89 s", "2 min", "12 min", "89 min", "1 h 30 min", "12 h 30 min"]
    assert format_eta(725) == "about 12 min left"
    assert format_eta(None) == ""


def test_pause_marks_and_their_language_hook() -> None:
    assert [pause_mark(ms) for ms in (900, 1000, 2500, 3999, 6400)] == [
        "", "(.)", "(..)", "(...)", "(6 s)"]
    # A Dutch transcript writes its own unit; a language without one writes the English one.
    assert pause_mark(6400, "nl") == pause_mark(6400, "nl-BE") == "(6 sec.)"
    assert pause_mark(2500, "nl") == "(..)"
    assert pause_mark(6400, "de") == pause_mark(6400, "en") == "(6 s)"
