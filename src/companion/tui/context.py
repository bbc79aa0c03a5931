"""What a screen may ask of the app it runs in, without importing the app.

The app (:class:`companion.tui.app.CompanionApp`) opens the screens, so a screen that
imported the app back, even for a type, would close an import circle. Screens read the
app through :class:`Companion` instead: the study, its settings and the ways from one
screen to another. :class:`CompanionScreen` gives every screen of the app its
``companion``, :func:`companion_of` any widget; the app is checked against the protocol
in the tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol, cast, runtime_checkable

from textual.screen import Screen

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.dom import DOMNode

    from companion.operations.recording import RecorderControls
    from companion.settings import Settings
    from companion.study.folder import Study
    from companion.transcribe.engine import Engine


@runtime_checkable
class Companion(Protocol):
    """The app as its screens see it."""

    study: Study
    settings: Settings
    engine: Engine | None
    """A loaded Whisper engine to transcribe with (None: the study's model, loaded when a
    run starts)."""

    def show_sessions(self) -> None:
        """Back to the sessions screen, dropping every screen above it."""

    def open_setup(self, *, participant: str | None = None, session_id: int | None = None,
                   new_session: bool = False) -> None:
        """The set-up of a new participant, a new session for one, or a planned session."""

    def open_summary(self, session_id: int) -> None: ...

    def open_review(self, session_id: int, at_ms: int | None = None) -> None: ...

    def open_search(self) -> None: ...

    def model_ready(self, session_id: int) -> bool:
        """Whether a model can transcribe the session's language (if not, it says why)."""

    def start_live(self, session_id: int, *, record: bool = True,
                   recorder: RecorderControls | None = None) -> None:
        """The live screen on a session, recording unless ``record`` is False."""

    def recover(self, session_id: int) -> None:
        """Repair the audio of an interrupted session (in a worker)."""

    def wind_down(self, work: Callable[[], None], name: str) -> None:
        """Run ``work`` in a thread that outlives the screen (the app waits for it)."""


@runtime_checkable
class ExportsSession(Protocol):
    """A screen that shows (or has highlighted) a session the export dialog can write."""

    def export_session_id(self) -> int | None:
        """The session to export; None when none is shown or highlighted."""


def companion_of(node: DOMNode) -> Companion:
    """The app ``node`` runs in, as its screens and widgets see it."""
    return cast("Companion", node.app)


class CompanionScreen(Screen[None]):
    """A screen of the companion app: ``self.companion`` is the app, as a :class:`Companion`."""

    FOOTER_KEEPS: ClassVar[tuple[str, ...]] = ()
    """Actions (or their start) whose keys stay in the footer at any width; the others
    follow while they fit (see :mod:`companion.tui.footer`)."""

    INTERVIEW: ClassVar[bool] = False
    """True on the live screen: the app keeps its own keys out of the way during an
    interview, asking this rather than importing the live screen (and its audio and
    database layers) before the first frame."""

    @property
    def companion(self) -> Companion:
        return companion_of(self)
