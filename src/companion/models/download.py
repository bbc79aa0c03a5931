"""``companion model download NAME``: fetch a named model from the Hugging Face hub.

Only ever on the user's explicit request: nothing else in companion opens a connection.
The size is asked first (the caller shows it and may ask for confirmation), then the files
are downloaded into the user's model folder with a progress bar.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from companion.errors import CompanionError, InputError
from companion.models import bundled
from companion.models.store import check_model_folder, ensure_models_dir, make_private, models_dir

# What faster-whisper itself fetches of a model repository.
FILES = ("config.json", "preprocessor_config.json", "model.bin", "tokenizer.json",
         "vocabulary.json", "vocabulary.txt")


@dataclass(frozen=True)
class RemoteModel:
    name: str
    repo_id: str
    files: tuple[tuple[str, int], ...]  # (file name, bytes)

    @property
    def size_bytes(self) -> int:
        return sum(size for _, size in self.files)


def repo_for(name: str) -> str:
    from faster_whisper.utils import _MODELS

    if name not in _MODELS:
        raise InputError("NAME", name, "a model name: " + ", ".join(_MODELS))
    if name == bundled.NAME and bundled.packages_installed():
        raise InputError("NAME", name, "a model not installed yet",
                         hint=f"{name} comes with the installed packages: nothing to download")
    if (models_dir() / name).exists():
        raise InputError("NAME", name, f"a model not yet in {models_dir()}")
    return str(_MODELS[name])


def remote_model(name: str) -> RemoteModel:
    """The files and sizes of model ``name`` on the hub (one small request)."""
    repo = repo_for(name)
    from huggingface_hub import HfApi

    try:
        info = HfApi().model_info(repo, files_metadata=True)
    except Exception as exc:  # offline, proxy, hub down: one line, not a traceback
        raise CompanionError(f"cannot reach the model hub for {name} ({repo}): "
                             f"{type(exc).__name__}") from None
    files = tuple((s.rfilename, int(s.size or 0)) for s in info.siblings or []
                  if s.rfilename in FILES)
    if not any(f == "model.bin" for f, _ in files):
        raise CompanionError(f"{repo} has no model.bin: not a faster-whisper model")
    return RemoteModel(name, repo, files)


def download(remote: RemoteModel, on_bytes: Callable[[int], None]) -> Path:
    """Download every file of ``remote`` into the user's model folder; returns the folder.

    ``on_bytes(n)`` is called as bytes arrive (for a progress bar). Written into a hidden
    temporary folder and renamed into place when complete and checked.
    """
    import urllib.request

    from huggingface_hub import hf_hub_url

    parent = ensure_models_dir()
    target = parent / remote.name
    tmp = Path(tempfile.mkdtemp(prefix=f".{remote.name}-", dir=parent))
    try:
        for filename, _ in remote.files:
            url = hf_hub_url(remote.repo_id, filename)
            with urllib.request.urlopen(url, timeout=60) as response, \
                    (tmp / filename).open("wb") as out:
                while block := response.read(1 << 20):
                    out.write(block)
                    on_bytes(len(block))
        check_model_folder(tmp, field="download")
        make_private(tmp)
        os.replace(tmp, target)
    except Exception as exc:
        if isinstance(exc, CompanionError):
            raise
        raise CompanionError(f"download of {remote.name} failed: {type(exc).__name__}: "
                             f"{exc}".splitlines()[0]) from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
