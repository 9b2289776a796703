"""Importing models the user already has: a CTranslate2 folder, an Argos Translate package, or a
Hugging Face Marian checkpoint folder (converted by ``models.store.import_model`` like a download).

An ``.argosmodel`` is a zip holding ``<pkg>/model/`` (a CTranslate2 model), ``<pkg>/sentencepiece.model``
(one SentencePiece model for both sides) and ``<pkg>/metadata.json``. Zip members are checked so
none can land outside the staging folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from models.errors import ModelError, OutputError
from models.store.manifest import Manifest, git_blob_sha1

# Argos Translate packages (the file dialog offers this type).
ARGOS_SUFFIX = ".argosmodel"

VOCABULARIES = (
    "shared_vocabulary.json",
    "shared_vocabulary.txt",
    "source_vocabulary.json",
    "source_vocabulary.txt",
)


def _check_ct2_folder(folder: Path, what: str) -> None:
    import ctranslate2

    if not (folder / "model.bin").is_file():
        raise ModelError(f"{what} is not a CTranslate2 model (no model.bin)")
    if not any((folder / v).is_file() for v in VOCABULARIES):
        raise ModelError(f"{what} has no CTranslate2 vocabulary file")
    if not ctranslate2.contains_model(str(folder)):
        raise ModelError(f"{what} is not a CTranslate2 model")
    for spm_name in ("source.spm", "target.spm"):
        if not (folder / spm_name).is_file():
            raise ModelError(f"{what} has no {spm_name} (SentencePiece model)")
    _check_spm(folder / "source.spm", what)
    _check_spm(folder / "target.spm", what)


def _check_spm(path: Path, what: str) -> None:
    import sentencepiece as spm

    try:
        spm.SentencePieceProcessor(model_file=str(path))
    except (OSError, RuntimeError) as exc:
        raise ModelError(f"{what}: {path.name} is not a SentencePiece model ({exc})") from None


# An Argos package is a CTranslate2 model (int8: ~100-250 MB; float32 big ones near 1 GB) and a
# SentencePiece model, stored with deflate, which barely shrinks weights. So a package expanding
# past these is not a model but a zip bomb, refused before a byte is extracted.
MAX_ARCHIVE_MEMBERS = 10_000
MAX_UNPACKED_BYTES = 2 << 30
MAX_RATIO = 20  # unpacked / packed, over the whole archive (model weights barely compress)
MAX_NAME_BYTES = 255  # one path component, as most file systems allow
MAX_FOLDER_FILES = 10_000
MAX_FOLDER_BYTES = 8 << 30
MAX_SMALL_JSON = 1 << 20  # metadata.json / nordbrief.json of a package: a few hundred bytes
_METHODS = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
}


def _check_archive(zf: zipfile.ZipFile, src: Path) -> int:
    """Every member's path, method and declared size, before extraction; returns the total."""
    infos = zf.infolist()
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        raise ModelError(f"{src}: {len(infos):,} files in the package; not an Argos Translate model")
    total = 0
    for info in infos:
        parts = PurePosixPath(info.filename).parts
        if (
            info.filename.startswith("/")
            or ".." in parts
            or (parts and ":" in parts[0])
            or "\\" in info.filename
        ):
            raise ModelError(f"refusing package member with unsafe path {info.filename[:80]!r}")
        if any(len(p.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES for p in parts):
            raise ModelError(
                f"{src}: a member name is longer than {MAX_NAME_BYTES} bytes; not a model package"
            )
        if info.compress_type not in _METHODS:
            raise ModelError(
                f"{src}: a member uses compression method {info.compress_type} (e.g. deflate64), "
                "which cannot be read; repack it with plain zip"
            )
        if info.flag_bits & 0x1:
            raise ModelError(f"{src}: the package is encrypted")
        total += info.file_size
    packed = max(src.stat().st_size, 1)
    if total > MAX_UNPACKED_BYTES:
        raise ModelError(
            f"{src}: the package would unpack to {total / 2**30:.1f} GiB, more than the "
            f"{MAX_UNPACKED_BYTES / 2**30:.0f} GiB any translation model needs; refused"
        )
    if total > 16 << 20 and total > MAX_RATIO * packed:
        raise ModelError(
            f"{src}: the package would unpack to {total // packed:,} times its size (a zip bomb?); refused"
        )
    return total


def _safe_extract(zf: zipfile.ZipFile, dest: Path, src: Path | None = None) -> None:
    """Extract after ``_check_archive``: sizes are bounded by the declared ones (zipfile stops
    each member at its declared size and checks its CRC), paths stay inside ``dest``."""
    total = _check_archive(zf, src or Path(zf.filename or "package"))
    dest.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(dest).free
    if total > free:
        raise OutputError(
            f"not enough disk space to unpack the package ({total / 2**20:,.0f} MB needed, "
            f"{free / 2**20:,.0f} MB free)"
        )
    for info in zf.infolist():
        zf.extract(info, dest)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64].strip("-") or "model"


def _small_json(path: Path, what: str, src: Path) -> dict[str, Any]:
    """A package's own small JSON file as a dict; a missing file is {}, anything else one line."""
    if not path.exists():
        return {}
    if not path.is_file() or path.stat().st_size > MAX_SMALL_JSON:
        raise ModelError(f"{src}: {what} is not a small JSON file")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except RecursionError:
        raise ModelError(f"{src}: {what} is nested too deeply") from None
    except ValueError:
        raise ModelError(f"{src}: {what} is not valid JSON") from None
    if not isinstance(data, dict):
        raise ModelError(f"{src}: {what} is not a JSON object")
    return data


def _text(value: Any, limit: int = 200) -> str | None:
    """A metadata string as it may be shown: control characters (terminal escapes) removed."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    text = "".join(ch for ch in str(value) if unicodedata.category(ch)[0] != "C").strip()
    return text[:limit] or None


def _import_argos(src: Path, out: Path, name: str | None) -> tuple[str, Manifest]:
    work = out.with_name(out.name + "-unzip")
    try:
        with zipfile.ZipFile(src) as zf:
            _safe_extract(zf, work, src)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError) as exc:
        raise ModelError(f"{src} is not a readable Argos Translate package ({type(exc).__name__})") from None
    except OSError as exc:
        raise OutputError(f"cannot unpack {src}: {exc.strerror or exc}") from None
    roots = [p for p in work.iterdir() if p.is_dir() and not p.is_symlink()]
    if len(roots) != 1:
        raise ModelError(f"{src}: expected one top-level folder in the package")
    pkg = roots[0]
    meta = _small_json(pkg / "metadata.json", "metadata.json", src)
    spm_file = pkg / "sentencepiece.model"
    if not (pkg / "model").is_dir() or not spm_file.is_file():
        raise ModelError(f"{src}: package lacks model/ or sentencepiece.model")
    _check_tree(pkg / "model", str(src))
    os.replace(pkg / "model", out)  # a move, not a copy: the package is never on disk twice more
    for target in ("source.spm", "target.spm"):
        if not (out / target).is_file():
            shutil.copyfile(spm_file, out / target)
    shutil.rmtree(work, ignore_errors=True)
    # Argos packages hold OpenNMT-trained models: their sources carry no </s> (models.translation.engine).
    hints_file = out / "nordbrief.json"
    hints = _small_json(hints_file, "nordbrief.json", src)
    hints["append_eos"] = False
    hints_file.write_text(json.dumps(hints), encoding="utf-8")
    _check_ct2_folder(out, str(src))
    pair = f"{_text(meta.get('from_code'), 16) or ''}-{_text(meta.get('to_code'), 16) or ''}".strip("-")
    version = _text(meta.get("package_version"), 40)
    final = name or ("argos-" + _slug(pair) if pair else _slug(src.stem))
    manifest = Manifest(
        name=final,
        origin="import-argos",
        license=_text(meta.get("license")),
        attribution=(
            f"Argos Translate package {version or ''} {pair}".replace("  ", " ").strip()
            if meta
            else "Argos Translate package"
        ),
        revision=version,
    )
    return final, manifest


_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_ETAG = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


def _snapshot_blobs(folder: Path) -> Path | None:
    """The ``blobs/`` folder of the Hub cache whose ``snapshots/<commit>`` ``folder`` is, if it is one."""
    if folder.parent.name == "snapshots" and _HEX40.match(folder.name):
        blobs = folder.parent.parent / "blobs"
        return blobs.resolve() if blobs.is_dir() else None
    return None


def _cache_blob(path: Path, blobs: Path | None) -> bool:
    """``path`` is a link to a regular file directly in ``blobs``, named by its ETag."""
    if blobs is None:
        return False
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a loop, a dangling link
        return False
    return (
        target.parent == blobs
        and _ETAG.match(target.name) is not None
        and stat.S_ISREG(target.stat().st_mode)
    )


def _check_tree(folder: Path, what: str) -> int:
    """A model folder holds only regular files and folders inside itself: a link (out of the
    folder, a loop, to ``/dev/zero``), a pipe or a device is refused, so copying it can neither
    read outside the folder nor block or fill the disk. The one exception: a Hub cache
    ``snapshots/<commit>`` folder, whose files are links into the same cache's ``blobs/``.
    Returns the total size."""
    count = total = 0
    blobs = _snapshot_blobs(folder)
    for root, dirs, files in os.walk(folder, followlinks=False):
        for entry in (*dirs, *files):
            path = Path(root) / entry
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode) and entry in files and _cache_blob(path, blobs):
                st = path.stat()
            elif stat.S_ISLNK(st.st_mode):
                raise ModelError(
                    f"{what}: {path.relative_to(folder)} is a link; copy the real files into the folder"
                )
            if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                raise ModelError(
                    f"{what}: {path.relative_to(folder)} is not a regular file (a pipe or device?)"
                )
            count += 1
            total += st.st_size if stat.S_ISREG(st.st_mode) else 0
            if count > MAX_FOLDER_FILES or total > MAX_FOLDER_BYTES:
                raise ModelError(f"{what}: far more files or bytes than a translation model has")
    return total


# ---------------------------------------------------------------- Hugging Face checkpoint folders


# Any of these (and no CTranslate2 model.bin) makes a folder a Hugging Face checkpoint, even when
# config.json is what is missing: ``hf download REPO pytorch_model.bin --local-dir DIR`` leaves
# the weights and .cache/huggingface only.
_CHECKPOINT_SIGNS = (
    "config.json",
    "vocab.json",
    "model.safetensors",
    "pytorch_model.bin",
    "tokenizer_config.json",
    ".cache/huggingface",
)


def is_marian_checkpoint(folder: Path) -> bool:
    """A Hugging Face checkpoint folder: no CTranslate2 model.bin, and a checkpoint's files or the
    Hub client's ``.cache/huggingface`` (what is missing or wrong in it is reported by the import,
    exit 3, naming the missing files)."""
    return (
        folder.is_dir()
        and not (folder / "model.bin").exists()
        and any((folder / sign).exists() for sign in _CHECKPOINT_SIGNS)
    )


@dataclass(frozen=True)
class Provenance:
    """What a checkpoint folder records about where it came from."""

    kind: str  # "local-dir" (hf download --local-dir), "hub-cache" (a snapshots/<commit>/ folder), "none"
    commit: str | None = None
    repo_id: str | None = None
    etags: dict[str, str] = field(default_factory=dict)  # file name -> ETag (sha256 or git blob sha1)


def checkpoint_provenance(folder: Path, files: tuple[str, ...]) -> Provenance:
    """Where ``folder``'s ``files`` come from, checking its links on the way.

    ``hf download REPO --local-dir DIR`` leaves ``DIR/.cache/huggingface/download/NAME.metadata``
    (commit, ETag, time: huggingface_hub ``_local_folder``); a Hub cache's
    ``models--ORG--NAME/snapshots/<commit>/`` holds links into that cache's own ``blobs/``, each blob
    named by its ETag. Links are followed only there: any other link (in a cache folder or not)
    is refused, so an import never reads a file from somewhere the folder does not own.
    """
    links = [n for n in files if (folder / n).is_symlink()]
    snapshot = folder.parent.name == "snapshots" and _HEX40.match(folder.name) is not None
    if snapshot:
        repo_dir = folder.parent.parent
        blobs = (repo_dir / "blobs").resolve()
        etags: dict[str, str] = {}
        for n in files:
            path = folder / n
            if not path.exists():
                continue
            target = path.resolve()
            if not path.is_symlink() or target.parent != blobs or not _ETAG.match(target.name):
                raise ModelError(
                    f"{path} is not a link into {repo_dir / 'blobs'}; import the snapshot folder of an "
                    "intact Hub cache, or copy the files into a plain folder"
                )
            etags[n] = target.name
        parts = repo_dir.name.split("--")
        repo_id = "/".join(parts[1:]) if len(parts) >= 3 and parts[0] == "models" else None
        return Provenance("hub-cache", folder.name, repo_id, etags)
    if links:
        raise ModelError(
            f"{folder / links[0]} is a link; copy the checkpoint's files into the folder itself "
            "(or import a Hub cache snapshots/<commit> folder)"
        )
    meta_dir = folder / ".cache" / "huggingface" / "download"
    commits: set[str] = set()
    etags = {}
    for n in files:
        meta = meta_dir / f"{n}.metadata"
        if not meta.is_file() or meta.is_symlink():
            continue
        lines = meta.read_text("utf-8", errors="replace").splitlines()
        if len(lines) >= 2 and _HEX40.match(lines[0].strip()) and _ETAG.match(lines[1].strip().strip('"')):
            commits.add(lines[0].strip())
            etags[n] = lines[1].strip().strip('"')
    if not etags:
        return Provenance("none")
    if len(commits) != 1:
        raise ModelError(f"{folder}: its files were downloaded from different commits; download it again")
    return Provenance("local-dir", commits.pop(), None, etags)


def etag_matches(path: Path, etag: str, sha256: str) -> bool:
    """The Hub's ETag: SHA-256 for LFS files, the git blob SHA-1 for the others."""
    return sha256 == etag if len(etag) == 64 else git_blob_sha1(path) == etag


def import_into(src: Path, out: Path, name: str | None) -> tuple[str, Manifest]:
    """Copy ``src`` into ``out`` (a new folder), check it; returns the model name and manifest."""
    if src.is_dir():
        _check_tree(src, str(src))
        _check_ct2_folder(src, str(src))
        try:
            shutil.copytree(src, out, ignore=shutil.ignore_patterns("nordbrief-manifest.json"))
        except OSError as exc:
            raise OutputError(f"cannot copy {src}: {getattr(exc, 'strerror', None) or exc}") from None
        final = name or _slug(src.name)
        return final, Manifest(name=final, origin="import-ctranslate2", attribution=f"imported from {src}")
    if not src.is_file():
        raise ModelError(f"{src} is not a regular file (a pipe or device?)")
    if src.suffix == ARGOS_SUFFIX or zipfile.is_zipfile(src):
        return _import_argos(src, out, name)
    raise ModelError(f"{src} is neither a CTranslate2 model folder nor an .argosmodel package")
