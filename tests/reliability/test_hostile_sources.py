"""Every model-source case of issue 14 item 7 (and item 10's import cases), walked by one test:
the CLI answers each with exactly one ``nordbrief: error:`` line on stderr, the exit code the
house rules and the issue give (3: the source is no usable model; 4: a download; 2: only bad
usage such as --name/--models-dir), no traceback, and nothing installed.

Each case is built the way the attack built it; on the code before issue 14 every one of them
ended in a traceback (exit 1) or, for the missing config.json, the wrong exit code.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from models import cli
from models.paths import models_dir
from models.testing import SIZES, marian_config, random_state

Case = Callable[[Path, Path], list[str]]  # (tiny_model, tmp) -> CLI arguments
CASES: dict[str, tuple[Case, int, str]] = {}


def case(name: str, code: int, expect: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        CASES[name] = (fn, code, expect)
        return fn

    return register


# ---------------------------------------------------------------- .argosmodel packages


def _argos(
    tiny: Path,
    path: Path,
    meta: bytes | None = None,
    extra: dict[str, bytes] | None = None,
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in tiny.iterdir():
            skip = ("source.spm", "target.spm", "nordbrief-manifest.json")
            if f.name not in skip and f"pkg/model/{f.name}" not in (extra or {}):
                zf.write(f, f"pkg/model/{f.name}")
        zf.write(tiny / "source.spm", "pkg/sentencepiece.model")
        zf.writestr(
            "pkg/metadata.json", meta if meta is not None else b'{"from_code": "nb", "to_code": "en"}'
        )
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


@case("argos metadata.json is a list", 3, "metadata.json is not a JSON object")
def _meta_list(tiny: Path, tmp: Path) -> list[str]:
    return ["models", "import", str(_argos(tiny, tmp / "a.argosmodel", meta=b'["nb", "en"]'))]


@case("argos metadata.json nested 200,000 deep", 3, "metadata.json is nested too deeply")
def _meta_deep(tiny: Path, tmp: Path) -> list[str]:
    deep = b"[" * 200_000 + b"]" * 200_000
    return ["models", "import", str(_argos(tiny, tmp / "a.argosmodel", meta=b'{"x": ' + deep + b"}"))]


@case("argos nordbrief.json is not JSON", 3, "nordbrief.json is not valid JSON")
def _hints_bad(tiny: Path, tmp: Path) -> list[str]:
    pkg = _argos(tiny, tmp / "a.argosmodel", extra={"pkg/model/nordbrief.json": b"{append_eos: no"})
    return ["models", "import", str(pkg)]


@case("argos nordbrief.json is a list", 3, "nordbrief.json is not a JSON object")
def _hints_list(tiny: Path, tmp: Path) -> list[str]:
    pkg = _argos(tiny, tmp / "a.argosmodel", extra={"pkg/model/nordbrief.json": b"[true]"})
    return ["models", "import", str(pkg)]


@case("argos 300-character member name", 3, "longer than 255 bytes")
def _long_member(tiny: Path, tmp: Path) -> list[str]:
    pkg = _argos(tiny, tmp / "a.argosmodel", extra={"pkg/" + "n" * 300: b"x"})
    return ["models", "import", str(pkg)]


@case("argos deflate64 member", 3, "compression method 9 (e.g. deflate64)")
def _deflate64(tiny: Path, tmp: Path) -> list[str]:
    pkg = _argos(tiny, tmp / "a.argosmodel", extra={"pkg/model/d64.bin": b"x" * 100})
    _set_method(pkg, "pkg/model/d64.bin", 9)  # Python's zipfile cannot write deflate64, 7-Zip can
    return ["models", "import", str(pkg)]


def _set_method(path: Path, member: str, method: int) -> None:
    """Patch ``member``'s compression method in its local and central headers (APPNOTE 4.3.7/4.3.12)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(member).header_offset
    data[local + 8 : local + 10] = method.to_bytes(2, "little")
    name = member.encode()
    central = data.find(b"PK\x01\x02")
    while central != -1:
        n = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + n] == name:
            data[central + 10 : central + 12] = method.to_bytes(2, "little")
            break
        central = data.find(b"PK\x01\x02", central + 4)
    else:
        raise AssertionError("member not found")
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo(member).compress_type == method


@case("argos package that is a FIFO", 3, "not a regular file")
def _argos_fifo(tiny: Path, tmp: Path) -> list[str]:
    os.mkfifo(tmp / "a.argosmodel")
    return ["models", "import", str(tmp / "a.argosmodel")]


# ---------------------------------------------------------------- CTranslate2 folders


def _ct2_copy(tiny: Path, tmp: Path) -> Path:
    folder = tmp / "ct2"
    shutil.copytree(tiny, folder, ignore=shutil.ignore_patterns("nordbrief-manifest.json"))
    return folder


@case("folder holding a FIFO", 3, "fifo is not a regular file")
def _folder_fifo(tiny: Path, tmp: Path) -> list[str]:
    folder = _ct2_copy(tiny, tmp)
    os.mkfifo(folder / "fifo")  # copytree would block on it forever
    return ["models", "import", str(folder), "--name", "x"]


@case("folder holding a symlink loop", 3, "loop is a link")
def _folder_loop(tiny: Path, tmp: Path) -> list[str]:
    folder = _ct2_copy(tiny, tmp)
    (folder / "loop").symlink_to("loop")
    return ["models", "import", str(folder), "--name", "x"]


@case("folder holding a link to /dev/zero", 3, "zero is a link")
def _folder_zero(tiny: Path, tmp: Path) -> list[str]:
    folder = _ct2_copy(tiny, tmp)
    (folder / "zero").symlink_to("/dev/zero")  # copytree would copy it until the disk is full
    return ["models", "import", str(folder), "--name", "x"]


@case("folder with a file linked from outside it", 3, "secret.txt is a link")
def _folder_outside(tiny: Path, tmp: Path) -> list[str]:
    folder = _ct2_copy(tiny, tmp)
    (tmp / "secret.txt").write_text("not the model's", "utf-8")
    (folder / "secret.txt").symlink_to(tmp / "secret.txt")
    return ["models", "import", str(folder), "--name", "x"]


@case("--models-dir pointing at a file", 2, "is a file, not a folder")
def _models_dir_file(tiny: Path, tmp: Path) -> list[str]:
    (tmp / "file").write_text("x", "utf-8")
    return ["--models-dir", str(tmp / "file"), "models", "import", str(_ct2_copy(tiny, tmp)), "--name", "x"]


@case("--models-dir pointing at a file (models list)", 2, "is a file, not a folder")
def _models_dir_file_list(tiny: Path, tmp: Path) -> list[str]:
    (tmp / "file").write_text("x", "utf-8")
    return ["--models-dir", str(tmp / "file"), "models", "list"]


@case("--models-dir with a 300-character name", 2, "cannot be used: File name too long")
def _models_dir_long(tiny: Path, tmp: Path) -> list[str]:
    return ["--models-dir", str(tmp / ("m" * 300)), "models", "list"]


@case("--models-dir that is a link loop", 2, "cannot be used: Too many levels of symbolic links")
def _models_dir_loop(tiny: Path, tmp: Path) -> list[str]:
    (tmp / "loop").symlink_to("loop")
    return ["--models-dir", str(tmp / "loop"), "models", "import", str(_ct2_copy(tiny, tmp)), "--name", "x"]


@case("300-character --name", 2, "at most 100 printable characters")
def _long_name(tiny: Path, tmp: Path) -> list[str]:
    return ["models", "import", str(_ct2_copy(tiny, tmp)), "--name", "n" * 300]


@case("--name with a terminal escape", 2, "at most 100 printable characters")
def _escape_name(tiny: Path, tmp: Path) -> list[str]:
    return ["models", "import", str(_ct2_copy(tiny, tmp)), "--name", "ok\x1b]0;pwned\x07"]


# ---------------------------------------------------------------- Hugging Face checkpoint folders


def _checkpoint(tiny: Path, tmp: Path, config: Any = None, vocab: Any = None) -> Path:
    """A tiny Marian checkpoint folder (numpy safetensors: no torch needed)."""
    from safetensors.numpy import save_file

    folder = tmp / "ckpt"
    folder.mkdir()
    for name in ("source.spm", "target.spm"):
        shutil.copyfile(tiny / name, folder / name)
    tokens = [*json.loads((tiny / "shared_vocabulary.json").read_text("utf-8")), "<pad>"]
    honest = marian_config(SIZES["tiny"], len(tokens), 0)
    save_file(random_state(honest, 0), str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps(honest if config is None else config(honest)), "utf-8")
    vocab_data = {t: i for i, t in enumerate(tokens)}
    (folder / "vocab.json").write_text(
        json.dumps(vocab_data if vocab is None else vocab(vocab_data)), "utf-8"
    )
    return folder


@case("checkpoint config.json missing d_model", 3, "d_model")
def _config_missing(tiny: Path, tmp: Path) -> list[str]:
    drop = lambda c: {k: v for k, v in c.items() if k != "d_model"}  # noqa: E731
    return ["models", "import", str(_checkpoint(tiny, tmp, config=drop)), "--name", "x"]


@case("checkpoint config.json is a list", 3, "config.json")
def _config_list(tiny: Path, tmp: Path) -> list[str]:
    return ["models", "import", str(_checkpoint(tiny, tmp, config=lambda c: [c])), "--name", "x"]


@case("checkpoint config.json with a string for a size", 3, "config.json")
def _config_mixed(tiny: Path, tmp: Path) -> list[str]:
    return [
        "models",
        "import",
        str(_checkpoint(tiny, tmp, config=lambda c: {**c, "d_model": "512"})),
        "--name",
        "x",
    ]


@case("checkpoint vocab.json nested", 3, "vocab.json")
def _vocab_nested(tiny: Path, tmp: Path) -> list[str]:
    nest = lambda v: {**v, "▁hei": {"id": 5}}  # noqa: E731
    return ["models", "import", str(_checkpoint(tiny, tmp, vocab=nest)), "--name", "x"]


@case("checkpoint vocab.json with mixed types", 3, "vocab.json")
def _vocab_mixed(tiny: Path, tmp: Path) -> list[str]:
    mixed = lambda v: {k: (str(i) if i % 2 else i) for k, i in v.items()}  # noqa: E731
    return ["models", "import", str(_checkpoint(tiny, tmp, vocab=mixed)), "--name", "x"]


@case("checkpoint vocab.json is a list", 3, "vocab.json")
def _vocab_list(tiny: Path, tmp: Path) -> list[str]:
    return ["models", "import", str(_checkpoint(tiny, tmp, vocab=lambda v: list(v))), "--name", "x"]


@case("checkpoint weights linked to /dev/zero", 3, "not a regular file")
def _weights_zero(tiny: Path, tmp: Path) -> list[str]:
    folder = _checkpoint(tiny, tmp)
    (folder / "model.safetensors").unlink()
    (folder / "model.safetensors").symlink_to("/dev/zero")
    return ["models", "import", str(folder), "--name", "x"]


@case("hf download folder without config.json", 3, "lacks config.json, source.spm, target.spm, vocab.json")
def _no_config(tiny: Path, tmp: Path) -> list[str]:
    """What ``hf download REPO pytorch_model.bin --local-dir DIR`` leaves: the weights only."""
    folder = tmp / "hf"
    meta = folder / ".cache" / "huggingface" / "download"
    meta.mkdir(parents=True)
    (folder / "pytorch_model.bin").write_bytes(b"PK\x03\x04" + bytes(60))
    (meta / "pytorch_model.bin.metadata").write_text(f"{'a' * 40}\n{'b' * 64}\n1700000000.0\n", "utf-8")
    return ["models", "import", str(folder), "--name", "x"]


@pytest.mark.parametrize("name", list(CASES))
def test_a_hostile_model_source_is_one_line_with_its_exit_code(
    name: str, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build, code, expect = CASES[name]
    args = build(tiny_model, tmp_path)
    capsys.readouterr()
    assert cli.main(args) == code
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("nordbrief: error:")]
    assert "Traceback" not in err
    assert len(lines) == 1, err  # the rest of stderr is progress ("verifying x config.json ...")
    assert expect in lines[0]
    assert all(ch.isprintable() for ch in lines[0]), lines[0]  # no escape reaches the terminal
    root = models_dir()
    if os.path.isdir(root):  # False, not an error, for the unusable --models-dir cases
        assert [p.name for p in root.iterdir() if p.name != ".locks"] == []


def test_models_list_prints_no_terminal_escapes(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A manifest written before names and licenses were cleaned (or edited on disk) still
    reaches the terminal without its escapes: ``models list`` cleans everything it prints."""
    assert cli.main(["models", "import", str(_ct2_copy(tiny_model, tmp_path)), "--name", "ok"]) == 0
    manifest = models_dir() / "ok" / "nordbrief-manifest.json"
    data = json.loads(manifest.read_text("utf-8"))
    data["license"] = "\x1b]0;pwned\x07MIT\x1b[2J"
    data["attribution"] = "by \u202eevil\x9b31m"
    manifest.write_text(json.dumps(data), "utf-8")
    capsys.readouterr()
    assert cli.main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "license: ]0;pwnedMIT[2J" in out and "by evil31m" in out
    assert all(ch.isprintable() or ch == "\n" for ch in out)
    assert cli.main(["models", "list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)  # JSON escapes them; the values stay exact
    assert any(m["license"] == data["license"] for m in listed["models"])


def _cache_snapshot(tiny: Path, tmp: Path) -> tuple[Path, Path]:
    """A CTranslate2 model as the Hub cache holds it: snapshots/<commit>/ links into blobs/."""
    import hashlib

    repo = tmp / "hub" / "models--org--tiny-ct2"
    blobs, snap = repo / "blobs", repo / "snapshots" / ("c" * 40)
    blobs.mkdir(parents=True)
    snap.mkdir(parents=True)
    for f in tiny.iterdir():
        if f.name == "nordbrief-manifest.json":
            continue
        data = f.read_bytes()
        blob = blobs / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        (snap / f.name).symlink_to(os.path.relpath(blob, snap))
    return snap, blobs


def test_a_hub_cache_snapshot_folder_imports_through_its_blob_links(tiny_model: Path, tmp_path: Path) -> None:
    snap, _ = _cache_snapshot(tiny_model, tmp_path)
    assert cli.main(["models", "import", str(snap), "--name", "cached"]) == 0
    installed = models_dir() / "cached"
    assert (installed / "model.bin").is_file() and not (installed / "model.bin").is_symlink()


def test_a_snapshot_link_out_of_the_cache_is_refused(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snap, _ = _cache_snapshot(tiny_model, tmp_path)
    (tmp_path / "secret").write_text("x", "utf-8")
    (snap / "extra.txt").symlink_to(tmp_path / "secret")
    assert cli.main(["models", "import", str(snap), "--name", "cached"]) == 3
    assert "extra.txt is a link" in _one_error(capsys.readouterr().err)


def _one_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("nordbrief: error:")]
    assert "Traceback" not in err and len(lines) == 1, err
    return lines[0]
