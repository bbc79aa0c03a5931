"""The study's own settings, ``<study>/companion.toml``: typed, with every default here.

Each section is a frozen dataclass; its field defaults are the only defaults (call sites
read ``study.settings.audio.channels`` and never supply their own). The file is checked by
the shared TOML checker, so every problem is listed at once with the file, the dotted key
and the nearest spelling of a misspelt key or ``[keymap]`` binding id. A missing file means
all defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from companion.keys import BINDING_IDS
from companion.tomlcheck import (
    Checker,
    Problem,
    TomlFileError,
    did_you_mean,
    join,
    read_toml,
)

AUDIO_FORMATS = ("flac", "wav")


@dataclass(frozen=True)
class StudySection:
    title: str | None = None
    """The study's name, the report's heading."""
    protocol: str | None = None
    """Protocol id (or a .toml path) for new sessions; None: the default protocol."""
    interviewer: str | None = None
    """Interviewer named on new sessions unless another is given."""


@dataclass(frozen=True)
class AudioSection:
    device: str | None = None
    """Input device (name, part of it, or index); None: the one used last, else the default."""
    format: str = "flac"
    samplerate: int | None = None
    """Sample rate in Hz; None: the device's own rate."""
    channels: int = 1
    """1 microphone, or 2 (channel 1 interviewer, channel 2 participant)."""
    silence_seconds: float = 20.0
    """Warn when a channel has been silent this long."""


@dataclass(frozen=True)
class TranscribeSection:
    model: str | None = None
    """A model size name or a local model folder; None: the bundled offline model."""
    language: str | None = None
    """Language code; None: the session protocol's language."""
    threads: int = 0
    """CPU threads; 0: let the engine choose."""
    verbatim: bool | None = None
    """Keep fillers, repeats and false starts; None: as the session's protocol says."""


@dataclass(frozen=True)
class LiveSection:
    transcript: bool = True
    """Show a live transcript while recording (a session may turn it off in its set-up)."""


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


LOCAL_NAME_KINDS = ("person", "place", "hospital", "clinic", "employer", "institution")
"""What a name on the study's list of local names may be (``[privacy.names]``)."""


@dataclass(frozen=True)
class PrivacySection:
    replacements: Mapping[str, str] = field(default_factory=_empty)
    """Text to replace -> replacement, applied to every export."""
    pseudonymise: bool = False
    """Exports for analysis (qdpx, docx, txt, md, f4, nvivo) apply the replacements decided
    in review by default, as ``export --pseudonymised`` does."""
    names: Mapping[str, str] = field(default_factory=_empty)
    """The study's local names the detectors cannot know (an employer, a clinic) -> what
    each is: person, place, hospital, clinic, employer or institution."""


@dataclass(frozen=True)
class Settings:
    study: StudySection = field(default_factory=StudySection)
    audio: AudioSection = field(default_factory=AudioSection)
    transcribe: TranscribeSection = field(default_factory=TranscribeSection)
    keymap: Mapping[str, str] = field(default_factory=_empty)
    """Binding id -> key(s), e.g. ``"live.bookmark" = "ctrl+b"``."""
    privacy: PrivacySection = field(default_factory=PrivacySection)
    live: LiveSection = field(default_factory=LiveSection)
    path: Path | None = None
    """The file read; None when there is none (all defaults)."""


class SettingsError(TomlFileError):
    """A ``companion.toml`` with problems; ``str`` lists each on its own line."""

    def __init__(self, path: Path | str, problems: list[Problem]) -> None:
        super().__init__(path, problems, "valid study settings")


_SECTIONS = ("study", "audio", "transcribe", "keymap", "privacy", "live")
_STUDY_KEYS = ("title", "protocol", "interviewer")
_AUDIO_KEYS = ("device", "format", "samplerate", "channels", "silence_seconds")
_TRANSCRIBE_KEYS = ("model", "language", "threads", "verbatim")
_PRIVACY_KEYS = ("replacements", "pseudonymise", "names")
_LIVE_KEYS = ("transcript",)


def load_settings(path: Path) -> Settings:
    """Read ``companion.toml``; raise ``SettingsError`` listing every problem."""
    if not path.exists():
        return Settings()
    data, _raw, problems = read_toml(path)
    if data is None:
        raise SettingsError(path, problems)
    checker = _SettingsChecker(path.name)
    settings = checker.settings(data, path)
    if checker.problems:
        raise SettingsError(path, checker.problems)
    return settings


def _given(**values: Any) -> dict[str, Any]:
    """Only the keys the file set, so the dataclass defaults fill in the rest."""
    return {key: value for key, value in values.items() if value is not None}


class _SettingsChecker(Checker):
    def settings(self, data: dict[str, Any], path: Path) -> Settings:
        self.keys(data, "", _SECTIONS, ())
        return Settings(
            study=self.study(self.table(data, "study", "") or {}),
            audio=self.audio(self.table(data, "audio", "") or {}),
            transcribe=self.transcribe(self.table(data, "transcribe", "") or {}),
            keymap=MappingProxyType(self.keymap(data)),
            privacy=self.privacy(self.table(data, "privacy", "") or {}),
            live=self.live(self.table(data, "live", "") or {}),
            path=path,
        )

    def study(self, table: dict[str, Any]) -> StudySection:
        self.keys(table, "study", _STUDY_KEYS, ())
        return StudySection(**_given(
            title=self.text(table, "title", "study"),
            protocol=self.text(table, "protocol", "study"),
            interviewer=self.text(table, "interviewer", "study"),
        ))

    def audio(self, table: dict[str, Any]) -> AudioSection:
        self.keys(table, "audio", _AUDIO_KEYS, ())
        samplerate = self.number(table, "samplerate", "audio", low=8000, high=192000,
                                 integer=True)
        channels = self.number(table, "channels", "audio", low=1, high=2, integer=True,
                               allowed="1 (one microphone) or 2 (interviewer, participant)")
        return AudioSection(**_given(
            device=self.text(table, "device", "audio"),
            format=self.choice(table, "format", "audio", AUDIO_FORMATS),
            samplerate=None if samplerate is None else int(samplerate),
            channels=None if channels is None else int(channels),
            silence_seconds=self.number(table, "silence_seconds", "audio", low=0, low_open=True,
                                        allowed="a number of seconds above 0"),
        ))

    def transcribe(self, table: dict[str, Any]) -> TranscribeSection:
        self.keys(table, "transcribe", _TRANSCRIBE_KEYS, ())
        threads = self.number(table, "threads", "transcribe", low=0, integer=True)
        return TranscribeSection(**_given(
            model=self.text(table, "model", "transcribe"),
            language=self.text(table, "language", "transcribe"),
            threads=None if threads is None else int(threads),
            verbatim=self.boolean(table, "verbatim", "transcribe"),
        ))

    def keymap(self, data: dict[str, Any]) -> dict[str, str]:
        table = self.table(data, "keymap", "") or {}
        result: dict[str, str] = {}
        for binding_id in table:
            where = join("keymap", binding_id)
            if binding_id not in BINDING_IDS:
                self.add(where, "unknown binding id",
                         allowed="an id from the TUI's key bindings, e.g. 'live.bookmark'",
                         hint=did_you_mean(binding_id, sorted(BINDING_IDS)))
                continue
            text = self.text(table, binding_id, "keymap")
            if text is not None:
                result[binding_id] = text
        return result

    def privacy(self, table: dict[str, Any]) -> PrivacySection:
        self.keys(table, "privacy", _PRIVACY_KEYS, ())
        replacements = self.text_table(table, "replacements", "privacy")
        names = self.text_table(table, "names", "privacy")
        for name, kind in list(names.items()):
            if kind.lower() not in LOCAL_NAME_KINDS:
                self.add(join("privacy.names", name), "not allowed", found=kind,
                         allowed=" or ".join(LOCAL_NAME_KINDS),
                         hint=did_you_mean(kind.lower(), LOCAL_NAME_KINDS))
                del names[name]
            else:
                names[name] = kind.lower()
        return PrivacySection(**_given(
            replacements=MappingProxyType(replacements) if replacements else None,
            pseudonymise=self.boolean(table, "pseudonymise", "privacy"),
            names=MappingProxyType(names) if names else None,
        ))

    def live(self, table: dict[str, Any]) -> LiveSection:
        self.keys(table, "live", _LIVE_KEYS, ())
        return LiveSection(**_given(transcript=self.boolean(table, "transcript", "live")))
