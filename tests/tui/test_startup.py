"""Start-up stays light: the first frame of the sessions screen waits for no heavy import.

The database layer (sqlite-utils, with numpy), audio (sounddevice, soundfile) and Whisper
(faster-whisper, CTranslate2, PyAV) are imported where they are first used, mostly in
worker threads; ``benchmarks/tui.py`` measures what that buys (start-up <= 1.5x a
minimal Textual app).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import stat
import struct
import subprocess
import sys
import termios
from pathlib import Path

HEAVY = ("sqlite_utils", "numpy", "sounddevice", "soundfile", "faster_whisper",
         "ctranslate2", "av")


def test_the_app_and_its_first_screen_import_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "import companion.cli\n"
        "from companion.study import open_study\n"
        "from companion.tui.app import CompanionApp, run_app\n"
        "from companion.tui.screens.sessions import SessionsScreen\n"
        "SessionsScreen()\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def _run_in_terminal(args: list[str], *, until: bytes, cwd: Path,
                     env: dict[str, str] | None = None) -> bytes:
    """Run the real app in a pseudo-terminal until ``until`` is drawn, then Ctrl+Q."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen(args, stdin=child, stdout=child, stderr=child, cwd=cwd,
                               env={**os.environ, "TERM": "xterm-256color", **(env or {})},
                               close_fds=True)
    os.close(child)
    seen = b""
    try:
        while until not in seen and process.poll() is None:
            ready, _, _ = select.select([main], [], [], 30)
            assert ready, f"nothing drawn; so far: {seen[-2000:]!r}"
            try:
                seen += os.read(main, 65536)
            except OSError:
                break
        os.write(main, b"\x11")  # Ctrl+Q
        while process.poll() is None:
            ready, _, _ = select.select([main], [], [], 30)
            if not ready:
                break
            try:
                seen += os.read(main, 65536)
            except OSError:
                break
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    return seen


def test_companion_on_a_new_folder_creates_the_study(tmp_path: Path) -> None:
    """Also: while the app runs, descriptor 2 is the sound libraries' log in the user's
    state folder, and the app still draws on the terminal."""
    new = tmp_path / "my-study"
    companion = [sys.executable, "-m", "companion", "--study", str(new)]
    state = tmp_path / "state"
    drawn = _run_in_terminal(companion, until=b"Sessions", cwd=tmp_path,
                             env={"XDG_STATE_HOME": str(state)})
    assert b"Created a new study" in drawn and b"Traceback" not in drawn
    assert (new / "companion.db").is_file()
    assert stat.S_IMODE(new.stat().st_mode) == 0o700  # private, like 'companion init'
    log = state / "companion" / "native-messages.log"
    assert "--- companion started" in log.read_text(encoding="utf-8")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_companion_does_not_take_over_a_folder_with_other_files(tmp_path: Path) -> None:
    (tmp_path / "thesis.docx").write_text("draft")
    done = subprocess.run([sys.executable, "-m", "companion", "--study", str(tmp_path)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and "not a study folder" in done.stderr
    assert not (tmp_path / "companion.db").exists()
