"""`make run`'s gunicorn keeps no control socket at gunicorn's shared default path
(~/.gunicorn/gunicorn.ctl): a second server on the same machine would take it over."""
from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_starts_gunicorn_without_a_shared_control_socket():
    commands = subprocess.run(["make", "-n", "serve", "PORT=5123"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout
    [line] = [line for line in commands.splitlines() if "/gunicorn " in line]
    words = shlex.split(line)
    assert "--bind" in words and "0.0.0.0:5123" in words
    if "--no-control-socket" not in words:  # else a socket of this checkout's own
        assert words[words.index("--control-socket") + 1].startswith("instance/")
