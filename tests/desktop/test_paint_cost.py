"""Painting must not wake helper threads: on a busy 2-core machine every wake-up of another
thread in the app's process can pre-empt a CTranslate2 thread (issue 16, item 4).

Fusion paints its scroll bars with gradients, which Qt's raster engine fills in parallel on its
GUI thread pool ("Thread (pooled)"): one repaint of a pane's scroll bar woke those threads 54 to
168 times (this test's control: ~240 over five repaints), and every streamed batch repaints both
panes' bars. The app's stylesheet gives them
flat palette colours, which are filled on the GUI thread alone.

Measured in a fresh process set up as the app is (``make_app``): under pytest-qt's application
the pool was never used at all, so an in-process count would pass whatever the stylesheet says.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TASKS = Path("/proc/self/task")
REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, os
from pathlib import Path
from PySide6.QtWidgets import QTextEdit
from desktop.app import make_app, stylesheet

def pool_wakeups():
    # Voluntary context switches of Qt's pooled worker threads: each one is a wake-up.
    total = 0
    for task in Path("/proc/self/task").iterdir():
        try:
            status = (task / "status").read_text()
        except OSError:
            continue
        if "Thread (pooled)" in status.splitlines()[0]:
            total += int(status.split("\nvoluntary_ctxt_switches:")[1].split()[0])
    return total

app = make_app()
out = {}
for name, sheet in (("fusion", ""), ("app", stylesheet())):
    app.setStyleSheet(sheet)  # "": the platform style alone, the control
    edit = QTextEdit()
    edit.resize(450, 700)
    edit.setPlainText("Ein rad i artikkelen.\n" * 400)
    edit.show()
    app.processEvents()
    bar = edit.verticalScrollBar()
    bar.repaint()
    before = pool_wakeups()
    for _ in range(5):
        bar.repaint()
    out[name] = {"wakeups": pool_wakeups() - before, "height": bar.height(), "visible": bar.isVisible()}
print(json.dumps(out))
os._exit(0)
"""


@pytest.mark.skipif(not TASKS.is_dir(), reason="counts thread wake-ups in Linux /proc")
def test_repainting_a_panes_scroll_bar_wakes_no_helper_thread(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    for key in ("NORDBRIEF_CONFIG_DIR", "NORDBRIEF_DATA_DIR", "XDG_CONFIG_HOME"):
        env[key] = str(tmp_path / key)  # never the user's own config
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    for bar in got.values():
        assert bar["visible"] and bar["height"] > 600  # tall, as beside an article
    if got["fusion"]["wakeups"] < 10:
        pytest.skip(f"this Qt fills gradients on one thread: no pool to wake ({got})")
    assert got["app"]["wakeups"] <= 2, got
