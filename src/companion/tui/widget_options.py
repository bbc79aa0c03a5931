"""The keyword arguments every Textual widget takes, for widgets that add their own.

A widget with parameters of its own passes these on with ``**options:
Unpack[WidgetOptions]``, so a misspelt ``id=`` or ``classes=`` is a type error.
"""

from __future__ import annotations

from typing import TypedDict


class WidgetOptions(TypedDict, total=False):
    name: str | None
    id: str | None
    classes: str | None
    disabled: bool
