"""The study's companion.toml: typed defaults, and every problem named at once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from companion.keys import BINDING_IDS, KEY_BINDINGS
from companion.settings import Settings, SettingsError, load_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "companion.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(_write(tmp_path, text))
    return str(caught.value).splitlines()


def test_no_file_means_the_documented_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "companion.toml")
    assert settings == Settings()
    assert settings.audio.format == "flac" and settings.audio.channels == 1
    assert settings.audio.samplerate is None and settings.audio.silence_seconds == 20.0
    assert settings.transcribe.threads == 0 and settings.transcribe.model is None
    assert dict(settings.keymap) == {} and dict(settings.privacy.replacements) == {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.audio.channels = 2  # type: ignore[misc]


def test_a_full_file_is_read_into_typed_sections(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, """
[study]
title = "Back pain and the alliance"
protocol = "semi-structured"
interviewer = "Ines"
[audio]
device = "USB mic"
format = "WAV"
samplerate = 44100
channels = 2
silence_seconds = 12.5
[transcribe]
model = "tiny.en"
language = "en"
threads = 2
[keymap]
"live.bookmark" = "ctrl+b"
[privacy.replacements]
"Utrecht" = "[city]"
"""))
    assert settings.study.title == "Back pain and the alliance"
    assert settings.study.protocol == "semi-structured" and settings.study.interviewer == "Ines"
    assert (settings.audio.device, settings.audio.format, settings.audio.samplerate,
            settings.audio.channels, settings.audio.silence_seconds) == (
        "USB mic", "wav", 44100, 2, 12.5)
    assert isinstance(settings.audio.samplerate, int) and isinstance(settings.audio.channels, int)
    assert (settings.transcribe.model, settings.transcribe.language,
            settings.transcribe.threads) == ("tiny.en", "en", 2)
    assert dict(settings.keymap) == {"live.bookmark": "ctrl+b"}
    assert dict(settings.privacy.replacements) == {"Utrecht": "[city]"}


def test_an_unknown_key_names_the_nearest_spelling(tmp_path: Path) -> None:
    lines = _problems(tmp_path, '[audio]\nchanels = 2\n')
    assert lines == ["companion.toml: audio.chanels: unknown key; did you mean 'channels'?"]


def test_an_unknown_section_names_the_nearest_one(tmp_path: Path) -> None:
    lines = _problems(tmp_path, '[trancribe]\nmodel = "tiny.en"\n')
    assert lines == ["companion.toml: trancribe: unknown key; did you mean 'transcribe'?"]


def test_a_wrong_type_names_the_value_and_what_is_allowed(tmp_path: Path) -> None:
    lines = _problems(tmp_path, '[audio]\nsamplerate = "fast"\n')
    assert lines == ["companion.toml: audio.samplerate: wrong type: got 'fast'; "
                     "allowed: a whole number from 8000 to 192000"]


def test_an_unknown_keymap_id_names_the_nearest_binding_id(tmp_path: Path) -> None:
    lines = _problems(tmp_path, '[keymap]\n"live.bookmrk" = "ctrl+b"\n')
    assert lines == ["companion.toml: keymap.live.bookmrk: unknown binding id; "
                     "did you mean 'live.bookmark'?"]


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    lines = _problems(tmp_path, """
[study]
protocl = "semi-structured"
[audio]
format = "mp3"
channels = 3
silence_seconds = 0
[transcribe]
threads = "four"
[keymap]
"live.stp" = "f9"
"sessions.open" = 5
[privacy]
replacements = { "Anna" = 1 }
""")
    assert lines == [
        "companion.toml: study.protocl: unknown key; did you mean 'protocol'?",
        "companion.toml: audio.channels: out of range: got 3; "
        "allowed: 1 (one microphone) or 2 (interviewer, participant)",
        "companion.toml: audio.format: not allowed: got 'mp3'; allowed: flac or wav",
        "companion.toml: audio.silence_seconds: out of range: got 0; "
        "allowed: a number of seconds above 0",
        "companion.toml: transcribe.threads: wrong type: got 'four'; allowed: a whole number ≥ 0",
        "companion.toml: keymap.live.stp: unknown binding id; did you mean 'live.stop'?",
        "companion.toml: keymap.sessions.open: wrong type: got 5; allowed: non-empty text",
        "companion.toml: privacy.replacements.Anna: wrong type: got 1; allowed: text",
    ]


def test_a_syntax_error_names_the_line(tmp_path: Path) -> None:
    lines = _problems(tmp_path, '[audio]\nchannels = = 2\n')
    assert len(lines) == 1 and lines[0].startswith("companion.toml: line 2")
    assert "TOML syntax error" in lines[0]


def test_the_keymap_ids_are_the_tuis_binding_ids() -> None:
    """``companion.keys`` lists every binding id the TUI declares (and no stale ones)."""
    import importlib
    import inspect
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import companion.tui

    declared: dict[str, str] = {}
    for info in pkgutil.walk_packages(companion.tui.__path__, "companion.tui."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__ == module.__name__:
                for binding in cls.__dict__.get("BINDINGS", []):
                    if isinstance(binding, Binding) and binding.id:
                        declared[binding.id] = binding.key
    assert declared, "no TUI bindings found"
    assert set(declared) - BINDING_IDS == set(), "add these TUI binding ids to companion/keys.py"
    assert BINDING_IDS - set(declared) == set(), "these ids in companion/keys.py bind nothing"
    listed = {b.id: b.key for b in KEY_BINDINGS}
    assert {i: k for i, k in declared.items() if listed[i] != k} == {}, (
        "companion/keys.py lists another default key for these ids")
