"""The model store against a local fake Hub, with the real huggingface_hub client.

Covers download -> convert -> translate, resume after a dropped connection and after a cancel,
a corrupted file, offline mode, the safetensors-on-a-PR lookup, the manifest checks, the default
model and the CLI's exit codes.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hubserver import FakeHub, RepoFiles

from models import cli
from models.errors import Cancelled, ModelError, NetworkError
from models.paths import models_dir
from models.store import (
    LOCKS,
    DownloadBusyError,
    DownloadProgress,
    download_model,
    get_default_model,
    import_model,
    installed_models,
    list_models,
    load_catalog,
    lock_path,
    remove_model,
    resolve_model,
    set_default_model,
    verify_model,
)
from models.store.convert import convert_marian
from models.store.manifest import Manifest

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE = load_catalog()["gmq-en-base"]


@pytest.fixture
def ckpt(real_repos: dict[str, tuple[RepoFiles, ...]], tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """The base repo's pinned main as a local checkpoint folder, and its files."""
    files = real_repos[BASE.repo_id][0].files
    folder = tmp_path / "ckpt"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder, files


@pytest.fixture
def hub(real_hub: FakeHub) -> FakeHub:
    return real_hub


WEIGHTS = "pytorch_model.bin"  # the base repo's weights on its pinned main


def _gets(hub: FakeHub, filename: str) -> list:
    return hub.gets(filename)


def test_download_convert_translate(
    hub: FakeHub, ckpt: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    events: list[DownloadProgress] = []
    model = download_model("gmq-en-base", progress=events.append)

    assert model.path == models_dir() / "gmq-en-base"
    assert installed_models() == {"gmq-en-base": model.path}
    manifest = Manifest.read(model.path)
    assert manifest is not None
    assert manifest.commit == hub.repos[BASE.repo_id].main.commit
    assert manifest.repo_id == BASE.repo_id and manifest.license == "Apache-2.0"
    assert set(manifest.source_files) == {
        "config.json",
        "source.spm",
        "target.spm",
        "vocab.json",
        "tokenizer_config.json",
        WEIGHTS,
    }
    assert {"model.bin", "source.spm", "target.spm", "shared_vocabulary.json"} <= set(manifest.files)
    # Only what conversion needs was fetched (not the README, the TF weights or the PR's files).
    assert (
        not _gets(hub, "README.md") and not _gets(hub, "tf_model.h5") and not _gets(hub, "model.safetensors")
    )

    phases = [e.phase for e in events]
    assert phases[0] == "resolve" and phases[-1] == "done"
    assert phases.index("convert") > max(i for i, p in enumerate(phases) if p == "download")
    downloads = [e for e in events if e.phase == "download"]
    assert downloads[-1].done == downloads[-1].total == sum(len(ckpt[1][n]) for n in manifest.source_files)
    assert all(a.done <= b.done for a, b in itertools.pairwise(downloads))

    # The installed model is exactly what converting the checkpoint directly gives.
    direct = convert_marian(ckpt[0], tmp_path / "direct")
    assert (direct / "model.bin").read_bytes() == (model.path / "model.bin").read_bytes()

    # Nothing left behind but the model; it became the default and translates.
    assert [p.name for p in models_dir().iterdir() if p.name != LOCKS] == ["gmq-en-base"]
    assert get_default_model() == "gmq-en-base"
    from models.translation.engine import Translator

    translator = Translator(resolve_model(None).path)
    out = translator.translate(["Regjeringen la fram budsjettet.", "Det regner i Bergen.", "Hei."])
    assert len(out) == 3 and all(isinstance(t, str) and t.strip() for t in out)


def test_dropped_connection_resumes_with_range(
    hub: FakeHub, ckpt: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    # Chunks well below the file size, as for real weights (hundreds of MB vs 1 MiB chunks).
    monkeypatch.setattr(huggingface_hub.constants, "DOWNLOAD_CHUNK_SIZE", 16 * 1024)
    size = len(ckpt[1][WEIGHTS])
    hub.drop_after[WEIGHTS] = size // 2
    download_model("gmq-en-base")
    gets = _gets(hub, WEIGHTS)
    assert len(gets) == 2
    assert gets[0].range is None and gets[1].range is not None
    resumed_from = int(gets[1].range.removeprefix("bytes=").rstrip("-"))
    assert size // 2 - 16 * 1024 <= resumed_from <= size // 2
    assert hub.bytes_served(WEIGHTS) < 2 * size
    assert verify_model("gmq-en-base") == []


def test_cancel_then_resume_next_run(
    hub: FakeHub, ckpt: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "DOWNLOAD_CHUNK_SIZE", 64 * 1024)
    size = len(ckpt[1][WEIGHTS])
    seen: list[DownloadProgress] = []

    before = sum(
        len(ckpt[1][n])
        for n in ("config.json", "source.spm", "target.spm", "vocab.json", "tokenizer_config.json")
    )

    def cancel() -> bool:  # stop once a third of the weights file has arrived
        last = seen[-1] if seen else None
        return bool(last and last.file == WEIGHTS and last.done - before > size // 3)

    with pytest.raises(Cancelled):
        download_model("gmq-en-base", progress=seen.append, cancel=cancel)
    assert installed_models() == {}
    assert get_default_model() is None
    download_model("gmq-en-base")
    gets = _gets(hub, WEIGHTS)
    assert gets[-1].range is not None and gets[-1].range.startswith("bytes=")
    resumed_from = int(gets[-1].range.removeprefix("bytes=").rstrip("-"))
    # Cancel fires as a chunk is reported, before it is written: the run resumes after the
    # chunks that reached the disk.
    assert 0 < resumed_from <= size // 3 and resumed_from % (64 * 1024) == 0
    assert hub.bytes_served(WEIGHTS) < 2 * size
    assert verify_model("gmq-en-base") == []


def test_corrupted_file_installs_nothing(hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    hub.corrupt.add(WEIGHTS)
    rc = cli.main(["models", "download", "gmq-en-base"])
    err = capsys.readouterr().err
    assert rc == 4
    line = [x for x in err.splitlines() if x.startswith("nordbrief: error:")]
    assert len(line) == 1 and f"{WEIGHTS} failed verification" in line[0]
    assert "nothing was installed" in line[0]
    assert installed_models() == {}
    # Staging and partial downloads removed too (only the lock files' folder stays).
    assert [p.name for p in models_dir().iterdir()] == [LOCKS]
    with pytest.raises(ModelError, match="nordbrief models download"):
        resolve_model(None)


def test_offline_without_model_names_the_download_command(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    rc = cli.main(["models", "download"])
    err = capsys.readouterr().err
    assert rc == 4
    assert "nordbrief models download gmq-en-big" in err
    assert hub.requests == []  # offline means no request at all
    with pytest.raises(ModelError, match="no translation model installed; run: nordbrief models download"):
        resolve_model(None)


def test_translate_without_any_model_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    article = tmp_path / "a.txt"
    article.write_text("Overskrift\n\nDet regner i Oslo i dag.\n", "utf-8")
    assert cli.main(["translate", str(article)]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["nordbrief: error: no translation model installed; run: nordbrief models download"]


def test_unreachable_hub_is_a_network_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    with pytest.raises(NetworkError, match="cannot reach the model hub"):
        download_model("gmq-en-base")
    assert installed_models() == {}


def test_cli_subprocess_download_against_local_hub(hub: FakeHub) -> None:
    """The client reads HF_ENDPOINT at import: a fresh process must still use the mirror."""
    env = {**os.environ, "HF_ENDPOINT": hub.endpoint, "PYTHONPATH": str(REPO_ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "models.cli", "models", "download", "gmq-en-base"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "downloading gmq-en-base [" in run.stderr and "100%" in run.stderr
    assert "installed gmq-en-base" in run.stderr
    listing = subprocess.run(
        [sys.executable, "-m", "models.cli", "models", "list", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    rows = {r["name"]: r for r in json.loads(listing.stdout)["models"]}
    assert rows["gmq-en-base"]["installed"] and rows["gmq-en-base"]["default"]
    assert rows["gmq-en-big"]["installed"] is False
    assert rows["gmq-en-big"]["attribution"].startswith("OPUS-MT by Helsinki-NLP")
    assert rows["gmq-en-big"]["license"] == "CC-BY-4.0"


def test_manifest_checks(hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    model = download_model("gmq-en-base")
    assert cli.main(["models", "verify"]) == 0
    # Same size, different bytes: the cheap load check passes, the full verify does not.
    spm = model.path / "target.spm"
    data = bytearray(spm.read_bytes())
    data[100] ^= 0xFF
    spm.write_bytes(bytes(data))
    assert resolve_model("gmq-en-base").path == model.path
    problems = verify_model("gmq-en-base")
    assert problems == ["target.spm is corrupted (SHA-256 differs from the manifest)"]
    capsys.readouterr()
    assert cli.main(["models", "verify", "gmq-en-base"]) == 4
    assert "target.spm is corrupted" in capsys.readouterr().err
    # A truncated file is caught on every load, with the fix named.
    with (model.path / "model.bin").open("r+b") as fh:
        fh.truncate(100)
    with pytest.raises(
        ModelError, match=r"model\.bin has 100 bytes.*nordbrief models download gmq-en-base --force"
    ):
        resolve_model(None)
    # --force re-downloads and replaces it.
    assert cli.main(["models", "download", "gmq-en-base", "--force"]) == 0
    assert verify_model("gmq-en-base") == []


def test_default_remove_and_list(hub: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["models", "default"]) == 3
    assert "nordbrief models download" in capsys.readouterr().err
    with pytest.raises(ModelError, match="not installed; run: nordbrief models download gmq-en-big"):
        resolve_model("gmq-en-big")
    download_model("gmq-en-base")
    download_model("gmq-en-big")
    assert get_default_model() == "gmq-en-base"  # the first download became the default
    assert cli.main(["models", "default", "gmq-en-big"]) == 0
    assert resolve_model(None).name == "gmq-en-big"
    settings = json.loads((Path(os.environ["NORDBRIEF_CONFIG_DIR"]) / "engine.json").read_text())
    assert settings == {"default_model": "gmq-en-big"}
    capsys.readouterr()
    assert cli.main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "gmq-en-big (best quality)  [installed, default]" in out
    assert "license: CC-BY-4.0 · OPUS-MT by Helsinki-NLP (Tiedemann et al.), CC-BY 4.0" in out
    assert cli.main(["models", "remove", "gmq-en-big"]) == 0
    assert get_default_model() == "gmq-en-base"
    assert [r.name for r in list_models() if r.installed] == ["gmq-en-base"]
    with pytest.raises(ModelError):
        set_default_model("gmq-en-big")
    remove_model("gmq-en-base")
    assert cli.main(["models", "remove", "gmq-en-base"]) == 3


# --- one download per model across processes ------------------------------------------------------

BUSY = "gmq-en-base is already being downloaded by another Nordbrief process"


def _cli_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT)}


def test_a_second_process_cannot_download_the_same_model_meanwhile(hub: FakeHub) -> None:
    """A real second ``nordbrief models download`` while this one is mid-download: exit 4, one line."""
    from filelock import FileLock

    from models.store import _model_lock

    second: list[subprocess.CompletedProcess[str]] = []

    def progress(event: DownloadProgress) -> None:
        if event.phase == "download" and not second:
            second.append(
                subprocess.run(
                    [sys.executable, "-m", "models.cli", "models", "download", "gmq-en-base"],
                    env=_cli_env(),
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
            )
            with _model_lock("gmq-en-big"):  # the lock is per model: another one may download
                pass

    model = download_model("gmq-en-base", progress=progress)
    assert len(second) == 1
    run = second[0]
    assert run.returncode == 4, run.stderr
    assert run.stderr.splitlines() == [f"nordbrief: error: {BUSY}; wait for it to finish, then try again"]
    # The first download was not disturbed, and it released the lock when it finished.
    assert verify_model("gmq-en-base") == [] and model.path == installed_models()["gmq-en-base"]
    lock = FileLock(lock_path("gmq-en-base"))
    lock.acquire(blocking=False)  # raises filelock.Timeout if it were still held
    lock.release()
    assert cli.main(["models", "download", "gmq-en-base", "--force"]) == 0
    assert verify_model("gmq-en-base") == []


def _hold_lock_in_another_process(name: str) -> subprocess.Popen[str]:
    path = lock_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    code = (
        "import sys; from filelock import FileLock; lock = FileLock(sys.argv[1]); lock.acquire(); "
        "print('held', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_download_fails_fast_while_another_process_holds_the_lock(
    hub: FakeHub, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = _hold_lock_in_another_process("gmq-en-base")
    try:
        rc = cli.main(["models", "download", "gmq-en-base"])
        err = capsys.readouterr().err
        assert rc == 4
        assert len(err.splitlines()) == 1 and BUSY in err and "Traceback" not in err
        assert hub.requests == []  # failed before touching the network or the partial files
        assert installed_models() == {}
        assert not (models_dir() / ".download-gmq-en-base").exists()
    finally:
        holder.kill()  # a crashed holder: the OS drops its lock, so the model is not stuck
        holder.communicate(timeout=30)
    assert cli.main(["models", "download", "gmq-en-base"]) == 0
    assert verify_model("gmq-en-base") == []


def test_remove_and_import_respect_a_download_in_progress(tiny_model: Path) -> None:
    """Neither removing nor importing may swap a model's folder under a running download."""
    import_model(tiny_model, "gmq-en-base")
    holder = _hold_lock_in_another_process("gmq-en-base")
    try:
        with pytest.raises(DownloadBusyError):
            remove_model("gmq-en-base")
        assert "gmq-en-base" in installed_models()  # untouched
        remove_holder = _hold_lock_in_another_process("fresh")
        try:
            with pytest.raises(DownloadBusyError):
                import_model(tiny_model, "fresh")
            assert "fresh" not in installed_models()
            assert not [p for p in models_dir().iterdir() if p.name.startswith(".import-")]
        finally:
            remove_holder.kill()
            remove_holder.communicate(timeout=30)
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    remove_model("gmq-en-base")
    assert "gmq-en-base" not in installed_models()
    assert import_model(tiny_model, "fresh").name == "fresh"


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "nordbrief-no-such-host.invalid"])
def test_an_unreachable_hub_is_said_in_words(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    """Refused connection or failed name lookup ("[Errno -2] Name or service not known"): the
    message says there is no connection and points at Import, one line."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", "http://" + host.format(port=port))
    with pytest.raises(NetworkError) as info:
        download_model("gmq-en-base")
    msg = info.value.message
    assert msg.startswith("No internet connection (or the Hub is unreachable): ")
    assert "Import" in msg and "Errno" not in msg and "\n" not in msg
