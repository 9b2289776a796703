"""Hostile model sources (issue 14, item 1 and the import half of item 7): a few bytes must never
become gigabytes of memory or disk, and every refusal is one line with exit 2/3, never a traceback.

The memory cases run the real CLI in a subprocess under ``RLIMIT_AS``: the code before these
checks allocated the tensors the fixtures describe (3.4 GB for a stride-0 view, 400 MB for a
deflated record, gigabytes for a 10,000,000-position table) and died with ``MemoryError``.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from models import cli
from models.paths import models_dir
from models.store.checkpoint import UnsafeCheckpointError, read_torch_zip
from models.testing import SIZES, marian_config, random_state

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[2]
# Address space for one import of a tiny checkpoint is ~700 MB here (numpy, CTranslate2, and the
# torch/transformers that ctranslate2.converters imports when installed); the hostile fixtures
# below describe far more than this allows on top.
LIMIT_MB = 1100


def _run_limited(*args: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import resource, sys\n"
        f"lim = {LIMIT_MB} << 20\n"
        "resource.setrlimit(resource.RLIMIT_AS, (lim, lim))\n"
        "from models import cli\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=ROOT,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )


def _one_line(stderr: str) -> str:
    errors = [line for line in stderr.splitlines() if line.startswith("nordbrief: error:")]
    assert "Traceback" not in stderr, stderr
    assert len(errors) == 1, stderr
    return errors[0]


def _tokens(tiny_model: Path) -> list[str]:
    return [*json.loads((tiny_model / "shared_vocabulary.json").read_text("utf-8")), "<pad>"]


def _checkpoint(folder: Path, tiny_model: Path, state: dict[str, Any] | None = None) -> dict[str, Any]:
    """A tiny Marian checkpoint folder (config, vocab, spm, pytorch_model.bin); returns config."""
    folder.mkdir(parents=True)
    for name in ("source.spm", "target.spm"):
        shutil.copyfile(tiny_model / name, folder / name)
    tokens = _tokens(tiny_model)
    config = marian_config(SIZES["tiny"], len(tokens), 0)
    (folder / "config.json").write_text(json.dumps(config), "utf-8")
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}), "utf-8")
    if state is None:
        state = {k: torch.from_numpy(v) for k, v in random_state(config, 0).items()}
    torch.save(state, folder / "pytorch_model.bin")
    return config


def _nothing_installed() -> None:
    root = models_dir()
    left = [p.name for p in root.iterdir() if p.name != ".locks"] if root.is_dir() else []
    assert left == []


def _tiny_state(tiny_model: Path) -> dict[str, Any]:
    tokens = _tokens(tiny_model)
    config = marian_config(SIZES["tiny"], len(tokens), 0)
    return {k: torch.from_numpy(v) for k, v in random_state(config, 0).items()}


def test_an_honest_checkpoint_imports_under_the_same_limit(tiny_model: Path, tmp_path: Path) -> None:
    """The limit is not what refuses the hostile ones below."""
    _checkpoint(tmp_path / "ok", tiny_model)
    done = _run_limited("models", "import", str(tmp_path / "ok"), "--name", "ok")
    assert done.returncode == 0, done.stderr


def test_a_stride0_view_is_refused_not_allocated(tiny_model: Path, tmp_path: Path) -> None:
    """616 bytes of pickle described a 30,000 x 30,000 tensor over one 4-byte storage."""
    state = _tiny_state(tiny_model)
    state["model.shared.weight"] = torch.zeros(1).expand(30_000, 30_000)
    _checkpoint(tmp_path / "stride0", tiny_model, state)
    done = _run_limited("models", "import", str(tmp_path / "stride0"), "--name", "x")
    assert done.returncode == 3, done.stderr
    assert "overlapping view" in _one_line(done.stderr)
    _nothing_installed()


def _deflated_bomb(src: Path, dest: Path, numel: int) -> None:
    """``src`` with one storage record declared ``numel`` floats long, written deflated (zeros
    compress ~1000:1): a few hundred KB that the old reader inflated whole."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("/data.pkl"):
                # the bomb tensor was saved with 12345 elements: BININT2 12345 -> BININT numel
                data = data.replace(b"M90", b"J" + struct.pack("<i", numel))
                zout.writestr(info.filename, data)
            elif info.filename.endswith("/data/0"):
                with zout.open(info.filename, "w", force_zip64=True) as fh:
                    block = b"\0" * (16 << 20)
                    left = numel * 4
                    while left:
                        fh.write(block[: min(left, len(block))])
                        left -= min(left, len(block))
            else:
                zout.writestr(info, data)


def test_a_deflated_storage_record_is_never_inflated(tiny_model: Path, tmp_path: Path) -> None:
    from collections import OrderedDict

    state = OrderedDict(bomb=torch.zeros(12345))  # storage "0"
    state.update(_tiny_state(tiny_model))
    folder = tmp_path / "deflated"
    _checkpoint(folder, tiny_model, state)
    plain = folder / "pytorch_model.bin"
    bomb = tmp_path / "bomb.bin"
    _deflated_bomb(plain, bomb, 150_000_000)  # 600 MB declared
    os.replace(bomb, plain)
    assert plain.stat().st_size < 5 << 20
    done = _run_limited("models", "import", str(folder), "--name", "x")
    assert done.returncode == 3, done.stderr
    assert "more than the file" in _one_line(done.stderr)
    _nothing_installed()


def test_ten_million_positions_are_refused_before_any_table_is_built(
    tiny_model: Path, tmp_path: Path
) -> None:
    config = _checkpoint(tmp_path / "positions", tiny_model)
    config["max_position_embeddings"] = 10_000_000
    (tmp_path / "positions" / "config.json").write_text(json.dumps(config), "utf-8")
    done = _run_limited("models", "import", str(tmp_path / "positions"), "--name", "x")
    assert done.returncode == 3, done.stderr
    line = _one_line(done.stderr)
    assert "max_position_embeddings is 10,000,000; Nordbrief accepts 1 to 4,096" in line
    _nothing_installed()


def test_views_sharing_a_storage_cannot_describe_more_than_the_file(tmp_path: Path) -> None:
    base = torch.zeros(1000)
    # 490 distinct windows of one 4 KB storage: each in bounds, together 1.4 MB
    state = {f"w{i}": base[: 500 + i] for i in range(490)}
    torch.save(state, tmp_path / "views.bin")
    with pytest.raises(UnsafeCheckpointError, match="more than the file"):
        read_torch_zip(tmp_path / "views.bin")


def test_tied_and_transposed_views_still_read(tmp_path: Path) -> None:
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    torch.save({"a": base, "tied": base, "t": base.t()}, tmp_path / "ok.bin")
    out = read_torch_zip(tmp_path / "ok.bin")
    np.testing.assert_array_equal(out["t"], base.t().numpy())
    assert out["a"] is out["tied"]  # one view, read once


# ---------------------------------------------------------------- .argosmodel archives


def _argos(tiny_model: Path, path: Path, extra: dict[str, bytes] | None = None, **meta: Any) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in tiny_model.iterdir():
            if f.name not in ("source.spm", "target.spm", "nordbrief-manifest.json"):
                zf.write(f, f"pkg/model/{f.name}")
        zf.write(tiny_model / "source.spm", "pkg/sentencepiece.model")
        zf.writestr("pkg/metadata.json", json.dumps({"from_code": "nb", "to_code": "en", **meta}))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def test_an_argos_zip_bomb_is_refused_before_extraction(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = tmp_path / "bomb.argosmodel"
    with (
        zipfile.ZipFile(_argos(tiny_model, pkg), "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open("pkg/model/padding.bin", "w", force_zip64=True) as fh,
    ):
        for _ in range(25):
            fh.write(b"\0" * (8 << 20))  # 200 MB of zeros: ~200 KB packed
    assert pkg.stat().st_size < 2 << 20
    before = shutil.disk_usage(tmp_path).used
    assert cli.main(["models", "import", str(pkg), "--name", "bomb"]) == 3
    assert "times its size (a zip bomb?)" in _one_line(capsys.readouterr().err)
    _nothing_installed()
    assert shutil.disk_usage(tmp_path).used - before < 50 << 20


def test_an_archive_declaring_more_than_the_cap_is_refused(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import models.store.local_import as local_import

    monkeypatch.setattr(local_import, "MAX_UNPACKED_BYTES", 100_000)  # the same check, a smaller cap
    pkg = _argos(tiny_model, tmp_path / "big.argosmodel")
    assert cli.main(["models", "import", str(pkg), "--name", "big"]) == 3
    assert "would unpack to" in _one_line(capsys.readouterr().err)
    _nothing_installed()


def test_an_honest_argos_package_still_imports(tiny_model: Path, tmp_path: Path) -> None:
    pkg = _argos(tiny_model, tmp_path / "ok.argosmodel", license="\x1b]0;pwned\x07CC-BY \x1b[31m4.0")
    assert cli.main(["models", "import", str(pkg), "--name", "ok"]) == 0
    from models.store.manifest import Manifest

    manifest = Manifest.read(models_dir() / "ok")
    assert manifest is not None and manifest.license == "]0;pwnedCC-BY [31m4.0"  # escapes removed
