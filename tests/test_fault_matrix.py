"""The fault matrix: what the machine does to a study, not what the user types.

A full disk (a real 2 MB tmpfs), read-only exports/ and recordings/ (read-only bind
mounts), a damaged or emptied database, audio emptied after import, characters XML cannot
carry, a second transcription of a session already being transcribed, and targets that
writing would destroy. Every row runs the real CLI as a subprocess and must exit 2 with
exactly one line on stderr, no traceback, and leave every byte of the study folder as it
was. Mounting needs root; where it is refused the rows say so and are skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.dom import minidom

import numpy as np
import pytest
import soundfile as sf

from companion.operations.recording import import_audio
from companion.store.participants import add_participant
from companion.study import init_study
from tests.support.interview import make_interview
from tests.support.models import damaged_tiny_en

SRC = Path(__file__).parents[1] / "src"


def _cli(study: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-m", "companion.cli", "--study", str(study),
                           *args], capture_output=True, text=True, env=env, timeout=timeout)


def _snapshot(root: Path) -> dict[str, str]:
    """Every file's bytes (by hash) and every folder. The SHM is SQLite's shared-memory
    index, rebuilt on every open; a WAL must be gone or empty (nothing was committed)."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.name.endswith("-shm"):
            continue
        if path.name.endswith("-wal"):
            assert path.stat().st_size == 0, f"{rel} holds a commit"
            continue
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "/"
    return out


def _make_study(root: Path, wav: Path) -> None:
    study, _ = init_study(root)
    db = study.db()
    made = make_interview(study, db, "P05", audio=False)
    assert made.session_id == 1
    import_audio(study, 1, wav)
    db.execute("UPDATE participants SET consent_date = '2026-01-05'")  # may record
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()


def _speech(path: Path, seconds: float = 1.0) -> Path:
    frames = int(16_000 * seconds)
    sf.write(path, (np.sin(np.arange(frames) / 7) * 5000).astype(np.int16), 16_000)
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fault-template")
    _make_study(base / "study", _speech(base / "in.wav"))
    return base / "study"


@contextlib.contextmanager
def _mounted(*command: str) -> Iterator[None]:
    done = subprocess.run(["mount", *command], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({done.stderr.strip() or 'mount failed'}): "
                    "this row needs root")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", command[-1]], check=False)


@contextlib.contextmanager
def full_disk(template: Path, tmp: Path, *, study_on_it: bool = True,
              spoil: Callable[[Path], None] | None = None, room: int = 0) -> Iterator[Path]:
    """A 2 MB tmpfs filled to the last byte (but ``room``), holding the study (or only the
    export target: then the database opens and the write itself meets the full disk)."""
    disk = tmp / "disk"
    disk.mkdir()
    with _mounted("-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(disk)):
        study = disk / "study" if study_on_it else tmp / "study"
        shutil.copytree(template, study, symlinks=True)
        if spoil is not None:
            spoil(study)
        fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            for size in (65536, 4096, 1):  # to the last byte
                with contextlib.suppress(OSError):
                    while True:
                        os.write(fd, b"\0" * size)
        finally:
            os.close(fd)
        if room:
            os.truncate(disk / "filler", max(0, (disk / "filler").stat().st_size - room))
        yield study


@contextlib.contextmanager
def read_only(template: Path, tmp: Path, folder: str) -> Iterator[Path]:
    study = tmp / "study"
    shutil.copytree(template, study, symlinks=True)
    target = study / folder
    with _mounted("--bind", str(target), str(target)):
        done = subprocess.run(["mount", "-o", "remount,ro,bind", str(target)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only here ({done.stderr.strip()})")
        yield study


@contextlib.contextmanager
def plain(template: Path, tmp: Path, spoil: Callable[[Path], None] | None = None
          ) -> Iterator[Path]:
    study = tmp / "study"
    shutil.copytree(template, study, symlinks=True)
    if spoil is not None:
        spoil(study)
    yield study


def _garbage_mid_file(study: Path) -> None:
    db = study / "companion.db"
    data = bytearray(db.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 8192] = os.urandom(8192)
    db.write_bytes(bytes(data))


def _empty_db(study: Path) -> None:
    (study / "companion.db").write_bytes(b"")


def _emptied_audio(study: Path) -> None:
    for path in (study / "recordings").rglob("*.flac"):
        path.write_bytes(b"")


def _halved_audio(study: Path) -> None:
    for path in (study / "recordings").rglob("*-imported.flac"):
        info = sf.info(str(path))
        data, rate = sf.read(str(path), dtype="int16")
        path.unlink()
        sf.write(str(path), data[: info.frames // 3], rate, format="FLAC")


_HELD: list[int] = []


def _being_transcribed(study: Path) -> None:
    """Another process holds the session's transcription lock (as a running one does)."""
    import fcntl

    fd = os.open(study / "recordings" / "P05" / "1" / ".transcribing.lock",
                 os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _HELD.append(fd)


@pytest.fixture(autouse=True)
def _release_held() -> Iterator[None]:
    yield
    while _HELD:
        os.close(_HELD.pop())


def _cut_off_recording(study: Path) -> None:
    """A recorder that died: the session still 'live', its lock free."""
    conn = sqlite3.connect(study / "companion.db")
    conn.execute("UPDATE sessions SET status = 'live' WHERE id = 1")
    conn.execute("UPDATE recording_segments SET status = 'recording' WHERE session_id = 1")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _other_study(study: Path) -> Path:
    """Another study beside this one, with a participant (and a recording) of its own."""
    other = study.parent / "other"
    if not other.exists():
        made, _ = init_study(other)
        db = made.db()
        add_participant(db, "Q1")
        db.conn.close()
        (other / "recordings" / "Q1").mkdir(parents=True)
        _speech(other / "recordings" / "Q1" / "take.wav", 0.2)
    return other


def _linked_other(study: Path) -> None:
    (study.parent / "olink").symlink_to(_other_study(study))


def _renamed_database(study: Path) -> None:
    shutil.copy(_other_study(study) / "companion.db", study.parent / "old-study.sqlite")


def _no_audio_emptied(study: Path) -> None:
    """Participants and a sound backup, no audio: only the study's identity says that the
    empty file is a lost database and not a new study."""
    shutil.rmtree(study / "recordings")
    (study / "recordings").mkdir(mode=0o700)
    _empty_db(study)


def _missing_db(study: Path) -> None:
    (study / "companion.db").unlink()


def _foreign_db(study: Path) -> None:
    shutil.copy(_other_study(study) / "companion.db", study / "companion.db")


def _deep_settings(study: Path) -> None:
    (study / "companion.toml").write_text("[study]\ninterviewer = " + "[" * 600 + "]" * 600
                                          + "\n")


def _existing_target(study: Path) -> None:
    (study.parent / "taken.txt").write_text("my own file\n")


def _symlink_target(study: Path) -> None:
    (study.parent / "victim.txt").write_text("precious\n")
    (study.parent / "link.txt").symlink_to(study.parent / "victim.txt")


@dataclass(frozen=True)
class Row:
    setting: str  # full-disk, ro-exports, ro-recordings, or plain
    args: tuple[str, ...]
    says: str  # a word the one line must hold
    spoil: Callable[[Path], None] | None = None
    room: int = 0  # bytes left free on the full disk


ROWS: dict[str, Row] = {
    # A full disk: no command half-writes, none crashes.
    "full disk: note": Row("full-disk", ("note", "1", "a thought on the full disk"), "full"),
    "full disk: export": Row("full-disk", ("export", "1", "--format", "docx"), "full"),
    "full disk: export -o": Row("full-disk", ("export", "1", "--format", "qdpx",
                                              "-o", "{disk}/out/"), "full"),
    "full disk: report -o": Row("full-disk", ("report", "-o", "{disk}/report.md"), "full"),
    "full disk: participant add": Row("full-disk", ("participant", "add", "P06"), "full"),
    "full disk: import-audio": Row("full-disk", ("import-audio", "1", "{wav}"), "full"),
    "full disk: recover": Row("full-disk", ("recover", "1"), "full", _cut_off_recording),
    # Room for the start of the decoded audio, not for all of it: libsndfile's failed
    # write is the full disk it is.
    "nearly full disk: import-audio": Row("full-disk", ("import-audio", "1", "{noise}"),
                                          "full", room=96 * 1024),
    # The study has room; the export target is the full disk.
    "full target: export -o": Row("full-target", ("export", "1", "--format", "docx",
                                                  "-o", "{tmp}/disk/"), "full"),
    "full target: report -o": Row("full-target", ("report", "-o", "{tmp}/disk/r.html",
                                                  "--format", "html"), "full"),
    # Read-only folders.
    "read-only exports/": Row("ro-exports", ("export", "1", "--format", "txt"), "read-only"),
    "read-only recordings/: import": Row("ro-recordings", ("import-audio", "1", "{wav}"),
                                         "read-only"),
    "read-only recordings/: record": Row("ro-recordings", ("record", "1", "--device", "fakemic",
                                                           "--seconds", "1"), "read-only"),
    # A damaged store is named, whatever the command.
    "garbage mid-file: export": Row("plain", ("export", "1", "--format", "txt"), "damaged",
                                    _garbage_mid_file),
    "garbage mid-file: transcribe": Row("plain", ("transcribe", "1"), "damaged",
                                        _garbage_mid_file),
    "garbage mid-file: note": Row("plain", ("note", "1", "x"), "damaged", _garbage_mid_file),
    "emptied database beside audio": Row("plain", ("participant", "list"), "empty",
                                         _empty_db),
    "emptied database: init": Row("plain", ("init",), "empty", _empty_db),
    # No audio: the study's identity file (and its backup) say the database was lost.
    "emptied database, no audio": Row("plain", ("participant", "list"), "empty",
                                      _no_audio_emptied),
    "emptied database, no audio: init": Row("plain", ("init",), "empty", _no_audio_emptied),
    "missing database": Row("plain", ("session", "list"), "missing", _missing_db),
    "missing database: init": Row("plain", ("init",), "missing", _missing_db),
    "missing database: note": Row("plain", ("note", "1", "x"), "missing", _missing_db),
    "another study's database": Row("plain", ("participant", "list"), "another study",
                                     _foreign_db),
    # A settings file nested past the parser's recursion: named, not a RecursionError.
    "companion.toml nested 600 deep": Row("plain", ("export", "1", "--format", "txt"),
                                          "nested", _deep_settings),
    # Audio damaged after import: named, not "done, 0 segments".
    "audio emptied after import": Row("plain", ("transcribe", "1"), "recording",
                                      _emptied_audio),
    "audio cut short after import": Row("plain", ("transcribe", "1"), "damaged",
                                        _halved_audio),
    # A second transcription of a session already being transcribed.
    "concurrent transcribe": Row("plain", ("transcribe", "1"), "being transcribed",
                                 _being_transcribed),
    # A model whose weights were changed: named as damaged before anything is written
    # (not a transcript of "(unintelligible)" marked done).
    "damaged model: transcribe": Row("plain", ("transcribe", "1", "--restart", "--model",
                                               "{damaged}"), "damaged"),
    # Withdrawing a participant whose session is being transcribed: refused, not erased
    # from under the transcriber.
    "withdraw while transcribing": Row("plain", ("withdraw", "P05", "--yes"),
                                       "being transcribed", _being_transcribed),
    # Characters XML cannot carry are refused at input.
    "note with U+FFFE": Row("plain", ("note", "1", "odd \ufffe char"), "U+FFFE"),
    "note with U+FFFF": Row("plain", ("note", "1", "odd \uffff char"), "U+FFFF"),
    # Targets a write would destroy.
    "-o existing file": Row("plain", ("export", "1", "--format", "txt",
                                      "-o", "{tmp}/taken.txt"), "--force", _existing_target),
    "-o symlink, forced": Row("plain", ("report", "-o", "{tmp}/link.txt", "--force"),
                              "symbolic link", _symlink_target),
    "-o the database, forced": Row("plain", ("export", "1", "--format", "txt", "-o",
                                             "{study}/companion.db", "--force"), "database"),
    # Another study's files: recognised by its identity file, however the path is spelt.
    "-o another study's database, forced": Row(
        "plain", ("export", "1", "--format", "txt", "-o", "{tmp}/other/companion.db",
                  "--force"), "another study's database", _other_study),
    "-o another study's database by ..": Row(
        "plain", ("export", "1", "--format", "txt", "-o",
                  "{tmp}/other/exports/../companion.db", "--force"),
        "another study's database", _other_study),
    "-o another study's database through a link": Row(
        "plain", ("report", "-o", "{tmp}/olink/companion.db", "--force"),
        "another study's database", _linked_other),
    "-o another study's WAL": Row(
        "plain", ("export", "1", "--format", "txt", "-o", "{tmp}/other/companion.db-wal",
                  "--force"), "another study's database", _other_study),
    "-o another study's recording": Row(
        "plain", ("export", "1", "--format", "txt", "-o",
                  "{tmp}/other/recordings/Q1/take.wav", "--force"), "another study's audio",
        _other_study),
    "-o another study's backups": Row(
        "plain", ("export", "1", "--format", "txt", "-o", "{tmp}/other/.backups/",
                  "--force"), "another study's backups", _other_study),
    "-o a renamed database": Row(
        "plain", ("export", "1", "--format", "txt", "-o", "{tmp}/old-study.sqlite",
                  "--force"), "SQLite database", _renamed_database),
}


@contextlib.contextmanager
def _setting(row: Row, template: Path, tmp: Path) -> Iterator[Path]:
    if row.setting == "full-disk":
        with full_disk(template, tmp, spoil=row.spoil, room=row.room) as study:
            yield study
    elif row.setting == "full-target":
        with full_disk(template, tmp, study_on_it=False) as study:
            yield study
    elif row.setting == "ro-exports":
        with read_only(template, tmp, "exports") as study:
            yield study
    elif row.setting == "ro-recordings":
        with read_only(template, tmp, "recordings") as study:
            yield study
    else:
        with plain(template, tmp, row.spoil) as study:
            yield study


@pytest.mark.parametrize("name", list(ROWS))
def test_fault_is_one_line_exit_2_and_writes_nothing(name: str, template: Path,
                                                     tmp_path: Path, damaged_model: Path
                                                     ) -> None:
    row = ROWS[name]
    wav = _speech(tmp_path / "more.wav", 0.5)
    noise = tmp_path / "noise.wav"
    sf.write(noise, (np.random.default_rng(24).standard_normal(16_000 * 8) * 8000).astype(
        np.int16), 16_000)
    with _setting(row, template, tmp_path) as study:
        args = [a.format(disk=study.parent, wav=wav, tmp=study.parent, study=study,
                         noise=noise, damaged=damaged_model) for a in row.args]
        before = _snapshot(study)
        other = study.parent / "other"
        other_before = _snapshot(other) if other.is_dir() else None
        outside_before = sorted(p.name for p in study.parent.iterdir())
        result = _cli(study, *args)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
        assert len(lines) == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert row.says in lines[0], lines[0]
        assert _snapshot(study) == before
        if other_before is not None:  # another study, untouched
            assert _snapshot(other) == other_before
        assert sorted(p.name for p in study.parent.iterdir()) == outside_before
        assert not list(study.parent.rglob("*.part"))
        if row.setting == "full-target":
            assert sorted(p.name for p in (tmp_path / "disk").iterdir()) == ["filler"]


def test_doctor_names_a_damaged_store_and_repairs_it_from_a_backup(template: Path,
                                                                   tmp_path: Path) -> None:
    from companion.store.backup import backup_study, list_backups

    study = tmp_path / "study"
    shutil.copytree(template, study, symlinks=True)
    assert backup_study(study) is not None
    kept = list_backups(study)
    _garbage_mid_file(study)
    doctor = _cli(study, "doctor")
    assert doctor.returncode == 1 and "Traceback" not in doctor.stderr + doctor.stdout
    assert "[FAIL] database: companion.db is damaged" in doctor.stdout
    assert "doctor --repair" in doctor.stdout
    repaired = _cli(study, "doctor", "--repair")
    assert "[ok  ] database: restored from the backup of" in repaired.stdout, repaired.stdout
    assert list(study.glob("companion.db.damaged-*"))  # the damaged file is kept
    listing = _cli(study, "participant", "list")
    assert listing.returncode == 0 and "P05" in listing.stdout
    assert list_backups(study) == kept  # restoring takes none of the damaged file

    # An emptied database beside audio: named by doctor too, and restored.
    _empty_db(study)
    doctor = _cli(study, "doctor")
    assert "[FAIL] database: companion.db is empty although this study's database held" \
        in doctor.stdout
    assert _cli(study, "doctor", "--repair").returncode in (0, 1)
    assert "P05" in _cli(study, "participant", "list").stdout


def test_backups_rotate_and_skip_a_damaged_database(template: Path, tmp_path: Path) -> None:
    from companion.store.backup import KEEP, backup_study, list_backups

    study = tmp_path / "study"
    shutil.copytree(template, study, symlinks=True)
    for _ in range(KEEP + 2):
        assert backup_study(study) is not None
    kept = list_backups(study)
    assert len(kept) == KEEP
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in kept)
    _garbage_mid_file(study)
    assert backup_study(study) is None and list_backups(study) == kept


def test_exports_stay_well_formed_with_characters_stored_before_they_were_refused(
        template: Path, tmp_path: Path) -> None:
    study = tmp_path / "study"
    shutil.copytree(template, study, symlinks=True)
    conn = sqlite3.connect(study / "companion.db")
    conn.execute("UPDATE notes SET text = 'odd \ufffe and \uffff here' WHERE id = "
                 "(SELECT min(id) FROM notes WHERE text != '')")
    conn.commit()
    conn.close()
    out = tmp_path / "out"
    for fmt in ("docx", "qdpx"):
        result = _cli(study, "export", "1", "--format", fmt, "-o", f"{out}/")
        assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out / "P05_session-1.docx") as docx:
        body = docx.read("word/document.xml").decode()
    minidom.parseString(body)
    assert "odd \ufffd and \ufffd here" in body
    with zipfile.ZipFile(out / "P05_session-1.qdpx") as qdpx:
        project = qdpx.read("project.qde").decode()
    minidom.parseString(project)
    assert "\uffff" not in project and "odd \ufffd and \ufffd here" in project


def test_notes_refuse_xml_illegal_characters_at_input(template: Path, tmp_path: Path) -> None:
    study = tmp_path / "study"
    shutil.copytree(template, study, symlinks=True)
    for ch in ("\ufffe", "\uffff"):
        result = _cli(study, "note", "1", f"x{ch}y")
        assert result.returncode == 2 and f"U+{ord(ch):04X}" in result.stderr
    conn = sqlite3.connect(study / "companion.db")
    assert not conn.execute("SELECT count(*) FROM notes WHERE text LIKE 'x%y'").fetchone()[0]
    conn.close()


@pytest.mark.parametrize("ext", ["wav", "flac"])
def test_a_truncated_import_warns_and_keeps_what_is_there(ext: str, template: Path,
                                                          tmp_path: Path) -> None:
    study = tmp_path / "study"
    shutil.copytree(template, study, symlinks=True)
    whole = tmp_path / f"whole.{ext}"
    sf.write(whole, (np.sin(np.arange(48_000 * 3) / 7) * 5000).astype(np.int16), 48_000)
    cut = tmp_path / f"cut.{ext}"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])

    fine = _cli(study, "import-audio", "1", str(whole))
    assert fine.returncode == 0 and fine.stderr == "", fine.stderr
    result = _cli(study, "import-audio", "1", str(cut))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"warning: {cut} is truncated"), lines
    conn = sqlite3.connect(study / "companion.db")
    reasons = [r[0] for r in conn.execute(
        "SELECT end_reason FROM recording_segments WHERE session_id = 1 ORDER BY seq")]
    conn.close()
    assert reasons[-2:] == ["imported", "imported, truncated"]


def test_the_recorder_on_a_full_disk_stops_cleanly_and_the_session_continues(
        template: Path, tmp_path: Path) -> None:
    """A real full disk under a recording: one line, no traceback, the audio so far saved
    and valid, and the session continuable (not left 'live')."""
    from tests.support.audio import feed_fakemic

    rng = np.random.default_rng(3)
    feed_fakemic((rng.standard_normal(48_000 * 30) * 4000).astype(np.int16))
    # Room for a few seconds of 48 kHz WAV (and the database's own writes), then nothing;
    # measured from what the study leaves free, so a larger study does not eat the room.
    with full_disk(template, tmp_path, room=600 * 1024) as study:
        result = _cli(study, "record", "1", "--device", "fakemic", "--format", "wav",
                      "--seconds", "20", timeout=120)
        assert "Traceback" not in result.stderr + result.stdout, result.stderr
        assert result.returncode in (1, 2), (result.returncode, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) <= 1, result.stderr
        conn = sqlite3.connect(study / "companion.db")
        status = conn.execute("SELECT status FROM sessions WHERE id = 1").fetchone()[0]
        paths = [r[0] for r in conn.execute(
            "SELECT path FROM recording_segments WHERE session_id = 1 ORDER BY seq")]
        conn.close()
        assert status == "stopped", status  # continuable once there is room
        assert "disk is full" in result.stdout
        for rel in paths:
            assert sf.info(str(study / rel)).frames > 0, rel
        # Again, on the disk that is still full: refused or stopped at once, never 'live'.
        again = _cli(study, "record", "1", "--device", "fakemic", "--format", "wav",
                     "--seconds", "5", timeout=120)
        assert "Traceback" not in again.stderr + again.stdout, again.stderr
        assert again.returncode in (1, 2) and len(again.stderr.strip().splitlines()) <= 1
        conn = sqlite3.connect(study / "companion.db")
        assert conn.execute("SELECT status FROM sessions WHERE id = 1").fetchone()[0] \
            != "live"
        conn.close()


# --- A study knows it exists -------------------------------------------------------------

def test_an_import_only_study_restores_its_emptied_missing_or_swapped_database(
        template: Path, tmp_path: Path) -> None:
    """The template's only audio was imported, and importing took a backup: whatever
    happens to companion.db, 'doctor --repair' brings the session back, and 'init' never
    starts an empty study beside the backup."""
    from companion.store.backup import list_backups

    study = tmp_path / "study"
    shutil.copytree(template, study, symlinks=True)
    assert list_backups(study), "import-audio takes a backup"
    for spoil, says in ((_no_audio_emptied, "is empty although"),
                        (_missing_db, "is missing from this study"),
                        (_foreign_db, "belongs to another study")):
        spoil(study)
        refused = _cli(study, "init")
        assert refused.returncode == 2 and says in refused.stderr, refused.stderr
        doctor = _cli(study, "doctor")
        assert doctor.returncode == 1, doctor.stdout
        assert f"[FAIL] database: companion.db {says}" in doctor.stdout, doctor.stdout
        repaired = _cli(study, "doctor", "--repair")
        assert "[ok  ] database: restored from the backup of" in repaired.stdout, \
            repaired.stdout
        shown = _cli(study, "session", "list", "--json")
        assert shown.returncode == 0 and '"participant_code": "P05"' in shown.stdout, shown
        for kept in study.glob("companion.db.damaged-*"):
            kept.unlink()


# --- A lost WAL ------------------------------------------------------------------------

_KILLED_AFTER = """
import os, signal, sys
from companion.study import open_study
study = open_study(sys.argv[1])
{work}
os.kill(os.getpid(), signal.SIGKILL)
"""


def _killed_after(study: Path, work: str) -> None:
    """Run ``work`` in a process that is then killed, leaving its WAL and index behind."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-c", _KILLED_AFTER.format(work=work), str(study)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    assert (study / "companion.db-shm").exists()


def test_a_lost_wal_loses_nothing_a_completed_action_wrote(template: Path,
                                                           tmp_path: Path) -> None:
    study = tmp_path / "study"
    shutil.copytree(template, study, symlinks=True)
    # Another connection stays open (as the interview screens hold theirs), so SQLite
    # does not fold the WAL in at the action's close: only the action's checkpoint does.
    _killed_after(study, "from companion.operations.notes import add_note\n"
                         "screen = study.db()\n"
                         "add_note(study, 1, 'kept through a lost wal', at_ms=None)")
    assert (study / "companion.db-wal").stat().st_size > 0  # what SQLite left behind
    (study / "companion.db-wal").unlink()
    shown = _cli(study, "session", "show", "1", "--json")
    assert shown.returncode == 0, shown.stderr
    assert "kept through a lost wal" in shown.stdout
    assert "[ok  ] database: integrity check ok" in _cli(study, "doctor").stdout


def test_a_wal_lost_with_changes_in_it_is_named(template: Path, tmp_path: Path) -> None:
    """A commit no checkpoint followed (a process killed between the two, or one that
    wrote around companion), then the WAL deleted: every command names the loss in one
    line, doctor too, and 'doctor --repair' goes on with the database as it is."""
    study = tmp_path / "study"
    shutil.copytree(template, study, symlinks=True)
    _killed_after(study, "import sqlite3\n"
                         "c = sqlite3.connect(study.db_path, isolation_level=None)\n"
                         "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
                         "c.execute(\"UPDATE participants SET gender = 'male'\")")
    (study / "companion.db-wal").unlink()
    before = _snapshot(study)
    refused = _cli(study, "participant", "list")
    lines = refused.stderr.strip().splitlines()
    assert refused.returncode == 2 and len(lines) == 1, refused.stderr
    assert "companion.db-wal was removed while it held 1 change(s)" in lines[0]
    assert _snapshot(study) == before
    doctor = _cli(study, "doctor")
    assert doctor.returncode == 1 and "-wal was removed" in doctor.stdout
    repaired = _cli(study, "doctor", "--repair")
    assert "[ok  ] database: companion.db-wal was removed" in repaired.stdout, repaired.stdout
    assert _cli(study, "participant", "list").returncode == 0
    assert "[ok  ] database: integrity check ok" in _cli(study, "doctor").stdout


# --- Transcription: done only with its last writes; a damaged model named ------------------

def _two_voices(path: Path) -> Path:
    from tests.support.espeak import espeak

    rate = 16_000
    gap = np.zeros(rate // 2, np.float32)
    parts = [gap, espeak("How did the first week of the programme go for you?", "en-us",
                         rate=rate), gap,
             espeak("It was tiring, but the physiotherapist listened to me.", "en-gb+f3",
                    rate=rate), gap]
    sf.write(path, np.concatenate(parts), rate, subtype="PCM_16")
    return path


@pytest.mark.model
def test_a_transcript_is_not_done_when_its_last_step_meets_a_full_disk(
        template: Path, tmp_path: Path) -> None:
    """The disk fills after the last chunk is stored and before the step that stores the
    speakers and marks the transcript done: it is not done, and the next run (with room
    again) does that step and only that."""
    from companion.operations.transcription import (
        Progress,
        TranscribeOptions,
        transcribe_queue,
    )
    from companion.study import open_study

    voices = _two_voices(tmp_path / "voices.wav")

    def with_speech(study: Path) -> None:
        made = open_study(study)
        db = made.db()
        db.execute("DELETE FROM recording_segments")
        db.conn.close()
        shutil.rmtree(study / "recordings" / "P05")
        import_audio(made, 1, voices)

    with full_disk(template, tmp_path, spoil=with_speech, room=2 * 1024 * 1024) as root:
        (root.parent / "filler").unlink()  # room for the run itself
        study = open_study(root)
        filled = []

        def fill_when_stored(event: object) -> None:
            if isinstance(event, Progress) and event.state == "done" and not filled:
                conn = sqlite3.connect(root / "companion.db")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the next write must grow
                conn.close()
                fd = os.open(root.parent / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
                with contextlib.suppress(OSError):
                    while True:
                        os.write(fd, b"\0" * 4096)
                os.close(fd)
                filled.append(True)

        outcome = transcribe_queue(study, [1], options=TranscribeOptions(restart=True),
                                   on_event=fill_when_stored)
        assert filled and [f.session_id for f in outcome.failures] == [1], outcome
        assert "full" in outcome.failures[0].reason
        conn = sqlite3.connect(root / "companion.db")
        status = conn.execute("SELECT status FROM transcripts WHERE session_id = 1"
                              ).fetchone()[0]
        stored = conn.execute("SELECT count(*) FROM transcript_segments WHERE session_id = 1"
                              ).fetchone()[0]
        conn.close()
        assert status != "done" and stored > 0  # every chunk kept, the step not done
        (root.parent / "filler").unlink()
        again = transcribe_queue(study, [1], options=TranscribeOptions())
        assert again.ok and again.results[0].status == "done", again
        assert again.results[0].new_segments == 0  # only the last step ran
        conn = sqlite3.connect(root / "companion.db")
        speakers = {r[0] for r in conn.execute(
            "SELECT speaker FROM transcript_segments WHERE session_id = 1")}
        status = conn.execute("SELECT status FROM transcripts WHERE session_id = 1"
                              ).fetchone()[0]
        conn.close()
        assert status == "done" and speakers and None not in speakers, speakers
        third = transcribe_queue(study, [1], options=TranscribeOptions())
        assert third.results[0].status == "already-done"


@pytest.fixture(scope="module")
def damaged_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return damaged_tiny_en(tmp_path_factory.mktemp("damaged") / "tiny-damaged")
