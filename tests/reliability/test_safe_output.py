"""Safe ``-o`` (issue 14, item 4): the node already at the output path is respected.

Every link, FIFO and device here is made in ``tmp_path``; no test points at a real system path.
On main's code each of these replaced the node with a new 0600 regular file.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from models.errors import EXIT_OUTPUT, OutputError
from models.files import write_atomic, write_output

TEXT = "Oslo i dag\n\nRegjeringen la fram budsjettet i dag. Det koster 370 millioner kroner.\n"
OLD = "old content\n"


def _cli(tmp_path: Path, output: Path | str, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    article = tmp_path / "article.txt"
    article.write_text(TEXT, encoding="utf-8")
    code = (
        f"import os, sys; os.umask({umask}); from models.cli import main; "
        f"sys.exit(main(['segment', {str(article)!r}, '--format', 'json', '-o', {str(output)!r}]))"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def _one_line_error(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == EXIT_OUTPUT, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("nordbrief: error: cannot write") and proc.stderr.count("\n") == 1


def test_symlink_target_is_replaced_and_the_link_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text(OLD)
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real.name)
    proc = _cli(tmp_path, link)
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == real.name
    assert '"sentences"' in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the target keeps its permissions


def test_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to("made.txt")
    write_output(link, "new\n")
    assert link.is_symlink() and (tmp_path / "made.txt").read_text() == "new\n"


def test_fifo_is_written_as_a_stream(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    try:
        write_output(fifo, "through the pipe\n")
    finally:
        reader.join(timeout=30)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temporary file


def test_link_to_dev_stdout_prints(tmp_path: Path) -> None:
    """A name that resolves through ``/dev/stdout`` writes to the process's stdout; the link in
    tmp_path stays a link (main replaced it, as it replaced a real ``/dev/stdout`` as root)."""
    link = tmp_path / "out"
    link.symlink_to("/dev/stdout")
    proc = _cli(tmp_path, link)
    assert proc.returncode == 0, proc.stderr
    assert '"sentences"' in proc.stdout
    assert link.is_symlink() and os.readlink(link) == "/dev/stdout"


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod of a character device needs root")
def test_character_device_is_written_not_replaced(tmp_path: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the same device as /dev/null
    proc = _cli(tmp_path, null)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o000])
def test_read_only_file_is_refused_with_exit_5(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "locked.json"
    target.write_text(OLD)
    target.chmod(mode)
    proc = _cli(tmp_path, target)
    _one_line_error(proc)
    assert "read-only" in proc.stderr
    target.chmod(0o600)
    assert target.read_text() == OLD


def test_read_only_target_behind_a_symlink_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text(OLD)
    real.chmod(0o444)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with pytest.raises(OutputError, match="read-only"):
        write_output(link, "new\n")
    assert real.read_text() == OLD


def test_new_file_gets_umask_permissions(tmp_path: Path) -> None:
    for umask, expected in ((0o022, 0o644), (0o002, 0o664), (0o077, 0o600)):
        target = tmp_path / f"new-{umask:o}.json"
        proc = _cli(tmp_path, target, umask=umask)
        assert proc.returncode == 0, proc.stderr
        assert stat.S_IMODE(target.stat().st_mode) == expected


def test_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "shared.txt"
    target.write_text(OLD)
    target.chmod(0o664)
    write_output(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


def test_app_files_stay_private(tmp_path: Path) -> None:
    target = tmp_path / "session.json"
    write_atomic(target, "{}\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_hard_link_is_broken_on_purpose(tmp_path: Path) -> None:
    """Documented choice: the name given is replaced atomically; the other name keeps the old
    content (writing in place would keep the link but could leave a half-written file)."""
    first = tmp_path / "a.txt"
    first.write_text(OLD)
    second = tmp_path / "b.txt"
    os.link(first, second)
    write_output(first, "new\n")
    assert first.read_text() == "new\n"
    assert second.read_text() == OLD
    assert first.stat().st_nlink == 1


def test_folder_and_socket_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(OutputError, match="folder"):
        write_output(folder, "x")
    import socket

    sock_path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(OutputError, match="not a regular file"):
            write_output(sock_path, "x")
        assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)


def test_symlink_loop_is_one_line(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    proc = _cli(tmp_path, loop)
    _one_line_error(proc)
