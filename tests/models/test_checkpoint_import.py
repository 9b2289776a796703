"""Offline install: ``nordbrief models import`` of a Hugging Face Marian checkpoint folder.

The folders are made by the real huggingface_hub client (``snapshot_download``) from the fake Hub
serving the real-layout repos: ``--local-dir`` folders (with ``.cache/huggingface/download/
*.metadata``) and Hub cache ``snapshots/<commit>/`` folders (links into the cache's ``blobs/``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hubserver import BASE_REPO, BIG_COMMIT, BIG_REPO, FakeHub, RepoFiles
from test_real_layout import article_40, assert_every_call_ends_at_eos, translate_with_spy

from models import cli
from models.paths import models_dir
from models.store import LOCKS, installed_models, list_models
from models.store.manifest import Manifest


@pytest.fixture(scope="module")
def downloads(
    real_repos: dict[str, tuple[RepoFiles, ...]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """What ``hf download`` leaves, once per module: big as --local-dir and in a Hub cache,
    base as --local-dir."""
    from huggingface_hub import snapshot_download

    work = tmp_path_factory.mktemp("hf-downloads")
    hub = FakeHub()
    for repo_id, (main, *prs) in real_repos.items():
        hub.add_fixture(repo_id, main, tuple(prs))  # plain LFS: the client's own http download
    with hub:
        kw = {"endpoint": hub.endpoint}
        out = {
            "big-local": Path(
                snapshot_download(BIG_REPO, revision=BIG_COMMIT, local_dir=work / "opus-big", **kw)
            ),
            "big-cache": Path(
                snapshot_download(BIG_REPO, revision=BIG_COMMIT, cache_dir=work / "cache", **kw)
            ),
            "base-local": Path(
                snapshot_download(
                    BASE_REPO, revision=real_repos[BASE_REPO][0].commit, local_dir=work / "opus-base", **kw
                )
            ),
        }
    return out


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An air-gapped machine: no Hub at all."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    yield


def _copy(folder: Path, dest: Path) -> Path:
    shutil.copytree(folder, dest, symlinks=False)
    return dest


def _errors(stderr: str) -> list[str]:
    """The error lines (progress lines "verifying ..." may come before)."""
    return [line for line in stderr.splitlines() if line.startswith("nordbrief: error:")]


def _left_in_models_dir() -> list[str]:
    root = models_dir()
    return sorted(p.name for p in root.iterdir() if p.name != LOCKS) if root.is_dir() else []


def test_local_dir_checkpoint_imports_verified_and_translates(
    downloads: dict[str, Path], offline: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["models", "import", str(downloads["big-local"]), "--name", "X"]) == 0
    err = capsys.readouterr().err
    assert "imported X" in err and f"verified: every file matches {BIG_REPO}@{BIG_COMMIT[:12]}" in err
    manifest = Manifest.read(installed_models()["X"])
    assert manifest is not None and manifest.verified is True and manifest.commit == BIG_COMMIT
    row = next(r for r in list_models() if r.name == "X")
    assert row.license == "CC-BY-4.0" and row.attribution.startswith("OPUS-MT by Helsinki-NLP")
    assert row.description.startswith("imported offline, verified as")

    article = tmp_path / "article.txt"
    article.write_text(article_40(), "utf-8")
    assert cli.main(["translate", str(article), "--model", "X", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["sentences"]) == 40 and all(s["translation"] is not None for s in data["sentences"])
    assert data["model"]["name"] == "X" and data["model"]["license"] == "CC-BY-4.0"

    _translator, spy = translate_with_spy(installed_models()["X"], article_40())
    assert_every_call_ends_at_eos(spy)


def test_hub_cache_snapshot_imports_as_the_catalog_entry(downloads: dict[str, Path], offline: None) -> None:
    snapshot = downloads["big-cache"]
    assert snapshot.parent.name == "snapshots" and (snapshot / "config.json").is_symlink()
    assert cli.main(["models", "import", str(snapshot)]) == 0
    assert list(installed_models()) == ["gmq-en-big"]
    manifest = Manifest.read(installed_models()["gmq-en-big"])
    assert manifest is not None and manifest.verified and manifest.license == "CC-BY-4.0"
    assert manifest.repo_id == BIG_REPO


def test_base_checkpoint_with_a_bin_imports_through_the_restricted_reader(
    downloads: dict[str, Path], offline: None
) -> None:
    assert cli.main(["models", "import", str(downloads["base-local"])]) == 0
    manifest = Manifest.read(installed_models()["gmq-en-base"])
    assert manifest is not None and manifest.verified and "pytorch_model.bin" in manifest.source_files
    assert manifest.license == "Apache-2.0"


def test_folder_without_provenance_is_imported_not_verified(
    downloads: dict[str, Path], offline: None, tmp_path: Path
) -> None:
    plain = _copy(downloads["big-local"], tmp_path / "my-opus-copy")
    shutil.rmtree(plain / ".cache")
    assert cli.main(["models", "import", str(plain)]) == 0
    row = next(r for r in list_models() if r.name == "my-opus-copy")
    assert row.description == "imported, not verified" and row.license is None
    # ...and may not pass itself off as the catalog model.
    assert cli.main(["models", "import", str(plain), "--name", "gmq-en-big"]) == 2
    assert "gmq-en-big" not in installed_models()


def test_a_file_that_does_not_match_its_recorded_etag_is_refused(
    downloads: dict[str, Path], offline: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(downloads["big-local"], tmp_path / "tampered")
    vocab = json.loads((folder / "vocab.json").read_text("utf-8"))
    vocab["Oslo-tampered"] = vocab.pop(next(iter(vocab)))
    (folder / "vocab.json").write_text(json.dumps(vocab), "utf-8")
    assert cli.main(["models", "import", str(folder)]) == 4
    err = _errors(capsys.readouterr().err)
    assert len(err) == 1 and "vocab.json does not match the hash recorded" in err[0]
    assert installed_models() == {} and _left_in_models_dir() == []


def test_links_outside_the_cache_blobs_are_not_followed(
    downloads: dict[str, Path], offline: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = downloads["big-cache"]
    repo_dir = tmp_path / "models--Helsinki-NLP--opus-mt-tc-big-gmq-en"
    fake_snap = repo_dir / "snapshots" / BIG_COMMIT
    fake_snap.mkdir(parents=True)
    (repo_dir / "blobs").mkdir()
    for f in snapshot.iterdir():
        os.symlink(f.resolve(), fake_snap / f.name)  # links into *another* cache's blobs
    assert cli.main(["models", "import", str(fake_snap)]) == 3
    assert "is not a link into" in capsys.readouterr().err
    plain = _copy(downloads["big-local"], tmp_path / "plain")
    (plain / "vocab.json").unlink()
    os.symlink("/etc/hostname", plain / "vocab.json")
    assert cli.main(["models", "import", str(plain)]) == 3
    assert installed_models() == {} and _left_in_models_dir() == []


def _break(folder: Path, how: str) -> None:
    config = json.loads((folder / "config.json").read_text("utf-8"))
    if how == "missing":
        (folder / "target.spm").unlink()
    elif how == "no-weights":
        (folder / "model.safetensors").unlink()
        (folder / "pytorch_model.bin").unlink()
    elif how == "architecture":
        config["model_type"], config["architectures"] = "bart", ["BartForConditionalGeneration"]
    elif how == "dtype":
        from safetensors.numpy import load_file, save_file

        state = load_file(str(folder / "model.safetensors"))
        state = {k: (v * 10).astype("int8") if v.ndim == 2 else v for k, v in state.items()}
        save_file(state, str(folder / "model.safetensors"))
    elif how == "vocab":
        vocab = json.loads((folder / "vocab.json").read_text("utf-8"))
        (folder / "vocab.json").write_text(json.dumps(dict(list(vocab.items())[:-100])), "utf-8")
    elif how == "shape":
        config["encoder_ffn_dim"] = config["encoder_ffn_dim"] * 2
    (folder / "config.json").write_text(json.dumps(config), "utf-8")


@pytest.mark.parametrize(
    ("how", "says"),
    [
        ("missing", "lacks target.spm; copy the whole folder again"),
        ("no-weights", "lacks model.safetensors or pytorch_model.bin"),
        ("architecture", "not a Marian translation model"),
        ("dtype", "is int8; Nordbrief converts float16, bfloat16 or float32 checkpoints"),
        ("vocab", "but the weights have 54764 rows; the checkpoint's files do not belong together"),
        ("shape", "encoder.layers.0.fc1.bias has shape (64,), config.json implies (128,)"),
    ],
)
def test_bad_checkpoint_folder_is_one_line_exit_3_nothing_installed(
    downloads: dict[str, Path],
    offline: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    how: str,
    says: str,
) -> None:
    folder = _copy(downloads["big-local"], tmp_path / "broken")
    shutil.rmtree(folder / ".cache")  # not verified: the files may differ from the recorded ones
    _break(folder, how)
    assert cli.main(["models", "import", str(folder), "--name", "broken"]) == 3
    stderr = capsys.readouterr().err
    err = _errors(stderr)
    assert len(err) == 1 and says in err[0], stderr
    assert "Traceback" not in stderr
    assert installed_models() == {} and _left_in_models_dir() == []
