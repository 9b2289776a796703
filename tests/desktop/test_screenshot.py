"""The real app in its own process under xvfb-run: the screenshot has the window's size and shows
something (not a blank or single-colour image)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("no_model", [False, True], ids=["translated", "no-model"])
def test_screenshot_script_photographs_the_window(
    tmp_path: Path, seed_article: Path, tiny_model: Path, no_model: bool
) -> None:
    if shutil.which("xvfb-run") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("xvfb-run is missing under CI (see .ci/run)")
        pytest.skip("xvfb-run not installed")
    out = tmp_path / "shot.png"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "screenshot.py"),
            "--out",
            str(out),
            "--article",
            str(seed_article),
            *(["--no-model"] if no_model else ["--model", str(tiny_model)]),
        ],
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    assert info["platform"] == "xcb" and info["selected_sentence"] is not None
    # Without a model the first start shows the download banner; with one, no banner.
    assert info["banner"] is no_model
    assert info["model_state"] == ("missing" if no_model else "ready")

    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert not image.isNull()
    ratio = info["device_pixel_ratio"]
    assert [image.width(), image.height()] == [round(v * ratio) for v in info["window"]]
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 50, "the screenshot looks blank"
