"""The models companion knows: installed ones (where, size, languages) and ones it could
download by name on request.

Sizes of hub models are those of the CTranslate2 conversions faster-whisper downloads
(``model.bin`` and friends, float16), rounded; the real size is asked from the hub before
a download starts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from companion.models import bundled
from companion.models.resolve import DEFAULT_PACKAGE, default_model
from companion.models.store import folder_size, installed_folders, is_multilingual

MB = 1_000_000

# name -> (approximate size in bytes, multilingual). faster-whisper knows the hub names.
KNOWN: dict[str, tuple[int, bool]] = {
    "tiny.en": (75 * MB, False),
    "tiny": (75 * MB, True),
    "base.en": (145 * MB, False),
    "base": (145 * MB, True),
    "small.en": (484 * MB, False),
    "small": (484 * MB, True),
    "medium.en": (1530 * MB, False),
    "medium": (1530 * MB, True),
    "distil-small.en": (336 * MB, False),
    "distil-medium.en": (789 * MB, False),
    "large-v3": (3090 * MB, True),
    "distil-large-v3": (1510 * MB, False),
    "large-v3-turbo": (1620 * MB, True),
}


@dataclass(frozen=True)
class ModelEntry:
    """One line of ``companion model list``."""

    name: str
    installed: bool
    size_bytes: int
    languages: str  # "en" or "multilingual"
    source: str  # user folder | package NAME | hub (download on request)
    path: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def languages_label(multilingual: bool) -> str:
    return "multilingual" if multilingual else "en"


def _tiny_en() -> ModelEntry | None:
    choice = default_model()
    if choice is None:
        return None
    path = Path(choice.source)
    return ModelEntry("tiny.en", True, folder_size(path), "en", f"package {DEFAULT_PACKAGE}",
                      str(path))


def list_models() -> list[ModelEntry]:
    """Installed models first (user folder, packages), then the hub names not installed."""
    entries: list[ModelEntry] = []
    for name, path in installed_folders().items():
        source = ("package " + " + ".join(bundled.DISTRIBUTIONS) + " (joined, SHA-256 pinned)"
                  if name == bundled.NAME and bundled.is_joined() else "user folder")
        entries.append(ModelEntry(name, True, folder_size(path),
                                  languages_label(is_multilingual(path)), source, str(path)))
    names = {e.name for e in entries}
    if bundled.NAME not in names and bundled.packages_installed():
        entries.append(ModelEntry(
            bundled.NAME, True, bundled.SIZE_BYTES, "multilingual",
            "package " + " + ".join(bundled.DISTRIBUTIONS) + " (joined on first use)",
            str(bundled.joined_dir())))
        names.add(bundled.NAME)
    tiny = _tiny_en()
    if tiny is not None and tiny.name not in names:
        entries.append(tiny)
        names.add(tiny.name)
    for name, (size, multilingual) in KNOWN.items():
        if name not in names:
            entries.append(ModelEntry(name, False, size, languages_label(multilingual),
                                      "hub (companion model download NAME)", None))
    return entries


def human_size(size: int) -> str:
    if size >= 1000 * MB:
        return f"{size / (1000 * MB):.1f} GB"
    return f"{max(1, round(size / MB))} MB"
