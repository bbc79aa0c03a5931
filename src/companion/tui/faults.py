"""Audio faults in words an interviewer can act on (no field names, no 'got None')."""

from __future__ import annotations

from companion.errors import CompanionError, InputError


def recording_problem(exc: BaseException) -> str:
    """What went wrong starting a recording, and what to check."""
    if isinstance(exc, InputError) and exc.field == "device":
        if exc.value in (None, ""):
            return ("No microphone was found, so nothing is being recorded. Check that it "
                    "is plugged in and switched on and that the computer lists it "
                    "('companion devices'), then press F9 to try again.")
        return (f"The microphone {exc.value!r} is not connected, so nothing is being "
                "recorded. Plug it in, or choose another in the study settings, then "
                "press F9 to try again.")
    if isinstance(exc, InputError) and exc.field == "consent":
        return ("Recording needs the participant's written consent: record it in the "
                "set-up first.")
    if isinstance(exc, InputError) and exc.field == "session":
        return ("Another companion is recording this session right now, so this one "
                "does not. Close the other one, then press F9 to try again.")
    if isinstance(exc, CompanionError) and "could not open the microphone" in str(exc):
        return ("The microphone could not be opened, so nothing is being recorded. "
                "Check that no other program is using it, then press F9 to try again. "
                f"({exc})")
    return f"Recording did not start, so nothing is being recorded: {exc}"


def playback_problem(exc: BaseException) -> str:
    """Why review cannot play the audio; the rest of the review still works."""
    return ("Playback is unavailable: no audio output device could be opened (speakers or "
            "headphones). Reading, searching and correcting the transcript still work. "
            f"({exc})")
