""""Is this you?": after the first separated mono session of a study, the summary or the
review offers to learn the interviewer's voice from it, with that voice's longest turn
ready to play."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from companion.errors import CompanionError
from companion.notation import format_hms
from companion.operations import speakers as speaker_ops
from companion.operations.speakers import EnrolOffer
from companion.study.folder import Study


class EnrolOfferScreen(ModalScreen[bool | None]):
    """Yes enrols the voice named I (the caller does it); no declines for good; Escape
    puts the question off (asked again next time: an interviewer in a hurry means "not
    now", not "never")."""

    DEFAULT_CSS = """
    EnrolOfferScreen { align: center middle; }
    EnrolOfferScreen > Vertical {
        width: 72; max-width: 95%; height: auto;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    EnrolOfferScreen .offer--title { text-style: bold; margin-bottom: 1; }
    EnrolOfferScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    EnrolOfferScreen Button { margin-left: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "play", "Play it", id="enrol-offer.play",
                tooltip="Play the turn of the voice named I"),
        Binding("y", "answer(True)", "Yes, it is me", id="enrol-offer.yes",
                tooltip="Learn this voice as the interviewer's (kept in the study folder)"),
        Binding("n", "answer(False)", "No", id="enrol-offer.no",
                tooltip="Do not learn it; the question is not asked again"),
        Binding("escape", "later", "Later", id="enrol-offer.later",
                tooltip="Not now: asked again the next time a session is opened"),
    ]

    def __init__(self, offer: EnrolOffer, play: Callable[[int], None]) -> None:
        super().__init__()
        self.offer = offer
        self.play = play

    def compose(self) -> ComposeResult:
        quote = self.offer.text if len(self.offer.text) <= 160 else self.offer.text[:157] + "…"
        with Vertical():
            yield Static("Is this you?", classes="offer--title")
            yield Static(
                f"Without an enrolled voice, the voices of this session were told apart "
                f"and one was named I. At {format_hms(self.offer.start_ms)} that voice "
                f"says: \u201c{quote}\u201d\n\nPress p to hear it. If it is your voice, "
                f"yes learns it (a model kept only in this study's folder), so later mono "
                f"sessions name you I more surely. Asked once per study (Escape: later).",
                id="offer-body")
            with Horizontal():
                yield Button("Play [p]", id="offer-play")
                yield Button("No [n]", id="offer-no")
                yield Button("Yes, it is me [y]", id="offer-yes", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#offer-play", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "offer-play":
            self.action_play()
        else:
            self.dismiss(event.button.id == "offer-yes")

    def action_play(self) -> None:
        self.play(self.offer.start_ms)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def action_later(self) -> None:
        self.dismiss(None)


def offer_enrolment(screen: Screen[Any], study: Study, session_id: int,
                    play: Callable[[int], None]) -> bool:
    """Ask "Is this you?" over ``screen`` when the study has not answered it yet (see
    :func:`companion.operations.speakers.enrolment_offer`); the answer is carried out in a
    thread worker of ``screen`` (enrolment reads the session's audio). True when asked."""
    offer = speaker_ops.enrolment_offer(study, session_id)
    if offer is None:
        return False

    def answer(yes: bool) -> None:
        try:
            result = speaker_ops.answer_enrolment_offer(study, offer.session_id, yes=yes)
        except CompanionError as exc:
            screen.app.call_from_thread(screen.notify, str(exc), severity="error")
            return
        message = (f"Learnt your voice from {result['seconds']} s of this session."
                   if result["enrolled"] else "Not learnt; this question is not asked again.")
        screen.app.call_from_thread(screen.notify, message)

    def answered(yes: bool | None) -> None:
        if yes is None:  # put off: nothing stored, asked again
            screen.notify("Asked again the next time a transcribed session is opened.")
            return
        screen.run_worker(partial(answer, yes), thread=True, group="enrol-offer",
                          name="enrol-offer")

    screen.app.push_screen(EnrolOfferScreen(offer, play), answered)
    return True
