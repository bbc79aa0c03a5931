"""Soak of withdrawal's journal (not a test): `companion withdraw P1` killed with SIGKILL at
``--kills`` random moments, each followed by the next `withdraw`, which must complete it.

The test suite kills it at each of its stages, chosen by the system call the process is
making (tests/privacy/test_withdraw.py); this spreads the kills over the whole run instead,
start-up included, wherever they land on this machine. It prints how long a withdrawal
takes here, then one line per kill: when it came, what the killed run and the next one
did, and whether the study was left complete (no trace of P1, all of P10 and P2, no
unfinished withdrawal in `companion doctor`).

    .venv/bin/python benchmarks/withdraw_kills.py [--kills 20] [--seed 20261201]
Target: every kill ends complete after the next withdraw.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests.support

from tests.support.withdrawal import (
    assert_withdrawn,
    build_study,
    cli,
    cli_command,
    cli_env,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="withdraw-kills-") as tmp:
        folder = Path(tmp)
        # Every run's HOME is in here: the user's own settings play no part.
        os.environ["HOME"] = str(folder)
        template = folder / "template" / "study"
        sessions = build_study(template, template.parent)
        probe = folder / "probe" / "study"
        shutil.copytree(template, probe, symlinks=True)
        started = time.monotonic()
        assert cli(probe, "withdraw", "P99", "--yes").returncode == 2
        ready = time.monotonic() - started  # start-up and opening the study: nothing to kill
        started = time.monotonic()
        assert cli(probe, "withdraw", "P1", "--yes").returncode == 0
        span = time.monotonic() - started
        print(f"start-up {ready:.2f} s, a whole withdrawal {span:.2f} s")
        print("kill at (s)  killed rc  next rc  resumed  complete")

        rng = random.Random(args.seed)
        failures = 0
        for i in range(args.kills):
            root = folder / f"kill-{i}" / "study"
            shutil.copytree(template, root, symlinks=True)
            proc = subprocess.Popen(cli_command(root, "withdraw", "P1", "--yes"),
                                    env=cli_env(), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            at = rng.uniform(ready * 0.8, span)
            time.sleep(at)
            proc.send_signal(signal.SIGKILL)
            killed_rc = proc.wait()
            rerun = cli(root, "withdraw", "P1", "--yes")
            problem = ""
            # Either the kill came too late (all done: "no such participant", exit 2) or
            # the next run finished the withdrawal (exit 0).
            if rerun.returncode not in (0, 2) or "Traceback" in rerun.stderr:
                problem = f"next run failed: {rerun.stderr.strip()[-300:]}"
            else:
                try:
                    assert_withdrawn(root, sessions, fresh_backup=False)
                    doctor = cli(root, "doctor")
                    assert "unfinished withdrawal" not in doctor.stdout, doctor.stdout
                except AssertionError as exc:
                    problem = f"incomplete: {exc}"
            failures += bool(problem)
            print(f"{at:11.2f}  {killed_rc:9d}  {rerun.returncode:7d}  "
                  f"{'yes' if 'interrupted' in rerun.stdout else 'no':>7}  "
                  f"{problem or 'yes'}")
            shutil.rmtree(root.parent)
        print(f"{args.kills - failures} of {args.kills} kills ended complete")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
