"""Importing models the user already has: a CTranslate2 folder, an Argos Translate package, or a
Hugging Face Marian checkpoint folder (converted by ``models.store.import_model`` like a download).

An ``.argosmodel`` is a zip holding ``<pkg>/model/`` (a CTranslate2 model), ``<pkg>/sentencepiece.model``
(one SentencePiece model for both sides) and ``<pkg>/metadata.json``. Zip members are checked so
none can land outside the staging folder.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from models.errors import InputError, ModelError
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
        raise InputError(f"{what} is not a CTranslate2 model (no model.bin)")
    if not any((folder / v).is_file() for v in VOCABULARIES):
        raise InputError(f"{what} has no CTranslate2 vocabulary file")
    if not ctranslate2.contains_model(str(folder)):
        raise InputError(f"{what} is not a CTranslate2 model")
    for spm_name in ("source.spm", "target.spm"):
        if not (folder / spm_name).is_file():
            raise InputError(f"{what} has no {spm_name} (SentencePiece model)")
    _check_spm(folder / "source.spm", what)
    _check_spm(folder / "target.spm", what)


def _check_spm(path: Path, what: str) -> None:
    import sentencepiece as spm

    try:
        spm.SentencePieceProcessor(model_file=str(path))
    except (OSError, RuntimeError) as exc:
        raise InputError(f"{what}: {path.name} is not a SentencePiece model ({exc})") from None


def _safe_extract(zf: zipfile.ZipFile, dest: Path) -> None:
    for info in zf.infolist():
        parts = PurePosixPath(info.filename).parts
        if info.filename.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
            raise InputError(f"refusing package member with unsafe path {info.filename!r}")
    zf.extractall(dest)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "model"


def _import_argos(src: Path, out: Path, name: str | None) -> tuple[str, Manifest]:
    work = out.with_name(out.name + "-unzip")
    try:
        with zipfile.ZipFile(src) as zf:
            _safe_extract(zf, work)
    except zipfile.BadZipFile:
        raise InputError(f"{src} is not an Argos Translate package (not a zip file)") from None
    roots = [p for p in work.iterdir() if p.is_dir()]
    if len(roots) != 1:
        raise InputError(f"{src}: expected one top-level folder in the package")
    pkg = roots[0]
    meta: dict[str, Any] = {}
    if (pkg / "metadata.json").is_file():
        try:
            meta = json.loads((pkg / "metadata.json").read_text(encoding="utf-8"))
        except ValueError:
            raise InputError(f"{src}: metadata.json is not valid JSON") from None
    spm_file = pkg / "sentencepiece.model"
    if not (pkg / "model").is_dir() or not spm_file.is_file():
        raise InputError(f"{src}: package lacks model/ or sentencepiece.model")
    shutil.copytree(pkg / "model", out)
    for target in ("source.spm", "target.spm"):
        if not (out / target).is_file():
            shutil.copyfile(spm_file, out / target)
    shutil.rmtree(work, ignore_errors=True)
    # Argos packages hold OpenNMT-trained models: their sources carry no </s> (models.translation.engine).
    hints_file = out / "nordbrief.json"
    hints = json.loads(hints_file.read_text(encoding="utf-8")) if hints_file.is_file() else {}
    hints["append_eos"] = False
    hints_file.write_text(json.dumps(hints), encoding="utf-8")
    _check_ct2_folder(out, str(src))
    pair = f"{meta.get('from_code', '')}-{meta.get('to_code', '')}".strip("-")
    final = name or ("argos-" + _slug(pair) if pair else _slug(src.stem))
    manifest = Manifest(
        name=final,
        origin="import-argos",
        license=meta.get("license") if isinstance(meta.get("license"), str) else None,
        attribution=(
            f"Argos Translate package {meta.get('package_version', '')} {pair}".strip()
            if meta
            else "Argos Translate package"
        ),
        revision=str(meta.get("package_version")) if meta.get("package_version") else None,
    )
    return final, manifest


# ---------------------------------------------------------------- Hugging Face checkpoint folders


def is_marian_checkpoint(folder: Path) -> bool:
    """A Hugging Face checkpoint folder: config.json and no CTranslate2 model.bin (what is
    missing or wrong in it is reported by the import, exit 3)."""
    return folder.is_dir() and (folder / "config.json").exists() and not (folder / "model.bin").exists()


@dataclass(frozen=True)
class Provenance:
    """What a checkpoint folder records about where it came from."""

    kind: str  # "local-dir" (hf download --local-dir), "hub-cache" (a snapshots/<commit>/ folder), "none"
    commit: str | None = None
    repo_id: str | None = None
    etags: dict[str, str] = field(default_factory=dict)  # file name -> ETag (sha256 or git blob sha1)


_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_ETAG = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


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
                raise InputError(
                    f"{path} is not a link into {repo_dir / 'blobs'}; import the snapshot folder of an "
                    "intact Hub cache, or copy the files into a plain folder"
                )
            etags[n] = target.name
        parts = repo_dir.name.split("--")
        repo_id = "/".join(parts[1:]) if len(parts) >= 3 and parts[0] == "models" else None
        return Provenance("hub-cache", folder.name, repo_id, etags)
    if links:
        raise InputError(
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
        raise InputError(f"{folder}: its files were downloaded from different commits; download it again")
    return Provenance("local-dir", commits.pop(), None, etags)


def etag_matches(path: Path, etag: str, sha256: str) -> bool:
    """The Hub's ETag: SHA-256 for LFS files, the git blob SHA-1 for the others."""
    return sha256 == etag if len(etag) == 64 else git_blob_sha1(path) == etag


def import_into(src: Path, out: Path, name: str | None) -> tuple[str, Manifest]:
    """Copy ``src`` into ``out`` (a new folder), check it; returns the model name and manifest."""
    if src.is_dir():
        _check_ct2_folder(src, str(src))
        shutil.copytree(src, out, ignore=shutil.ignore_patterns("nordbrief-manifest.json"))
        final = name or _slug(src.name)
        return final, Manifest(name=final, origin="import-ctranslate2", attribution=f"imported from {src}")
    if src.suffix == ARGOS_SUFFIX or zipfile.is_zipfile(src):
        return _import_argos(src, out, name)
    raise ModelError(f"{src} is neither a CTranslate2 model folder nor an .argosmodel package")
