"""The model store: catalog, installed models, download + conversion, import, default model.

One API for the CLI (``nordbrief models ...``) and the GUI. Installed models are folders
``models_dir()/NAME`` holding a CTranslate2 model and ``nordbrief-manifest.json``; a folder is
built under a hidden staging name in the same directory and renamed into place only when complete
and verified, so a half-downloaded or half-converted model is never picked up. One download of a
model runs at a time across processes (CLI and GUI alike): ``.locks/NAME.lock`` holds an OS file
lock for the whole download and install, and a second attempt fails at once (``DownloadBusyError``,
exit 4) instead of racing over the same partial files. The default model is an engine setting
(``models.settings``: ``engine.json``) shared by CLI and GUI.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import stat
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models import settings
from models.errors import (
    Cancelled,
    InputError,
    ModelError,
    ModelNotInstalled,
    NetworkError,
    NoModelInstalled,
    OutputError,
    UnknownModel,
)
from models.paths import models_dir
from models.store.catalog import CatalogEntry, default_name, load_catalog
from models.store.manifest import MANIFEST, Manifest, full_problems, quick_problems, record_files
from models.store.progress import DownloadProgress, ProgressCallback

__all__ = [
    "CatalogEntry",
    "DownloadBusyError",
    "DownloadProgress",
    "InstalledModel",
    "ModelStatus",
    "ProgressCallback",
    "default_name",
    "download_model",
    "get_default_model",
    "import_model",
    "installed_models",
    "list_models",
    "load_catalog",
    "remove_model",
    "resolve_model",
    "set_default_model",
    "verify_model",
]

DOWNLOAD_HINT = "nordbrief models download"
NO_MODEL = f"no translation model installed; run: {DOWNLOAD_HINT}"
LOCKS = ".locks"  # per-model lock files under models_dir(); hidden, so never taken for a model


class DownloadBusyError(NetworkError):
    """Another Nordbrief process (or window) is downloading or installing this model right now."""


@dataclass
class InstalledModel:
    name: str
    path: Path
    revision: str | None = None
    license: str | None = None
    attribution: str | None = None
    commit: str | None = None
    repo_id: str | None = None
    origin: str | None = None  # "hub", "import-ctranslate2", "import-argos"; None: a bare folder


@dataclass
class ModelStatus:
    """One row of ``models list``: a catalog entry and/or an installed model."""

    name: str
    installed: bool
    is_default: bool
    path: Path | None
    entry: CatalogEntry | None
    license: str | None
    attribution: str | None
    description: str
    size_bytes: int | None  # on disk when installed, else the approximate download
    origin: str | None


# ---------------------------------------------------------------- the default model


def get_default_model() -> str | None:
    """The model ``translate`` uses without ``--model``: the setting if still installed, else the
    catalog default or the first installed model; None when nothing is installed."""
    installed = installed_models()
    chosen = settings.chosen_default_model()
    if chosen is not None and chosen in installed:
        return chosen
    if default_name() in installed:
        return default_name()
    return next(iter(installed), None)


def set_default_model(name: str) -> None:
    if name not in installed_models():
        raise _not_installed(name)
    settings.choose_default_model(name)


# ---------------------------------------------------------------- installed models


def _not_installed(name: str) -> ModelError:
    """The one error for a model name that is not installed (exit 3 everywhere): a catalog model
    gets the download command, anything else the list of what there is."""
    if name in load_catalog():
        return ModelNotInstalled(f"model {name} is not installed; run: {DOWNLOAD_HINT} {name}")
    known = list(dict.fromkeys([*load_catalog(), *installed_models()]))
    return UnknownModel(f"unknown model {name!r}; choose one of: {', '.join(known)} (nordbrief models list)")


MAX_NAME_LENGTH = 100


def _valid_name(name: str) -> bool:
    """A folder name on every system, printable (no terminal escapes reach ``models list``)."""
    import unicodedata

    return (
        bool(name)
        and len(name) <= MAX_NAME_LENGTH
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and all(unicodedata.category(ch)[0] != "C" for ch in name)
    )


def _invalid_name(name: str) -> InputError:
    shown = "".join(ch if ch.isprintable() else "?" for ch in name[:40])
    return InputError(
        f"invalid model name {shown!r}: use at most {MAX_NAME_LENGTH} printable characters, "
        "no slashes, not starting with a dot"
    )


def _root(create: bool = False) -> Path:
    """``models_dir()``, checked: a file there (``--models-dir`` mistyped) is one line, not a
    traceback from the first ``mkdir``."""
    root = models_dir()
    try:
        is_dir: bool | None = stat.S_ISDIR(os.stat(root).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        is_dir = None  # not there yet (created when a model is installed)
    except OSError as exc:  # a name too long, a link loop, no permission
        shown = str(root) if len(str(root)) <= 120 else str(root)[:117] + "..."
        raise InputError(
            f"the models folder {shown} cannot be used: {exc.strerror or exc} (check --models-dir)"
        ) from None
    if is_dir is False:
        raise InputError(f"the models folder {root} is a file, not a folder (check --models-dir)")
    if create:
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create the models folder {root}: {exc.strerror or exc}") from None
    return root


def installed_models() -> dict[str, Path]:
    """Name -> folder of every installed model (folders with a manifest), sorted by name."""
    root = _root()
    if not root.is_dir():
        return {}
    return {
        p.name: p
        for p in sorted(root.iterdir())
        if p.is_dir() and _valid_name(p.name) and (p / MANIFEST).is_file()
    }


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def list_models() -> list[ModelStatus]:
    """Catalog entries (installed or not), then imported models."""
    catalog = load_catalog()
    installed = installed_models()
    default = get_default_model()
    rows: list[ModelStatus] = []
    for name in [*catalog, *(n for n in installed if n not in catalog)]:
        entry = catalog.get(name)
        path = installed.get(name)
        manifest = Manifest.read(path) if path else None
        rows.append(
            ModelStatus(
                name=name,
                installed=path is not None,
                is_default=name == default,
                path=path,
                entry=entry,
                license=(manifest.license if manifest else None) or (entry.license if entry else None),
                attribution=(manifest.attribution if manifest else None)
                or (entry.attribution if entry else None),
                description=entry.description if entry else _imported_description(manifest),
                size_bytes=_folder_size(path) if path else (entry.download_mb * 10**6 if entry else None),
                origin=manifest.origin if manifest else None,
            )
        )
    return rows


def _imported_description(manifest: Manifest | None) -> str:
    if manifest is None:
        return "imported (?)"
    if manifest.origin == "import-checkpoint":
        if manifest.verified:
            return f"imported offline, verified as {manifest.repo_id}@{(manifest.commit or '')[:12]}"
        return "imported, not verified"
    return f"imported ({manifest.origin})"


def _damaged(name: str, problems: list[str]) -> ModelError:
    fix = (
        f"run: {DOWNLOAD_HINT} {name} --force"
        if name in load_catalog()
        else f"run: nordbrief models remove {name}, then import it again"
    )
    return ModelError(f"model {name} is damaged ({problems[0]}); {fix}")


def _installed(name: str, path: Path) -> InstalledModel:
    """The model at ``path`` after the cheap manifest check (raises ``ModelError``)."""
    manifest = Manifest.read(path)
    if manifest is None:
        raise ModelError(f"model {name} has an unreadable manifest; run: nordbrief models verify {name}")
    problems = quick_problems(path, manifest)
    if problems:
        raise _damaged(name, problems)
    return InstalledModel(
        name=name,
        path=path,
        revision=manifest.revision,
        license=manifest.license,
        attribution=manifest.attribution,
        commit=manifest.commit,
        repo_id=manifest.repo_id,
        origin=manifest.origin,
    )


def resolve_model(name_or_dir: str | None) -> InstalledModel:
    """A catalog name, an installed name or a CTranslate2 model folder -> an installed model.

    ``None`` means the default model; raises ``ModelError`` (exit 3) naming the download command
    when nothing usable is installed. Every call checks the files against the manifest (sizes).
    """
    if name_or_dir is None:
        default = get_default_model()
        if default is None:
            raise NoModelInstalled(NO_MODEL)
        return _installed(default, installed_models()[default])
    installed = installed_models()
    if name_or_dir in installed:
        return _installed(name_or_dir, installed[name_or_dir])
    if name_or_dir in load_catalog():
        raise _not_installed(name_or_dir)
    path = Path(name_or_dir)
    if path.is_dir():
        if (path / MANIFEST).is_file():
            return _installed(path.name, path)
        if not (path / "model.bin").is_file():
            raise ModelError(
                f"{path} is not a CTranslate2 model folder (no model.bin); "
                "copy the model again or run: nordbrief models download"
            )
        return InstalledModel(name=path.name, path=path)
    raise _not_installed(name_or_dir)


def remove_model(name: str) -> None:
    path = installed_models().get(name)
    if path is None:
        raise _not_installed(name)
    with _model_lock(name):  # not from under a download or import of the same model
        # Rename first so a crash mid-delete never leaves a half model that looks installed.
        trash = path.with_name(f".trash-{name}-{uuid.uuid4().hex[:8]}")
        os.replace(path, trash)
    shutil.rmtree(trash, ignore_errors=True)
    if settings.chosen_default_model() == name:
        settings.choose_default_model(None)


def verify_model(name: str, cancel: Callable[[], bool] | None = None) -> list[str]:
    """Full check (SHA-256 of every file against the manifest); returns the problems found."""
    path = installed_models().get(name)
    if path is None:
        raise _not_installed(name)
    manifest = Manifest.read(path)
    if manifest is None:
        return [f"{MANIFEST} is unreadable"]
    return full_problems(path, manifest, cancel)


# ---------------------------------------------------------------- installing


def _staging(prefix: str) -> Path:
    root = _root(create=True)
    try:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=root))
    except OSError as exc:
        raise OutputError(f"cannot write into the models folder {root}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _converted(src: Path, prefix: str, cancel: Callable[[], bool] | None) -> Iterator[Path]:
    """Checkpoint ``src`` converted to an int8 CTranslate2 folder with its input limits, in a
    staging folder that is gone afterwards (``_install`` moves the model out of it)."""
    from models.store.convert import convert_marian

    tmp = _staging(prefix)
    try:
        convert_marian(src, tmp / "model", quantization="int8", cancel=cancel)
        _write_limits(src, tmp / "model")
        yield tmp / "model"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _install(tmp: Path, name: str, manifest: Manifest, cancel: Callable[[], bool] | None) -> Path:
    """Write the manifest into ``tmp``, check it, and rename ``tmp`` to the model's folder."""
    manifest.files = record_files(tmp, cancel)
    manifest.created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    manifest.write(tmp)
    problems = full_problems(tmp, manifest, cancel)
    if problems:  # a disk that does not read back what was written
        raise NetworkError(f"model {name} failed verification after install ({problems[0]})")
    target = models_dir() / name
    old = None
    if target.exists():
        old = target.with_name(f".trash-{name}-{uuid.uuid4().hex[:8]}")
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    if settings.chosen_default_model() not in installed_models():
        set_default_model(name)
    return target


def lock_path(name: str) -> Path:
    """The lock file guarding ``name``'s download area and install (kept: see ``_model_lock``)."""
    return models_dir() / LOCKS / f"{name}.lock"


@contextlib.contextmanager
def _model_lock(name: str) -> Iterator[None]:
    """Hold ``name``'s inter-process lock, or raise ``DownloadBusyError`` at once.

    filelock takes an OS lock (flock / LockFileEx) that dies with its process, so a killed
    download never leaves the model locked; the file itself stays (unlinking a lock file lets two
    processes lock different inodes). Failing fast, not waiting: the other download may take
    many minutes, and the user should know it is running rather than watch a frozen bar.
    """
    from filelock import FileLock, Timeout

    _root(create=True)
    path = lock_path(name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    lock = FileLock(path)
    try:
        lock.acquire(blocking=False)
    except Timeout:
        raise DownloadBusyError(
            f"{name} is already being downloaded by another Nordbrief process; "
            "wait for it to finish, then try again"
        ) from None
    try:
        yield
    finally:
        lock.release()


def download_model(
    name: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: Callable[[], bool] | None = None,
    *,
    force: bool = False,
    revision: str | None = None,
) -> InstalledModel:
    """Download a catalog model's Marian checkpoint, convert it to CTranslate2 int8, install it.

    The checkpoint comes from the commit the catalog pins; ``revision`` (a branch, tag, commit
    or ``refs/pr/N``) fetches another one on purpose (the caller warns the user), verified
    against the hashes the Hub reports at that revision, and always downloads.

    Raises ``NetworkError`` (exit 4) on network, download or verification failure (nothing is
    installed then), ``DownloadBusyError`` (a ``NetworkError``) when another process is
    downloading the same model, ``Cancelled`` when ``cancel()`` turns true; an interrupted
    download resumes on the next call. Already installed and not ``force``: returns the
    installed model.
    """
    from models.store import hub

    catalog = load_catalog()
    name = name or default_name()
    entry = catalog.get(name)
    if entry is None:
        raise _not_installed(name)
    if revision is not None:
        revision = revision.strip()
        if not revision or any(c.isspace() for c in revision) or ".." in revision:
            raise InputError(f"invalid revision {revision!r}")
        if revision != entry.revision:
            entry = dataclasses.replace(entry, revision=revision)
            force = True
    if not force and name in installed_models():
        return _installed(name, installed_models()[name])
    if hub.offline():
        raise NetworkError(
            f"HF_HUB_OFFLINE is set, so {name} cannot be downloaded; unset it and run: {DOWNLOAD_HINT} {name}"
        )
    with _model_lock(name):
        if not force and name in installed_models():  # the other process finished meanwhile
            return _installed(name, installed_models()[name])
        return _download_locked(name, entry, progress, cancel)


def _download_locked(
    name: str,
    entry: CatalogEntry,
    progress: ProgressCallback | None,
    cancel: Callable[[], bool] | None,
) -> InstalledModel:
    """``download_model``'s work, run while holding the model's lock."""
    from models.store import hub

    def report(phase: str, done: int = 0, total: int | None = None, file: str | None = None) -> None:
        if progress is not None:
            progress(DownloadProgress(model=name, phase=phase, done=done, total=total, file=file))

    def check_cancel() -> None:
        if cancel is not None and cancel():
            raise Cancelled()

    report("resolve")
    try:
        plan = hub.plan(entry.repo_id, entry.revision)
    except (ModelError, Cancelled):
        raise
    except Exception as exc:  # client/httpx errors: connection refused, 404, bad JSON ...
        raise hub.network_error(f"cannot reach the model hub at {hub.endpoint()} for {name}", exc) from None
    check_cancel()

    # Kept across runs (hidden name: never taken for an installed model) so a download resumes.
    downloads = models_dir() / f".download-{name}"
    downloads.mkdir(parents=True, exist_ok=True)
    total = plan.total_bytes
    finished = 0
    paths: dict[str, Path] = {}
    for rf in plan.files:

        def on_bytes(file: str, done: int, _size: int | None, base: int = finished) -> None:
            report("download", base + done, total, file)

        try:
            paths[rf.name] = hub.fetch(entry.repo_id, rf, downloads, on_bytes, cancel)
        except (Cancelled, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise hub.network_error(f"download of {name} failed ({rf.name})", exc) from None
        finished += rf.size or paths[rf.name].stat().st_size
        check_cancel()

    source_files: dict[str, dict[str, Any]] = {}
    for i, rf in enumerate(plan.files):
        report("verify", i, len(plan.files), rf.name)
        try:
            digest = hub.check(paths[rf.name], rf, cancel)
        except NetworkError as exc:
            shutil.rmtree(downloads, ignore_errors=True)  # never reuse a bad file
            raise NetworkError(f"download of {name} failed: {exc.message}") from None
        source_files[rf.name] = {
            "size": paths[rf.name].stat().st_size,
            "sha256": digest,
            "commit": rf.revision,
        }

    report("convert")
    with _converted(downloads, f".install-{name}-", cancel) as model:
        report("verify", len(plan.files), len(plan.files))
        manifest = Manifest(
            name=name,
            origin="hub",
            repo_id=entry.repo_id,
            revision=entry.revision,
            commit=plan.commit,
            license=entry.license,
            attribution=entry.attribution,
            quantization="int8",
            source_files=source_files,
        )
        _install(model, name, manifest, cancel)
    shutil.rmtree(downloads, ignore_errors=True)
    report("done")
    return _installed(name, installed_models()[name])


# Marian models are trained on inputs of at most 512 tokens (OPUS-MT's tc-big models declare
# 1,024 positions but their tokenizer's model_max_length, and the training, is 512).
MARIAN_TRAINED_INPUT = 512


def input_limits(src: Path) -> dict[str, int]:
    """``nordbrief.json``'s limits for a Marian checkpoint folder: the position table size, and
    the input limit = the smallest of ``max_position_embeddings``, the tokenizer's
    ``model_max_length`` and 512."""

    def read(name: str) -> dict[str, Any]:
        try:
            data = json.loads((src / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    try:
        positions = int(read("config.json").get("max_position_embeddings", 512))
    except (TypeError, ValueError):
        positions = 512
    limit = min(positions, MARIAN_TRAINED_INPUT)
    declared = read("tokenizer_config.json").get("model_max_length")
    if isinstance(declared, int) and 8 <= declared < limit:
        limit = declared
    return {"max_positions": positions, "max_input_tokens": limit}


def _write_limits(src: Path, out: Path) -> None:
    """``nordbrief.json``: the limits the translator splits sentences and bounds output by."""
    meta = input_limits(src)
    (out / "nordbrief.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", "utf-8")


def import_model(
    path: str | Path,
    name: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: Callable[[], bool] | None = None,
) -> InstalledModel:
    """Install a model the user already has: a Hugging Face Marian checkpoint folder (converted
    like a download), a CTranslate2 model folder or an Argos Translate ``.argosmodel``.

    A checkpoint folder whose recorded commit is a catalog entry's pinned one, and whose every
    file matches its recorded ETag, is installed as that entry (``name`` may rename it) with its
    attribution and license; any other checkpoint is installed as "imported, not verified"
    under ``name`` (default: the folder's name). Nothing stays behind when anything fails.
    """
    from models.store.local_import import import_into, is_marian_checkpoint

    src = Path(path)
    if name is not None and not _valid_name(name):
        raise _invalid_name(name)
    if not src.exists():
        raise InputError(f"{src} does not exist")
    if is_marian_checkpoint(src):
        return _import_checkpoint(src, name, progress, cancel)
    tmp = _staging(".import-")
    try:
        final_name, manifest = import_into(src, tmp / "model", name)
        if not _valid_name(final_name):
            raise _invalid_name(final_name)
        with _model_lock(final_name):  # a download of the same name may be installing right now
            if final_name in installed_models():
                raise InputError(
                    f"a model named {final_name!r} is already installed; pass --name or remove it first"
                )
            _install(tmp / "model", final_name, manifest, None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return _installed(final_name, installed_models()[final_name])


def _import_checkpoint(
    src: Path,
    name: str | None,
    progress: ProgressCallback | None,
    cancel: Callable[[], bool] | None,
) -> InstalledModel:
    """``import_model`` for a Hugging Face Marian checkpoint folder (see there)."""
    from models.store import hub
    from models.store.local_import import _slug, checkpoint_provenance, etag_matches
    from models.store.manifest import sha256_file

    label = name or src.name

    def report(phase: str, done: int = 0, total: int | None = None, file: str | None = None) -> None:
        if progress is not None:
            progress(DownloadProgress(model=label, phase=phase, done=done, total=total, file=file))

    for n in (*hub.NEEDED, *hub.OPTIONAL, hub.SAFETENSORS, hub.TORCH_BIN):
        if (src / n).exists() and not (src / n).is_file():
            raise ModelError(f"{src / n} is not a regular file (a folder, pipe or device?)")
    missing = [n for n in hub.NEEDED if not (src / n).exists()]
    weights = next((n for n in (hub.SAFETENSORS, hub.TORCH_BIN) if (src / n).exists()), None)
    if weights is None:
        missing.append("model.safetensors or pytorch_model.bin")
    if missing:
        raise ModelError(
            f"checkpoint folder {src} lacks {', '.join(missing)}; copy the whole folder again "
            "(e.g. hf download REPO --local-dir DIR)"
        )
    assert weights is not None
    files = (*hub.NEEDED, *(n for n in hub.OPTIONAL if (src / n).exists()), weights)
    prov = checkpoint_provenance(src, files)
    entry = next(
        (
            e
            for e in load_catalog().values()
            if prov.commit == e.revision and (prov.repo_id is None or prov.repo_id == e.repo_id)
        ),
        None,
    )
    source_files: dict[str, dict[str, Any]] = {}
    verified = entry is not None and all(n in prov.etags for n in files)
    for i, n in enumerate(files):
        report("verify", i, len(files), n)
        path = src / n
        digest = sha256_file(path, cancel)
        source_files[n] = {"size": path.stat().st_size, "sha256": digest, "commit": prov.commit}
        etag = prov.etags.get(n)
        if etag is not None and not etag_matches(path, etag, digest):
            raise NetworkError(
                f"{path} does not match the hash recorded when it was downloaded (ETag {etag[:12]}); "
                "download the checkpoint again; nothing was installed"
            )
    final = name or (entry.name if verified and entry is not None else _slug(src.name))
    if not _valid_name(final):
        raise _invalid_name(final)
    if not verified and final in load_catalog():
        pinned = load_catalog()[final].revision[:12]
        raise InputError(
            f"{src} is not verified as the catalog's {final} (no recorded commit {pinned} with "
            "matching hashes); import it under another --name"
        )
    report("convert")
    with _converted(src, ".import-", cancel) as model:
        if verified and entry is not None:
            manifest = Manifest(
                name=final,
                origin="import-checkpoint",
                repo_id=entry.repo_id,
                revision=entry.revision,
                commit=prov.commit,
                license=entry.license,
                attribution=entry.attribution,
                quantization="int8",
                source_files=source_files,
                verified=True,
            )
        else:
            manifest = Manifest(
                name=final,
                origin="import-checkpoint",
                repo_id=prov.repo_id,
                commit=prov.commit,
                attribution=f"imported from {src}",
                quantization="int8",
                source_files=source_files,
                verified=False,
            )
        with _model_lock(final):  # a download of the same name may be installing right now
            if final in installed_models():
                raise InputError(
                    f"a model named {final!r} is already installed; pass --name or remove it first"
                )
            _install(model, final, manifest, cancel)
    report("done")
    return _installed(final, installed_models()[final])
