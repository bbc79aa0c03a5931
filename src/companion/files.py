"""Private files and writes that never destroy.

Everything companion writes holds participant data, so one module decides how files are
made: folders 0700, files 0600 from their first byte, new files created exclusively
(``O_EXCL``, never through a symlink), and whole files written atomically (a temporary
``.part`` file beside the target, then one rename). A write the user points somewhere
(``export -o``, ``report -o``) goes through :func:`output_target`, which refuses what would
destroy: an existing file without ``--force``, a symlink, and - force or not - the study's
own database and its audio.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from companion.errors import InputError

DIR_MODE = 0o700
FILE_MODE = 0o600

# A study's own files no export may replace, force or not (names relative to its root):
# the database with its WAL, index and journal, the identity file, the settings, the
# audio, the backups and the enrolled voice - of this study or any other.
STUDY_MARKER = ".companion-study"
DB_NAME = "companion.db"
"""The study's database file (here, not in the store: opening a study folder imports no
database layer)."""
_DATABASE_NAMES = (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal")
_PROTECTED_NAMES = (*_DATABASE_NAMES, STUDY_MARKER, "companion.toml",
                    ".withdrawal-backup-owed")
_PROTECTED_DIRS = {"recordings": "audio", ".backups": "backups", "voices": "enrolled voice"}
_SQLITE_HEADER = b"SQLite format 3\x00"


def make_private_dir(path: Path, stop_at: Path | None = None) -> Path:
    """Create ``path`` (and missing parents) as 0700 folders.

    Folders between ``stop_at`` and ``path`` are made private too; without ``stop_at`` only
    ``path`` itself is changed (its parents may belong to someone else).
    """
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    current = path
    while True:
        os.chmod(current, DIR_MODE)
        if (stop_at is None or current == stop_at or current.parent == current
                or stop_at not in current.parents):
            break
        current = current.parent
    return path


def create_exclusive(path: Path, flags: int = os.O_RDWR) -> int:
    """A new, empty, private file at ``path``, opened; FileExistsError if anything is there
    (a symlink included: ``O_EXCL`` never follows one)."""
    return os.open(path, flags | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)


def ensure_private_file(path: Path) -> Path:
    """Make sure ``path`` exists as a private file (created 0600, an existing one chmod-ed)."""
    path = Path(path)
    with contextlib.suppress(FileExistsError):
        os.close(create_exclusive(path, os.O_WRONLY))
    make_private(path)
    return path


def make_private(path: Path) -> None:
    """0600 for a file, 0700 for a folder; only for what we own (chmod would fail)."""
    path = Path(path)
    st = path.lstat()
    if st.st_uid != os.getuid() or path.is_symlink():
        return
    os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)


def open_private_append(path: Path) -> int:
    """Open (creating 0600) ``path`` for reading and writing, refusing a symlink."""
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)


NATIVE_LOG = "native-messages.log"
"""What C libraries (PortAudio, ALSA) and child processes write to the terminal while
the app runs goes here, in the user's state folder, never over the screen."""


def state_folder() -> Path:
    """The user's own companion folder for what is not a study's: ``$XDG_STATE_HOME/
    companion``, else ``~/.local/state/companion`` (not made here)."""
    base = os.environ.get("XDG_STATE_HOME") or ""
    root = Path(base) if base.strip() and Path(base).is_absolute() else \
        Path.home() / ".local" / "state"
    return root / "companion"


def native_log_path() -> Path:
    """Where the app keeps the libraries' own messages (``companion doctor`` names it)."""
    return state_folder() / NATIVE_LOG


def _anonymous_file(folder: Path) -> int | None:
    """An unnamed file in ``folder`` (``O_TMPFILE``): a process killed while writing it
    leaves nothing behind, not even a ``.part``. None where the file system or the
    platform cannot make one."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not Path("/proc/self/fd").is_dir():
        return None
    try:
        return os.open(folder, flag | os.O_RDWR, FILE_MODE)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return None
        raise


@contextlib.contextmanager
def atomic_path(target: Path, *, replace: bool = True, named: bool = False
                ) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it becomes ``target``.

    The caller writes the whole file to the yielded path. If the block raises (a crash, a
    full disk, Ctrl-C) the temporary file is removed and ``target`` is left as it was;
    where the system allows, the temporary file has no name at all until it is complete,
    so even SIGKILL leaves nothing. With ``replace=False`` an existing ``target`` is never
    replaced: the file is linked in place, which fails if anything appeared there.
    ``named=True`` gives a real ``.part`` name, for writers that resolve the path they are
    given (SQLite does, and would write beside the unnamed file).
    """
    target = Path(target)
    fd = None if named else _anonymous_file(target.parent)
    if fd is None:
        with _named_part(target, replace=replace) as tmp:
            yield tmp
        return
    tmp = Path(f"/proc/self/fd/{fd}")
    try:
        yield tmp
        os.fchmod(fd, FILE_MODE)
        os.fsync(fd)
        if replace:
            # A name for an instant, then one rename over the target.
            part = target.parent / f".{target.name}.{os.getpid()}.{fd}.part"
            _link_anonymous(tmp, part)
            try:
                os.replace(part, target)
            except BaseException:
                part.unlink(missing_ok=True)
                raise
        else:
            _link_anonymous(tmp, target)
    finally:
        os.close(fd)
    fsync_dir(target.parent)


def _link_anonymous(proc_path: Path, name: Path) -> None:
    # linkat(AT_SYMLINK_FOLLOW) on /proc/self/fd/N gives the unnamed file its name; plain
    # link() would try to link the /proc entry itself. A dir fd makes Python use linkat.
    root = os.open("/", os.O_RDONLY)
    try:
        os.link(proc_path, name, src_dir_fd=root, follow_symlinks=True)
    finally:
        os.close(root)


@contextlib.contextmanager
def _named_part(target: Path, *, replace: bool) -> Iterator[Path]:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                    dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, FILE_MODE)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            os.link(tmp, target, follow_symlinks=False)
            tmp.unlink()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)


def atomic_write(target: Path, data: bytes | str, *, encoding: str = "utf-8",
                 replace: bool = True) -> Path:
    """Write ``data`` to ``target`` atomically (text is encoded, newlines kept as given)."""
    payload = data.encode(encoding) if isinstance(data, str) else data
    with atomic_path(target, replace=replace) as tmp:
        tmp.write_bytes(payload)
    return Path(target)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def is_folder_request(raw: str | os.PathLike[str]) -> bool:
    """``-o out/`` (a trailing slash) names a folder, even one that does not exist yet."""
    text = os.fspath(raw)
    return text.endswith(os.sep) or (os.altsep is not None and text.endswith(os.altsep))


def is_study_folder(folder: Path) -> bool:
    """A folder holding a study: its identity file, or (made before there was one) its
    database."""
    return (folder / STUDY_MARKER).is_file() or (folder / DB_NAME).is_file()


def real_target(path: Path) -> Path:
    """Where a write to ``path`` lands, however it is spelt (``..``, a linked folder); the
    last name itself is not followed (a symbolic link there is refused on its own)."""
    path = Path(path).expanduser()
    if path.name in ("", ".", ".."):
        return path.resolve()
    return path.parent.resolve() / path.name


def _study_part(rel: Path) -> str | None:
    """What ``rel`` (a path inside a study folder) is, if it is one of the study's own."""
    parts = rel.parts
    if not parts:
        return "the study folder itself"
    if parts[0] in _PROTECTED_DIRS:
        return f"the study's {_PROTECTED_DIRS[parts[0]]}"
    if len(parts) == 1:
        if parts[0] in _DATABASE_NAMES or parts[0].startswith(f"{DB_NAME}."):
            return "the study's database"
        if parts[0] in _PROTECTED_NAMES:
            return "one of the study's own files"
    return None


def protected_reason(path: Path, study_root: Path | None) -> str | None:
    """Why ``path`` is a study's own file no export may touch, or None.

    This study's and any other's: every folder above the target that is a study (by its
    identity file or database) is asked. An existing SQLite database is never replaced
    whatever its name (a study's database copied or renamed)."""
    target = real_target(path)
    own = Path(study_root).resolve() if study_root is not None else None
    roots = [own] if own is not None else []
    roots += [folder for folder in target.parents if is_study_folder(folder)]
    for root in dict.fromkeys(roots):
        if target != root and root not in target.parents:
            continue
        what = _study_part(target.relative_to(root))
        if what is not None:
            if root == own:
                return f"it is {what}"
            return f"it is {what.replace('the study', 'another study', 1)} (in {root})"
    with contextlib.suppress(OSError):
        st = os.stat(target, follow_symlinks=False)
        # A hard link (or another path) to this study's database is that database.
        if own is not None:
            for name in _DATABASE_NAMES:
                with contextlib.suppress(OSError):
                    o = os.stat(own / name)
                    if (o.st_ino, o.st_dev) == (st.st_ino, st.st_dev):
                        return "it is the study's database"
        if stat.S_ISREG(st.st_mode):
            with open(target, "rb") as handle:
                if handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER:
                    return "it is an SQLite database (a study's database, copied or renamed?)"
    return None


def check_output_file(path: Path, *, study_root: Path | None, force: bool,
                      option: str = "-o") -> Path:
    """Refuse a target file that writing would destroy; return it unchanged otherwise.

    Never the study's own database or audio (force or not); never a symlink (it would
    write wherever the link points); an existing file only with ``--force``.
    """
    path = Path(path)
    reason = protected_reason(path, study_root)
    if reason:
        raise InputError(option, str(path), "a path outside any study's database, audio "
                         "and backups", hint=f"{reason}; nothing was written, --force does "
                         "not change this")
    if path.is_symlink():
        raise InputError(option, str(path), "a path that is not a symbolic link",
                         hint="links are not followed; name the real file")
    if path.is_dir():
        raise InputError(option, str(path), "a file (end the path with / for a folder)")
    if path.exists() and not force:
        raise InputError(option, str(path), "a path that does not exist yet",
                         hint="add --force to replace it")
    if not path.parent.is_dir():
        raise InputError(option, str(path), "a file in an existing folder",
                         hint="end the path with / to create a folder")
    return path


def output_folder(raw: str | os.PathLike[str], *, create: bool, option: str = "-o",
                  study_root: Path | None = None) -> Path:
    """The folder a trailing-slash ``-o`` names, created (0700) when ``create`` and missing."""
    folder = Path(raw).expanduser()
    if folder.is_symlink():
        raise InputError(option, str(folder), "a folder that is not a symbolic link",
                         hint="links are not followed; name the real folder")
    if folder.exists() and not folder.is_dir():
        raise InputError(option, str(folder), "a folder, not a file")
    if study_root is not None:
        reason = protected_reason(folder / "x", study_root)
        if reason:
            raise InputError(option, str(folder), "a folder outside the study's audio",
                             hint=reason)
    if not folder.exists():
        if not create:
            raise InputError(option, str(folder), "an existing folder")
        try:
            make_private_dir(folder)
        except OSError as exc:
            raise InputError(option, str(folder), "a folder that can be created",
                             hint=exc.strerror or str(exc)) from None
    return folder


def output_target(raw: str | os.PathLike[str], default_name: str, *,
                  study_root: Path | None, force: bool, option: str = "-o") -> Path:
    """Where ``-o RAW`` writes a file called ``default_name`` by default.

    A trailing slash, or an existing folder, means "inside this folder" (created if
    missing); anything else is the file itself. The result has passed
    :func:`check_output_file`.
    """
    path = Path(raw).expanduser()
    if is_folder_request(raw) or (path.is_dir() and not path.is_symlink()):
        path = output_folder(raw, create=True, option=option, study_root=study_root) \
            / default_name
    return check_output_file(path, study_root=study_root, force=force, option=option)


def write_error(exc: OSError, path: Path) -> str:
    """A one-line reason for a failed write, in plain words."""
    reasons = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
               errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
               errno.EPERM: "permission denied", errno.EEXIST: "something is already there"}
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return f"could not write {path}: {reason}; nothing was written"


__all__ = ["DIR_MODE", "FILE_MODE", "STUDY_MARKER", "atomic_path", "atomic_write",
           "check_output_file", "create_exclusive", "ensure_private_file", "fsync_dir",
           "is_folder_request", "is_study_folder", "make_private", "make_private_dir",
           "open_private_append", "output_folder", "output_target", "protected_reason",
           "real_target", "write_error"]


def describe_failure(exc: BaseException) -> str:
    """One line for an error from the file system or SQLite that reached the front."""
    import sqlite3

    if isinstance(exc, OSError):
        where = exc.filename or "a file"
        reasons = {errno.ENOSPC: "the disk is full: free some space and try again",
                   errno.EDQUOT: "the disk quota is used up: free some space",
                   errno.EROFS: "the folder is on a read-only file system",
                   errno.EACCES: "permission denied", errno.EPERM: "permission denied"}
        reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
        return f"could not write {where}: {reason}; nothing was changed"
    if isinstance(exc, sqlite3.Error):
        text = str(exc)
        if "full" in text:
            return "the study database could not be written: the disk is full; free some " \
                "space and try again (nothing was changed)"
        if "readonly" in text or "read-only" in text:
            return "the study database is on a read-only file system; nothing was changed"
        return f"the study database failed ({text}); run 'companion doctor' to check it"
    return str(exc)


# Characters XML 1.0 cannot carry at all (not even escaped): C0 controls but tab, newline
# and carriage return; surrogates; U+FFFE and U+FFFF.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_illegal(text: str) -> str | None:
    """The first character of ``text`` XML cannot carry, or None."""
    found = _XML_ILLEGAL.search(text)
    return found.group(0) if found else None


def xml_text(text: str) -> str:
    """``text`` with every character XML cannot carry replaced by U+FFFD (the exports'
    safety net for text stored before such characters were refused at input)."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def outside_note(path: Path, study_root: Path) -> str:
    """A reminder after a write outside the study folder (withdrawal cannot erase it)."""
    root = Path(study_root).resolve()
    if root in Path(path).resolve().parents:
        return ""
    return " (outside the study folder: a withdrawal will name this copy but cannot erase it)"
