"""One WAI rating on the set-up form: the role, how it is entered, and its boxes.

Items are laid out in the paper form's order (1, 2, 3, …), each with the domain it counts
to; an empty box shows a dash, which cannot be read as a score. Each box is checked with
the protocol's own scoring, and the running domain sums follow the typing.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from companion.errors import InputError
from companion.operations import ratings
from companion.protocol.model import Instrument
from companion.protocol.scoring import Score, format_number, score_rating
from companion.tui.widgets.form_fields import FieldError

TARGET_TITLES = {
    "most": "Most positive alliance",
    "least": "Least positive alliance",
}


class WaiRating(Vertical):
    """The fields of the rating for ``target`` ("most" or "least")."""

    DEFAULT_CSS = """
    WaiRating { height: auto; }
    """

    def __init__(self, instrument: Instrument, target: str) -> None:
        super().__init__(id=f"rating-{target}")
        self.instrument = instrument
        self.target = target

    def compose(self) -> ComposeResult:
        instrument, target = self.instrument, self.target
        low, high = format_number(instrument.scale_min), format_number(instrument.scale_max)
        yield Static(f"{instrument.name}: {TARGET_TITLES[target]}", classes="section-title")
        with Horizontal(classes="field-row"):
            yield Label("Role", classes="field-label")
            yield Input(placeholder="which professional? (not filled in)", id=f"role-{target}")
        with Horizontal(classes="field-row"):
            yield Label("Entered as", classes="field-label")
            yield Select([(f"{instrument.n_items} items ({low}–{high})", "items"),
                          ("domain scores", "domains")], value="items",
                         allow_blank=False, id=f"mode-{target}")
        with Grid(id=f"items-{target}", classes="item-grid"):
            for item in sorted(instrument.items, key=lambda it: it.n):
                yield Label(f"{item.n:>2} {item.domain.capitalize()}", classes="grid-label")
                yield Input(placeholder="—", id=f"item-{target}-{item.n}",
                            classes="item-input", tooltip=item.label or None)
        with Grid(id=f"domains-{target}", classes="domain-grid"):
            for domain in instrument.domains:
                maximum = format_number(instrument.domain_max(domain))
                yield Label(f"{domain.capitalize()} (0–{maximum})", classes="grid-label")
                yield Input(placeholder="—", id=f"dom-{target}-{domain}",
                            classes="domain-input")
        yield Static("", id=f"sums-{target}", classes="domain-sums")
        yield FieldError(id=f"wai-{target}-error")

    # -- what is typed ------------------------------------------------------------------

    def mode(self) -> str:
        return str(self.query_one(f"#mode-{self.target}", Select).value)

    def show_mode(self) -> None:
        mode = self.mode()
        self.query_one(f"#items-{self.target}").display = mode == "items"
        self.query_one(f"#domains-{self.target}").display = mode == "domains"

    def role(self) -> str:
        return self.query_one(f"#role-{self.target}", Input).value.strip()

    def fill(self, stored: ratings.StoredRating) -> None:
        """Show a rating saved before."""
        self.query_one(f"#role-{self.target}", Input).value = stored.role
        if stored.items is not None:
            for n, value in enumerate(stored.items, start=1):
                if value is not None:
                    self.query_one(f"#item-{self.target}-{n}", Input).value = \
                        format_number(value)
        else:
            self.query_one(f"#mode-{self.target}", Select).value = "domains"
            for domain, value in stored.domains.items():
                if value is not None:
                    self.query_one(f"#dom-{self.target}-{domain}", Input).value = \
                        format_number(value)

    def item_value(self, widget_id: str, text: str) -> float | None:
        """Parse one item with the CLI's parser and check it with the protocol's scoring."""
        n = int(widget_id.rsplit("-", 1)[1])
        if not text.strip():
            return None
        if "," in text:
            raise InputError(f"items[{n}]", text, "one number per box")
        value = ratings.parse_items(text)[0]
        values: list[float | None] = [None] * self.instrument.n_items
        values[n - 1] = value
        score_rating(self.instrument, items=values)
        return value

    def domain_value(self, widget_id: str, text: str) -> float | None:
        domain = widget_id.rsplit("-", 1)[1]
        if not text.strip():
            return None
        if "," in text:
            raise InputError(domain, text, "one number per box")
        value = ratings.parse_items(text)[0]
        score_rating(self.instrument, domains={
            d: (value if d == domain else None) for d in self.instrument.domains})
        return value

    def score(self) -> Score | None:
        """The rating typed so far (None when empty or invalid)."""
        instrument, target = self.instrument, self.target
        try:
            if self.mode() == "items":
                values = [self.item_value(f"item-{target}-{item.n}",
                                          self.query_one(f"#item-{target}-{item.n}",
                                                         Input).value)
                          for item in instrument.items]
                if all(v is None for v in values):
                    return None
                return score_rating(instrument, items=values)
            domains = {d: self.domain_value(f"dom-{target}-{d}",
                                            self.query_one(f"#dom-{target}-{d}", Input).value)
                       for d in instrument.domains}
            if all(v is None for v in domains.values()):
                return None
            return score_rating(instrument, domains=domains)
        except InputError:
            return None

    def show_sums(self, score: Score | None) -> None:
        """The domain sums as typed so far, like the paper form's running totals (with how
        many of each domain's items are in), then the scored total."""
        instrument = self.instrument
        line = Text("Sums  ", style="bold")
        for domain in instrument.domains:
            if self.mode() == "items":
                typed = []
                for item in instrument.items_of(domain):
                    box = self.query_one(f"#item-{self.target}-{item.n}", Input)
                    try:
                        value = self.item_value(box.id or "", box.value)
                    except InputError:
                        value = None
                    if value is not None:
                        typed.append(value)
                count = len(instrument.items_of(domain))
                shown = (f"{format_number(sum(typed))} ({len(typed)}/{count})" if typed
                         else "—")
            else:
                value = None if score is None else score.domains.get(domain)
                shown = "—" if value is None else format_number(value)
            line.append(f"{domain.capitalize()} {shown}  ")
        total = None if score is None else score.total
        line.append(f"Total {'—' if total is None else format_number(total)}", style="bold")
        self.query_one(f"#sums-{self.target}", Static).update(line)
