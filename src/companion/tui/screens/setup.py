"""Set-up before the interview: participant, consent, protocol, and the two WAI ratings.

Every field is checked as it is typed, by the same functions the CLI uses
(:func:`companion.characteristics.validate_field`, the protocol's scoring); an error
shows under its field, and nothing is written until every field is valid. The profile
chart and the proposed deepening questions follow the ratings as they are typed.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from companion.characteristics import CATEGORIES, SCALES, validate_field
from companion.errors import CompanionError, InputError
from companion.operations import participants, protocols, ratings, sessions
from companion.protocol.model import TARGETS, Protocol
from companion.protocol.registry import available_protocols
from companion.protocol.scoring import Score
from companion.protocol.suggestions import (
    RatingInput,
    Suggestion,
    ceiling_fraction,
    suggest,
)
from companion.tui.context import CompanionScreen
from companion.tui.footer import FittingFooter
from companion.tui.widgets.form_fields import FieldCheck, FieldError
from companion.tui.widgets.profile_chart import ProfileChart
from companion.tui.widgets.suggestion_cards import SuggestionCards
from companion.tui.widgets.tick_box import TickBox
from companion.tui.widgets.wai_rating import WaiRating

__all__ = ["FieldError", "SetupScreen"]

CATEGORY_TITLES = {
    "gender": "Gender",
    "age_band": "Age",
    "education": "Education",
    "pain_duration": "Pain for",
    "work_status": "Work",
}


class SetupScreen(CompanionScreen):
    """A new participant, a new session for one, or a planned session to complete."""

    # The screen's own layout, read when it is first opened (not before the sessions
    # screen's first frame); scoped to this screen, on top of the app's companion.tcss.
    CSS = """
    #setup-body {
        height: 1fr;
    }

    #setup-form {
        width: 1fr;
        min-width: 40;
    }

    #setup-preview {
        width: 1fr;
        border-left: vkey $primary 50%;
    }

    SetupScreen.-narrow #setup-body {
        layout: vertical;
    }

    SetupScreen.-narrow #setup-form {
        height: 1fr;
        width: 100%;
    }

    SetupScreen.-narrow #setup-preview {
        height: 7;
        width: 100%;
        border-left: none;
        border-top: hkey $primary 50%;
    }

    /* A Vertical fills its parent by default: in the scrolling form that cut the WAI items
       off below the fold (they could not be scrolled to). */
    #wai {
        height: auto;
    }

    .domain-sums {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }

    .field-row {
        height: 3;
    }

    .field-label {
        width: 13;
        padding: 1 1 0 1;
    }

    .field-row Input, .field-row Select {
        width: 1fr;
    }

    /* A long protocol title is cut, not wrapped: a second line broke the drop-down's box. */
    .field-row SelectCurrent #label {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }

    /* Every check box of the form on one left edge (the live-transcript one stood apart). */
    #setup-form Checkbox {
        margin-left: 1;
    }

    .item-grid {
        grid-size: 6;
        grid-columns: 8 1fr 8 1fr 8 1fr;
        grid-rows: 3;
        height: auto;
    }

    .domain-grid {
        grid-size: 2;
        grid-columns: 16 1fr;
        grid-rows: 3;
        height: auto;
    }

    .grid-label {
        padding: 1 1 0 1;
    }

    .item-grid .grid-label {
        padding: 1 0 0 0;
    }

    #suggestions-preview {
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="setup.save",
                tooltip="Check every field and save participant, session and ratings"),
        Binding("f5", "start", "Start recording", id="setup.start",
                tooltip="Save, then start recording and open the live screen "
                        "(needs consent)"),
        Binding("escape", "back", "Back", id="setup.back",
                tooltip="Back to the sessions without saving"),
    ]

    def __init__(self, *, participant: str | None = None, session_id: int | None = None,
                 new_session: bool = False) -> None:
        super().__init__()
        self.participant_code = participant
        self.session_id = session_id
        self.new_session = new_session
        self.errors: dict[str, str] = {}
        self.protocol: Protocol | None = None
        self.protocols: dict[str, Protocol] = {}
        self.suggestions: list[Suggestion] = []

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        app = self.companion
        self.protocols = available_protocols(app.study.root)
        session = (sessions.get(app.study, self.session_id)
                   if self.session_id is not None else None)
        if session is not None:
            self.participant_code = session.participant_code
            protocol_id = session.protocol_id
        else:
            protocol_id = protocols.default_protocol_id(app.study)
        self.protocol = self.protocols.get(protocol_id) or protocols.protocol_for(
            app.study, protocol_id)
        yield Static("", id="setup-title", classes="screen-title")
        with Horizontal(id="setup-body"):
            # Not a tab stop itself: its fields take the focus, and it scrolls to them.
            with VerticalScroll(id="setup-form", can_focus=False):
                yield from self._participant_fields()
                yield from self._session_fields(session)
                with Vertical(id="wai"):
                    yield from self._wai_fields()
            with VerticalScroll(id="setup-preview"):
                yield ProfileChart(id="profile")
                yield Static("Proposed deepening questions", classes="panel-title")
                yield SuggestionCards(id="suggestions-preview")
        yield FittingFooter()

    def _participant_fields(self) -> ComposeResult:
        yield Static("Participant", classes="section-title")
        with Horizontal(classes="field-row"):
            yield Label("Pseudonym", classes="field-label")
            yield Input(placeholder="e.g. P05 (never a real name)", id="code",
                        disabled=self.participant_code is not None)
        yield FieldError(id="code-error")
        for name, choices in CATEGORIES.items():
            with Horizontal(classes="field-row"):
                yield Label(CATEGORY_TITLES.get(name, name), classes="field-label")
                yield Select([(label, key) for key, label in choices.items()],
                             prompt="not recorded", id=f"char-{name}")
        for name, (low, high, title) in SCALES.items():
            with Horizontal(classes="field-row"):
                yield Label(name.upper(), classes="field-label")
                yield Input(placeholder=f"{low}–{high}  {title}", id=f"char-{name}")
            yield FieldError(id=f"char-{name}-error")
        yield TickBox("Written consent is signed", id="consent")
        with Horizontal(classes="field-row"):
            yield Label("Consent on", classes="field-label")
            # A value, not a placeholder: the date that will be saved is the one shown.
            yield Input(dt.date.today().isoformat(), placeholder="YYYY-MM-DD",
                        id="char-consent_date", tooltip="The date written consent was signed")
        yield FieldError(id="char-consent_date-error")
        yield FieldError(id="consent-error")

    def _session_fields(self, session: sessions.Session | None) -> ComposeResult:
        app = self.companion
        yield Static("Session", classes="section-title")
        yield TickBox("Pilot interview", id="pilot",
                       value=bool(session and session.pilot), disabled=session is not None)
        # Some participants consent to audio only: the live transcript is per session.
        from companion.operations.live import live_wanted

        yield TickBox("Live transcript during the interview", id="live-transcript",
                       value=live_wanted(app.study, session.id) if session is not None
                       else app.settings.live.transcript)
        with Horizontal(classes="field-row"):
            yield Label("Protocol", classes="field-label")
            assert self.protocol is not None
            yield Select([(p.title, p.id) for p in self.protocols.values()],
                         value=self.protocol.id, allow_blank=False, id="protocol",
                         disabled=session is not None)
        with Horizontal(classes="field-row"):
            yield Label("Interviewer", classes="field-label")
            default = (session.interviewer if session else
                       app.settings.study.interviewer) or ""
            yield Input(default, placeholder="who interviews", id="interviewer",
                        disabled=session is not None)

    def _wai_fields(self) -> ComposeResult:
        protocol = self.protocol
        if protocol is None or protocol.instrument is None:
            yield Static("This protocol has no rating questionnaire.", classes="dim")
            return
        for target in ("most", "least"):
            yield WaiRating(protocol.instrument, target)

    # -- start ------------------------------------------------------------------------

    def on_mount(self) -> None:
        app = self.companion
        for field in self.query(Input):
            if field.id and field.id.startswith(("code", "char-", "item-", "dom-")):
                field.validators = [FieldCheck(self.validate_input, field.id)]
        title = Text("Set-up", style="bold")
        if self.session_id is not None:
            title.append(f"  session {self.session_id}")
        if self.participant_code:
            title.append(f"  {self.participant_code}")
        self.query_one("#setup-title", Static).update(title)
        for target in ("most", "least"):
            self._show_mode(target)
        if self.participant_code:
            self._fill_participant(participants.get(app.study, self.participant_code))
        if self.session_id is not None:
            for stored in ratings.list_stored(app.study, self.session_id):
                self._fill_rating(stored)
        self._update_preview()
        first = self.query_one("#code", Input) if not self.participant_code else (
            self.query("#role-most").first() if self.query("#role-most") else None)
        if isinstance(first, Widget):
            first.focus()

    def _fill_participant(self, participant: participants.Participant) -> None:
        self.query_one("#code", Input).value = participant.code
        for name in CATEGORIES:
            value = getattr(participant, name)
            if value is not None:
                self.query_one(f"#char-{name}", Select).value = value
        for name in SCALES:
            value = getattr(participant, name)
            if value is not None:
                self.query_one(f"#char-{name}", Input).value = str(value)
        consent = self.query_one("#consent", Checkbox)
        consent.value = participant.consented
        if participant.consent_date:
            self.query_one("#char-consent_date", Input).value = participant.consent_date

    def _fill_rating(self, stored: ratings.StoredRating) -> None:
        rating = self._rating(stored.target)
        if rating is not None:
            rating.fill(stored)

    # -- validation as typed -------------------------------------------------------------

    def _rating(self, target: str) -> WaiRating | None:
        """The rating's fields for ``target`` (None: the protocol has no questionnaire)."""
        found = self.query(f"#rating-{target}")
        return found.first(WaiRating) if found else None

    def _show_mode(self, target: str) -> None:
        rating = self._rating(target)
        if rating is not None:
            rating.show_mode()

    def validate_input(self, widget_id: str, value: str) -> str | None:
        """The error message for one field's text, or None when it is valid."""
        try:
            if widget_id == "code":
                validate_field("code", value)
            elif widget_id.startswith("char-"):
                validate_field(widget_id[5:], value)
            elif widget_id.startswith(("item-", "dom-")):
                rating = self._rating(widget_id.split("-")[1])
                assert rating is not None
                if widget_id.startswith("item-"):
                    rating.item_value(widget_id, value)
                else:
                    rating.domain_value(widget_id, value)
        except InputError as exc:
            return self._say(widget_id, exc)
        return None

    def _say(self, widget_id: str, exc: InputError) -> str:
        if widget_id.startswith("item-"):
            n = widget_id.rsplit("-", 1)[1]
            return f"item {n}: {exc.value!r} is not allowed; use {exc.allowed}"
        if widget_id.startswith("dom-"):
            domain = widget_id.rsplit("-", 1)[1]
            return f"{domain}: {exc.value!r} is not allowed; use {exc.allowed}"
        return f"{exc.value!r} is not allowed; use {exc.allowed}"

    @on(Input.Changed)
    def _field_changed(self, event: Input.Changed) -> None:
        widget_id = event.input.id or ""
        message = self.validate_input(widget_id, event.value)
        if message:
            self.errors[widget_id] = message
        else:
            self.errors.pop(widget_id, None)
        self._show_errors()
        if widget_id.startswith(("item-", "dom-", "role-")):
            self._update_preview()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        widget_id = event.select.id or ""
        if widget_id.startswith("mode-"):
            self._show_mode(widget_id[5:])
            self._update_preview()

    @on(Checkbox.Changed, "#consent")
    def _consent_changed(self, event: Checkbox.Changed) -> None:
        if event.value:
            self.query_one("#consent-error", FieldError).show_errors([])

    def _show_errors(self) -> None:
        groups: dict[str, list[str]] = {}
        for widget_id, message in self.errors.items():
            if widget_id.startswith(("item-", "dom-", "role-")):
                group = f"wai-{widget_id.split('-')[1]}-error"
            else:
                group = f"{widget_id}-error"
            groups.setdefault(group, []).append(message)
        for error in self.query(FieldError):
            if error.id == "consent-error":
                continue
            error.show_errors(groups.get(error.id or "", []))

    # -- preview ------------------------------------------------------------------------

    def current_score(self, target: str) -> Score | None:
        """The rating typed so far for ``target`` (None when empty or invalid)."""
        rating = self._rating(target)
        return None if rating is None else rating.score()

    def _role(self, target: str) -> str:
        rating = self._rating(target)
        return "" if rating is None else rating.role()

    def _update_preview(self) -> None:
        protocol = self.protocol
        chart = self.query_one(ProfileChart)
        preview = self.query_one("#suggestions-preview", SuggestionCards)
        if protocol is None or protocol.instrument is None:
            chart.show(None, None, {}, {})
            preview.update("")
            return
        scores = {t: self.current_score(t) for t in TARGETS}
        roles = {t: self._role(t) for t in TARGETS}
        for target, score in scores.items():
            rating = self._rating(target)
            if rating is not None:
                rating.show_sums(score)
        chart.show(protocol.instrument, protocol.reference, scores, roles,
                   ceiling_fraction=ceiling_fraction(protocol))
        inputs = [RatingInput(target=t, role=roles[t] or f"{t} positive", score=s)
                  for t, s in scores.items() if s is not None]
        try:
            self.suggestions = suggest(protocol, inputs)
        except CompanionError:
            self.suggestions = []
        preview.show(self.suggestions)

    # -- saving -------------------------------------------------------------------------

    def _check_complete(self) -> list[str]:
        """Errors that only show on saving: missing pseudonym, a rating without a role."""
        missing: list[str] = []
        if not self.query_one("#code", Input).value.strip():
            self.errors["code"] = "a pseudonym code is needed"
            missing.append("code")
        if self.protocol is not None and self.protocol.instrument is not None:
            for target in ("most", "least"):
                if self.current_score(target) is not None and not self._role(target):
                    self.errors[f"role-{target}"] = (
                        "role: say which professional this rating is about")
                    missing.append(f"role-{target}")
                else:
                    self.errors.pop(f"role-{target}", None)
        for widget_id in missing:
            self.query_one(f"#{widget_id}", Input).add_class("-invalid")
        return missing

    def save(self) -> int | None:
        """Validate every field, then write everything in one transaction; the session id."""
        self._check_complete()
        for widget in self.query(Input):
            if widget.id and not widget.disabled:
                message = self.validate_input(widget.id, widget.value)
                if message:
                    self.errors[widget.id] = message
                    widget.add_class("-invalid")
        self._show_errors()
        if self.errors:
            self.notify(f"{len(self.errors)} field(s) need attention; nothing was saved.",
                        severity="error")
            self._focus_first_error()
            return None
        app = self.companion
        code = self.query_one("#code", Input).value.strip()
        characteristics: dict[str, object] = {}
        for name in CATEGORIES:
            value = self.query_one(f"#char-{name}", Select).value
            characteristics[name] = None if value is Select.NULL else value
        for name in SCALES:
            characteristics[name] = self.query_one(f"#char-{name}", Input).value
        consent = self.query_one("#consent", Checkbox).value
        consent_date = validate_field("consent_date",
                                      self.query_one("#char-consent_date", Input).value)
        if consent and consent_date:
            characteristics["consent_date"] = consent_date
        new_session = self.session_id is None
        try:
            enrolled = participants.enrol(app.study, participants.Enrolment(
                code=code, characteristics=characteristics, consent=consent,
                existing=self.participant_code is not None, session_id=self.session_id,
                protocol_id=str(self.query_one("#protocol", Select).value)
                if new_session else None,
                interviewer=(self.query_one("#interviewer", Input).value.strip() or None)
                if new_session else None,
                pilot=bool(self.query_one("#pilot", Checkbox).value) if new_session else False,
                ratings=tuple(self._rating_entries()),
                today=dt.date.fromisoformat(consent_date) if consent_date else None))
        except InputError as exc:
            self.notify(f"Nothing was saved: {exc.message}", severity="error", timeout=15)
            if exc.field == "code":
                self.errors["code"] = self._say("code", exc)
                self.query_one("#code", Input).add_class("-invalid")
                self._show_errors()
            return None
        session_id = enrolled.session.id
        self.session_id = session_id
        from companion.operations.live import live_wanted, set_session_live

        live_on = bool(self.query_one("#live-transcript", Checkbox).value)
        if live_on != live_wanted(app.study, session_id):
            set_session_live(app.study, session_id, live_on)
        self.participant_code = code
        self.query_one("#code", Input).disabled = True
        for widget_id in ("#pilot", "#protocol", "#interviewer"):
            self.query_one(widget_id).disabled = True
        self.notify(f"Saved: {code}, session {session_id}.")
        return session_id

    def _focus_first_error(self) -> None:
        """Take the focus (and the form's scroll) to the first field that needs attention:
        at 80×24 its message may be far below the window."""
        for widget in self.query("#setup-form Input"):
            if widget.id in self.errors and widget.focusable:
                widget.focus()
                return

    def _rating_entries(self) -> list[ratings.RatingEntry]:
        """The ratings typed so far, as the enrolment saves them."""
        protocol = self.protocol
        if protocol is None or protocol.instrument is None:
            return []
        entries = []
        for target in ("most", "least"):
            score = self.current_score(target)
            if score is None:
                continue
            if score.items is not None:
                entries.append(ratings.RatingEntry(target, self._role(target),
                                                   items=list(score.items)))
            else:
                entries.append(ratings.RatingEntry(target, self._role(target),
                                                   domains=dict(score.domains)))
        return entries

    def action_save(self) -> None:
        self.save()

    def action_start(self) -> None:
        if not self.query_one("#consent", Checkbox).value:
            self.query_one("#consent-error", FieldError).show_errors(
                ["Recording can only start once the participant has signed consent."])
            self.notify("No recording without written consent.", severity="error")
            self.query_one("#consent", Checkbox).focus()  # scrolls the box into view
            return
        session_id = self.save()
        if session_id is None:
            return
        app = self.companion
        if not app.model_ready(session_id):  # checked before this screen closes
            return
        self.app.pop_screen()
        app.start_live(session_id)

    def action_back(self) -> None:
        self.companion.show_sessions()
