"""The user's model folder and what makes a folder a faster-whisper model.

Models are not study data: one copy serves every study of the user, so they live under
``$XDG_DATA_HOME/companion/models`` (``~/.local/share/...``), private to the user like
everything else companion writes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from companion.errors import InputError
from companion.files import make_private as make_private_file
from companion.files import make_private_dir

MODELS_ENV = "COMPANION_MODELS_DIR"
MULTILINGUAL_VOCABULARY = 51865
"""English-only Whisper vocabularies have 51864 tokens, multilingual ones 51865 or more
(both list the language tokens, so their presence says nothing)."""

REQUIRED = ("config.json", "model.bin")
TOKENIZERS = ("tokenizer.json", "vocabulary.txt", "vocabulary.json")


def models_dir() -> Path:
    """Where the user's models live (not created here)."""
    override = os.environ.get(MODELS_ENV)
    if override:
        return Path(override).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "companion" / "models"


def ensure_models_dir() -> Path:
    """The user's model folder, created private (0700) when missing."""
    folder = models_dir()
    # Both companion's own data folder and the model folder are created private.
    return make_private_dir(folder, stop_at=folder.parent)


@dataclass(frozen=True)
class FolderInfo:
    """A checked model folder."""

    path: Path
    size_bytes: int
    multilingual: bool


def vocabulary_size(path: Path) -> int | None:
    """Tokens in the folder's vocabulary, or None when it has no vocabulary file."""
    txt, js = path / "vocabulary.txt", path / "vocabulary.json"
    if txt.is_file():
        with txt.open(encoding="utf-8", errors="ignore") as handle:
            return sum(1 for _ in handle)
    if js.is_file():
        return len(json.loads(js.read_text(encoding="utf-8", errors="ignore")))
    tok = path / "tokenizer.json"
    if tok.is_file():
        data = json.loads(tok.read_text(encoding="utf-8", errors="ignore"))
        vocab = data.get("model", {}).get("vocab", {})
        return len(vocab) + len(data.get("added_tokens", []))
    return None


def is_multilingual(path: Path) -> bool:
    count = vocabulary_size(path)
    if count is None:
        return not path.name.endswith(".en")
    return count >= MULTILINGUAL_VOCABULARY


def holds_model(path: Path) -> bool:
    """A folder with a ``model.bin``: what a model name or path must point at."""
    return path.is_dir() and (path / "model.bin").is_file()


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def check_model_folder(path: Path, *, field: str = "PATH") -> FolderInfo:
    """A faster-whisper (CTranslate2) model folder: config.json, model.bin and a
    tokenizer or vocabulary, config.json readable. InputError naming what is missing."""
    shown = str(path)
    if not path.is_dir():
        raise InputError(field, shown, "a folder holding a faster-whisper model "
                         "(config.json, model.bin, tokenizer.json or vocabulary.txt)")
    missing = [name for name in REQUIRED if not (path / name).is_file()]
    if not any((path / name).is_file() for name in TOKENIZERS):
        missing.append("tokenizer.json or vocabulary.txt")
    if missing:
        raise InputError(field, shown, "a faster-whisper model folder; missing: "
                         + ", ".join(missing))
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(field, shown, "a model folder whose config.json is valid JSON") from None
    if not isinstance(config, dict):
        raise InputError(field, shown, "a model folder whose config.json is a JSON object")
    if (path / "model.bin").stat().st_size == 0:
        raise InputError(field, shown, "a model folder with a non-empty model.bin")
    return FolderInfo(path, folder_size(path), is_multilingual(path))


def installed_folders() -> dict[str, Path]:
    """Model folders in the user's model folder, by name (folders with a model.bin)."""
    folder = models_dir()
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir())
            if not p.name.startswith(".") and holds_model(p)}


def make_private(path: Path) -> None:
    """0700 folders, 0600 files, all the way down (a model copied or joined by us)."""
    for item in [path, *path.rglob("*")]:
        make_private_file(item)
