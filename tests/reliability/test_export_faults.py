"""Export faults: a read-only folder or a full disk -> a clear OutputError (exit 5), and a file
already at that path is left intact (atomic replace), with no temporary file left behind.

The real cases run in a private mount namespace (``unshare -m``) on a tiny tmpfs that is really
full or really mounted read-only (root ignores permission bits, so chmod would prove nothing);
they skip where the machine does not allow that. The in-process cases simulate the disk filling up
at each step of the write.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from models.errors import EXIT_OUTPUT, OutputError

OLD = "previous export: must survive\n"


def _article():
    from models.pipeline import article_from_text

    text = "Oslo i dag\n\n" + "Regjeringen la fram budsjettet for 2025 med 370.000 nye kroner. " * 2000
    return article_from_text(text)


def _leftovers(folder: Path, keep: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


@pytest.mark.parametrize("fail_at", ["write", "fsync", "replace"])
def test_disk_full_mid_export_keeps_the_old_file(tmp_path: Path, monkeypatch, fail_at: str) -> None:
    from models import export, files

    target = tmp_path / "summary.md"
    target.write_text(OLD, encoding="utf-8")

    def enospc(*_a, **_k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    if fail_at == "write":
        real_fdopen = os.fdopen

        class FullFile:
            def __init__(self, fh) -> None:
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc) -> None:
                self.fh.close()

            def write(self, data: bytes) -> int:
                self.fh.write(data[: len(data) // 2])  # half of it reaches the disk, then ENOSPC
                self.fh.flush()
                enospc()
                return 0

            def __getattr__(self, name: str):
                return getattr(self.fh, name)

        monkeypatch.setattr(files.os, "fdopen", lambda fd, mode="r": FullFile(real_fdopen(fd, mode)))
    elif fail_at == "fsync":
        monkeypatch.setattr(files.os, "fsync", enospc)
    else:
        monkeypatch.setattr(files.os, "replace", enospc)

    with pytest.raises(OutputError) as info:
        export.export_summary(_article(), target, export.ExportOptions(include_original=True))
    assert info.value.exit_code == EXIT_OUTPUT
    assert "No space left on device" in info.value.message
    assert str(target) in info.value.message
    assert "\n" not in info.value.message
    assert target.read_text(encoding="utf-8") == OLD
    assert _leftovers(tmp_path, "summary.md") == []


def test_export_into_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    from models import export

    with pytest.raises(OutputError) as info:
        export.export_summary(_article(), tmp_path / "no" / "such" / "summary.txt")
    assert info.value.exit_code == EXIT_OUTPUT
    assert "does not exist" in info.value.message


# --- Real faults in a private mount namespace ------------------------------------------------------

SCRIPT = r"""
import json, subprocess, sys
from pathlib import Path
from models import export
from models.errors import OutputError
from models.pipeline import article_from_text

folder = Path(sys.argv[1]); seed = sys.argv[2]
text = "Oslo i dag\n\n" + "Regjeringen la fram budsjettet for 2025 med 370.000 nye kroner. " * 2000
result = {}
try:
    options = export.ExportOptions(include_original=True)
    export.export_summary(article_from_text(text), folder / "summary.md", options)
    result["export"] = "ok"
except OutputError as exc:
    result["export"] = [exc.exit_code, exc.message]
cli = subprocess.run([sys.executable, "-m", "models.cli", "segment", seed, "--format", "json",
                      "-o", str(folder / "summary.md")], capture_output=True, text=True)
result["cli"] = [cli.returncode, cli.stderr]
result["content"] = (folder / "summary.md").read_text(encoding="utf-8")
result["files"] = sorted(p.name for p in folder.iterdir())
print(json.dumps(result))
"""


def _run_in_namespace(tmp_path: Path, setup: str, seed: Path) -> dict:
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root on Linux with unshare to mount a real tmpfs")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    script = tmp_path / "fault.py"
    script.write_text(SCRIPT)
    shell = f"{{ {setup} ; }} || exit 99; exec {sys.executable} {script} {mnt} {seed}"
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", shell], capture_output=True, text=True, timeout=120, env=os.environ
    )
    if proc.returncode in (1, 99) and ("unshare:" in proc.stderr or "mount:" in proc.stderr):
        pytest.skip(f"cannot mount a private tmpfs here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _assert_clean_failure(result: dict, reason: str) -> None:
    code, message = result["export"]
    assert code == EXIT_OUTPUT and reason in message, message
    rc, stderr = result["cli"]
    assert rc == EXIT_OUTPUT, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("nordbrief: error: cannot write") and stderr.count("\n") == 1, stderr
    assert result["content"] == OLD
    assert result["files"] == ["summary.md"]  # no half-written temporary file left behind


@pytest.mark.timeout(180)
def test_real_full_disk(tmp_path: Path, seed_article: Path) -> None:
    mnt = tmp_path / "mnt"
    setup = (
        f"mount -t tmpfs -o size=64k tmpfs {mnt} && printf '%s' '{OLD.strip()}\n' > {mnt}/summary.md"
        f" && {{ dd if=/dev/zero of={mnt}/.fill bs=4k 2>/dev/null; true; }}"
    )
    result = _run_in_namespace(tmp_path, setup, seed_article)
    result["files"] = [f for f in result["files"] if f != ".fill"]
    _assert_clean_failure(result, "No space left on device")


@pytest.mark.timeout(180)
def test_real_read_only_folder(tmp_path: Path, seed_article: Path) -> None:
    mnt = tmp_path / "mnt"
    setup = (
        f"mount -t tmpfs -o size=1m tmpfs {mnt} && printf '%s' '{OLD.strip()}\n' > {mnt}/summary.md"
        f" && mount -o remount,ro {mnt}"
    )
    result = _run_in_namespace(tmp_path, setup, seed_article)
    _assert_clean_failure(result, "cannot write")
