"""Finding protocols: the ones shipped with companion and a study's own.

A study folder may hold ``protocols/*.toml``; a study protocol with the same id as a shipped
one replaces it, so a team can adapt the default interview without touching the install.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from companion.errors import NotFoundError
from companion.protocol.loader import Problem, ProtocolError, load_protocol
from companion.protocol.model import Protocol

DEFAULT_PROTOCOL_ID = "pain-alliance"


def packaged_protocols_dir() -> Path:
    """The folder of shipped protocol files.

    In a wheel they sit inside the package (``companion/protocols``, force-included by the
    build); in an editable install they stay at the top of the repository, next to ``src``.
    """
    packaged = resources.files("companion") / "protocols"
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "protocols"


def study_protocols_dir(study_dir: Path) -> Path:
    return Path(study_dir) / "protocols"


def available_protocols(study_dir: Path | None = None) -> dict[str, Protocol]:
    """All protocols by id, sorted by id: shipped ones, then the study's, which win by id.

    A broken file raises ``ProtocolError`` rather than being skipped: a protocol that
    silently disappears from the list is harder to diagnose than an error naming the line.
    """
    found: dict[str, Protocol] = {}
    folders = [packaged_protocols_dir()]
    if study_dir is not None:
        folders.append(study_protocols_dir(study_dir))
    for folder in folders:
        found.update(_load_folder(folder))
    return dict(sorted(found.items()))


def get_protocol(protocol_id: str, study_dir: Path | None = None) -> Protocol:
    """One protocol by id; a path to a ``.toml`` file is accepted too."""
    candidate = Path(protocol_id)
    if candidate.suffix == ".toml" and candidate.is_file():
        return load_protocol(candidate)
    protocols = available_protocols(study_dir)
    if protocol_id not in protocols:
        raise NotFoundError("protocol", protocol_id, "one of: " + ", ".join(protocols))
    return protocols[protocol_id]


def _load_folder(folder: Path) -> dict[str, Protocol]:
    result: dict[str, Protocol] = {}
    if not folder.is_dir():
        return result
    for path in sorted(folder.glob("*.toml")):
        protocol = load_protocol(path)
        if protocol.id in result:
            # Two files in one folder claiming the same id: which one wins would depend on
            # file names, so refuse instead of guessing.
            other = result[protocol.id].path.name
            raise ProtocolError(
                path,
                [
                    Problem(
                        path.name,
                        "id",
                        "duplicate protocol id",
                        found=protocol.id,
                        hint=f"already used by {other} in the same folder",
                    )
                ],
            )
        result[protocol.id] = protocol
    return result
