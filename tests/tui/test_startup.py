"""Start-up stays light: the first frame of the sessions screen waits for no heavy import.

The database layer (sqlite-utils, with numpy), audio (sounddevice, soundfile) and Whisper
(faster-whisper, CTranslate2, PyAV) are imported where they are first used, mostly in
worker threads; ``benchmarks/tui.py`` measures what that buys (start-up <= 1.5x a
minimal Textual app).
"""

from __future__ import annotations

import subprocess
import sys

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
