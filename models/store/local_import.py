"""Importing models the user already has: a CTranslate2 folder or an Argos Translate package.

An ``.argosmodel`` is a zip holding ``<pkg>/model/`` (a CTranslate2 model), ``<pkg>/sentencepiece.model``
(one SentencePiece model for both sides) and ``<pkg>/metadata.json``. Zip members are checked so
none can land outside the staging folder.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from models.errors import InputError, ModelError
from models.store.manifest import Manifest

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


def import_into(src: Path, out: Path, name: str | None) -> tuple[str, Manifest]:
    """Copy ``src`` into ``out`` (a new folder), check it; returns the model name and manifest."""
    if src.is_dir():
        _check_ct2_folder(src, str(src))
        shutil.copytree(src, out, ignore=shutil.ignore_patterns("nordbrief-manifest.json"))
        final = name or _slug(src.name)
        return final, Manifest(name=final, origin="import-ctranslate2", attribution=f"imported from {src}")
    if src.suffix == ".argosmodel" or zipfile.is_zipfile(src):
        return _import_argos(src, out, name)
    raise ModelError(f"{src} is neither a CTranslate2 model folder nor an .argosmodel package")
