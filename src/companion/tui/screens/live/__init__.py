"""The live interview screen and its panels.

:class:`~companion.tui.screens.live.screen.LiveScreen` composes panels that each own
their state and say what happened with their own messages: the recorder
(:mod:`.recorder`), the prompts of the phase (:mod:`.prompts`), the cards from the scores
and the participant's words (:mod:`.cards`), the live transcript (:mod:`.transcript`) and
the notes (:mod:`.notes`). Everything they stamp takes its time from one
:class:`~companion.tui.screens.live.clock.SessionClock`.
"""

from companion.tui.screens.live.screen import LiveScreen

__all__ = ["LiveScreen"]
