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


def _real_time(item: pytest.Item) -> bool:
    """Records through PortAudio as the audio arrives (the file microphone or PulseAudio):
    a starved recorder overflows, a starved live transcriber falls behind."""
    return any(item.get_closest_marker(name) for name in ("audio", "pulse"))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """How ``make test`` shares the tests between its workers (``-n 3``, ``--dist
    loadgroup``; without ``-n`` only the order changes).

    Each worker is its own process with its own HOME, ``.asoundrc``, file microphone and
    PulseAudio daemon (above, and ``_pulse_daemon``), so two workers never share a device.
    What they share is the machine: the real-time tests run one after another on one
    worker, never two at once; that worker mostly waits for audio to play, so a third
    worker uses the core it leaves (three workers on two cores). Every other test goes
    with the rest of its file, so a module's fixtures (a transcribed study, a recording)
    are made once, not once per worker, and a file's fixed paths are never used by two
    workers at once (the snapshot tests show one fixed study path).

    The longest work is handed out first, so no worker is left with a long file at
    the end: the real-time group, then the files that run the model, then the rest in the
    order pytest found them.
    """
    groups = {item: "realtime" if _real_time(item) else item.nodeid.split("::")[0]
              for item in items}
    model_files = {groups[item] for item in items if item.get_closest_marker("model")}

    def rank(item: pytest.Item) -> int:
        name = groups[item]
        return 0 if name == "realtime" else 1 if name in model_files else 2

    items.sort(key=rank)  # stable: each file keeps its own order
    for item in items:
        item.add_marker(pytest.mark.xdist_group(groups[item]))


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


@pytest.fixture
def run(study_dir: Path):
    """The real CLI in-process against the test study: ``run("session", "list")`` gives
    click's Result (``study=`` another folder, ``stdin=`` typed answers)."""
    from tests.support.cli import cli_runner

    return cli_runner(study_dir)


@pytest.fixture
def dump(study_dir: Path):
    """``dump()``: every row of the study database, to prove a command wrote nothing."""
    from tests.support.cli import dump_database

    return lambda: dump_database(study_dir)


# --- audio: a real-time microphone (PulseAudio null sink), added by the audio engineer ---

PULSE_SINK = "interview"


class PulseMic:
    """A private PulseAudio daemon whose null sink's monitor is the default source.

    PortAudio reaches it through ALSA's ``pulse`` device, in real time. ``play`` feeds the
    "microphone"; ``unplug``/``replug`` unload and reload the sink (a pulled cable).
    """

    device = "pulse"

    def __init__(self, runtime: Path) -> None:
        import subprocess

        self.runtime = runtime
        self.env = {**os.environ, "PULSE_RUNTIME_PATH": str(runtime)}
        self.log = (runtime.parent / "pulse.log").open("w")
        self.proc = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1",
             "--disallow-exit=yes", "--use-pid-file=no", "-L", "module-native-protocol-unix"],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.module: str | None = None
        self.players: list = []
        self._wait_ready()

    def pactl(self, *args: str, check: bool = True) -> str:
        import subprocess

        done = subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True,
                              timeout=10)
        if check and done.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def _wait_ready(self, timeout: float = 10.0) -> None:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if self.pactl("info", check=False):
                return
            time.sleep(0.05)
        self.close()
        log = (self.runtime.parent / "pulse.log").read_text()
        raise RuntimeError(f"PulseAudio did not start (the pulse tests need it): {log}")

    def replug(self) -> None:
        if self.module is None:
            self.module = self.pactl("load-module", "module-null-sink",
                                     f"sink_name={PULSE_SINK}", "rate=48000")
        self.pactl("set-default-source", f"{PULSE_SINK}.monitor")

    def unplug(self) -> None:
        if self.module is not None:
            self.pactl("unload-module", self.module)
            self.module = None

    def play(self, wav: Path):
        import subprocess

        player = subprocess.Popen(["paplay", "-d", PULSE_SINK, str(wav)], env=self.env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.players.append(player)
        return player

    def stop_players(self) -> None:
        for player in self.players:
            if player.poll() is None:
                player.kill()
            player.wait(5)
        self.players.clear()

    def close(self) -> None:
        self.stop_players()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except Exception:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


@pytest.fixture(scope="session")
def _pulse_daemon(tmp_path_factory: pytest.TempPathFactory):
    runtime = tmp_path_factory.mktemp("pulse") / "run"
    runtime.mkdir(mode=0o700)
    mic = PulseMic(runtime)
    previous = os.environ.get("PULSE_RUNTIME_PATH")
    # Clients in this process (PortAudio's ALSA pulse plugin) and in subprocesses find it.
    os.environ["PULSE_RUNTIME_PATH"] = str(runtime)
    yield mic
    mic.close()
    if previous is None:
        os.environ.pop("PULSE_RUNTIME_PATH", None)
    else:
        os.environ["PULSE_RUNTIME_PATH"] = previous


@pytest.fixture
def pulse_mic(_pulse_daemon: PulseMic) -> PulseMic:
    """The real-time microphone, plugged in; fails (never skips) if PulseAudio cannot run."""
    _pulse_daemon.replug()
    yield _pulse_daemon
    _pulse_daemon.stop_players()
