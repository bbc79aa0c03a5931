"""Shared test set-up: keep the user's own config and data out, and give PortAudio a
virtual microphone.

PortAudio (through ALSA) reads its configuration when ``sounddevice`` is first imported,
so HOME is pointed at a private folder holding ``.asoundrc`` here, at import time, before
any test module can import sounddevice.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_HOME = Path(tempfile.mkdtemp(prefix="companion-test-home-"))
FAKEMIC_RAW = _HOME / "fakemic.raw"
FAKEMIC_RAW.write_bytes(b"")
(_HOME / ".asoundrc").write_text(
    f"""
pcm.fakemic {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{FAKEMIC_RAW}"
    format "raw"
    hint {{ show on description "Microphone that plays a file" }}
}}
"""
)
os.environ["HOME"] = str(_HOME)
for _var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = str(_HOME / _var.lower())
os.environ.pop("COMPANION_STUDY", None)
# Nothing in the tests may reach a model hub.
os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    """A fresh, initialised study folder."""
    from companion.study import init_study

    root = tmp_path / "study"
    init_study(root)
    return root


@pytest.fixture
def study(study_dir: Path):
    from companion.study import open_study

    return open_study(study_dir)


@pytest.fixture
def db(study):
    database = study.db()
    yield database
    database.conn.close()
