"""``nordbrief models list | download [NAME] | remove NAME | import PATH | verify [NAME] | default [NAME]``.

Thin wrappers over ``models.store``, the model store's API: the window calls the same functions.
"""

from __future__ import annotations

import argparse
import sys
import time
import unicodedata
from typing import Any, TextIO

from models.cli.command import Command
from models.cli.output import emit, to_json_text
from models.errors import EXIT_NETWORK, EXIT_OK, NoModelInstalled
from models.store import NO_MODEL
from models.store.progress import DownloadProgress, format_size


def _p(value: object) -> str:
    """``value`` as text safe for a terminal: control and format characters (ESC, BEL, bidi
    overrides...) removed, since names, licenses and attributions come from model sources."""
    return "".join(ch for ch in str(value) if unicodedata.category(ch)[0] != "C")


def add_arguments(p: argparse.ArgumentParser) -> None:
    msub = p.add_subparsers(dest="models_command", required=True, parser_class=type(p))

    q = msub.add_parser("list", help="offered and installed models, with license and attribution")
    q.add_argument("--format", choices=["text", "json"], default="text")
    q.set_defaults(func=cmd_list)

    q = msub.add_parser("download", help="download and convert a model (default: the catalog default)")
    q.add_argument("name", nargs="?", help="catalog name (see: nordbrief models list)")
    q.add_argument("--force", action="store_true", help="download again even if installed")
    q.add_argument(
        "--revision",
        metavar="REV",
        help="fetch this branch, tag, commit or refs/pr/N instead of the commit Nordbrief pins (warns)",
    )
    q.set_defaults(func=cmd_download)

    q = msub.add_parser("remove", help="delete an installed model")
    q.add_argument("name")
    q.set_defaults(func=cmd_remove)

    q = msub.add_parser(
        "import",
        help="install a Hugging Face Marian checkpoint folder (hf download --local-dir, or a Hub cache "
        "snapshots/<commit> folder), a CTranslate2 model folder or an .argosmodel package",
    )
    q.add_argument("path")
    q.add_argument("--name", help="name to install it under")
    q.set_defaults(func=cmd_import)

    q = msub.add_parser("verify", help="check installed files against their recorded hashes")
    q.add_argument("name", nargs="?", help="model to check (default: all installed)")
    q.set_defaults(func=cmd_verify)

    q = msub.add_parser("default", help="show or set the model translate uses without --model")
    q.add_argument("name", nargs="?")
    q.set_defaults(func=cmd_default)


def cmd_list(args: argparse.Namespace) -> int:
    from models.store import list_models

    rows = list_models()
    if args.format == "json":
        data: list[dict[str, Any]] = [
            {
                "name": r.name,
                "installed": r.installed,
                "default": r.is_default,
                "path": str(r.path) if r.path else None,
                "repo_id": r.entry.repo_id if r.entry else None,
                "license": r.license,
                "attribution": r.attribution,
                "quality": r.entry.quality if r.entry else None,
                "description": r.description,
                "size_bytes": r.size_bytes,
                "origin": r.origin,
            }
            for r in rows
        ]
        emit(to_json_text({"models": data}), None)
        return EXIT_OK
    lines: list[str] = []
    for r in rows:
        state = "installed, default" if r.is_default else "installed" if r.installed else "not installed"
        size = format_size(r.size_bytes) if r.installed else f"~{format_size(r.size_bytes)} download"
        label = f" ({r.entry.label})" if r.entry else ""
        lines.append(f"{r.name}{label}  [{state}]  {size}")
        lines.append(f"    {r.description}")
        if r.entry:
            lines.append(f"    {r.entry.repo_id} · {r.entry.architecture}")
            lines.append(f"    quality: {r.entry.quality}")
        lines.append(f"    license: {r.license or 'unknown'} · {r.attribution or 'no attribution recorded'}")
    if not any(r.installed for r in rows):
        lines.append("No model installed yet; run: nordbrief models download")
    emit("\n".join(_p(line) for line in lines), None)
    return EXIT_OK


class ProgressBar:
    """Renders ``DownloadProgress`` on stderr: a redrawn bar on a terminal, sparse lines otherwise."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.width = width
        self._last: tuple[str, str | None, int] | None = None
        self._start = time.monotonic()
        self._open_line = False

    def __call__(self, p: DownloadProgress) -> None:
        if p.phase == "done":
            self._end_line()
            return
        label = p.label
        frac = p.fraction
        if frac is not None and p.total:
            filled = int(frac * self.width)
            rate = p.done / max(time.monotonic() - self._start, 1e-6)
            text = (
                f"{label} {_p(p.model)} [{'#' * filled}{'.' * (self.width - filled)}] {frac:4.0%} "
                f"{format_size(p.done)}/{format_size(p.total)} {format_size(int(rate))}/s {_p(p.file or '')}"
            )
            step = int(frac * 4)  # non-terminal: one line per quarter
        else:
            text = f"{label} {_p(p.model)}" + (f" {_p(p.file)}" if p.file else "") + " ..."
            step = -1
        key = (p.phase, p.file if p.phase != "download" else None, step)
        if self.tty:
            self.stream.write("\r" + text[:200].ljust(80))
            self._open_line = True
        elif key != self._last:
            self.stream.write(text + "\n")
        self._last = key
        self.stream.flush()

    def _end_line(self) -> None:
        if self._open_line:
            self.stream.write("\n")
            self._open_line = False
        self.stream.flush()


def cmd_download(args: argparse.Namespace) -> int:
    from models.cli.output import warn
    from models.store import default_name, download_model, installed_models, load_catalog

    bar = ProgressBar()
    name = args.name
    revision = args.revision
    entry = load_catalog().get(name or default_name())
    if revision is not None and entry is not None and revision != entry.revision:
        warn(
            f"fetching {entry.name} at {revision}, not the commit Nordbrief pins ({entry.revision[:12]}); "
            "its files are verified against the Hub's hashes at that revision, "
            "which Nordbrief has not reviewed"
        )
    elif name and name in installed_models() and not args.force:
        print(f"{_p(name)} is already installed (use --force to download again)", file=sys.stderr)
        return EXIT_OK
    try:
        model = download_model(name, progress=bar, force=args.force, revision=revision)
    finally:
        bar._end_line()
    print(f"installed {_p(model.name)} -> {_p(model.path)}", file=sys.stderr)
    print(f"  {_p(model.attribution)} (license {_p(model.license)})", file=sys.stderr)
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    from models.store import remove_model

    remove_model(args.name)
    print(f"removed {_p(args.name)}", file=sys.stderr)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from models.store import import_model
    from models.store.manifest import Manifest

    bar = ProgressBar()
    try:
        model = import_model(args.path, args.name, progress=bar)
    finally:
        bar._end_line()
    print(f"imported {_p(model.name)} -> {_p(model.path)}", file=sys.stderr)
    manifest = Manifest.read(model.path)
    if manifest is not None and manifest.origin == "import-checkpoint":
        if manifest.verified:
            print(
                f"  verified: every file matches {_p(manifest.repo_id)}@{_p((manifest.commit or '')[:12])}, "
                f"the commit Nordbrief pins; {_p(model.attribution)} (license {_p(model.license)})",
                file=sys.stderr,
            )
        else:
            print(
                "  imported, not verified (no recorded catalog commit with matching hashes)", file=sys.stderr
            )
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from models.store import installed_models, verify_model

    names = [args.name] if args.name else list(installed_models())
    if not names:
        raise NoModelInstalled(NO_MODEL)
    failed = False
    for name in names:
        problems = verify_model(name)
        if problems:
            failed = True
            print(_p(f"{name}: FAILED: " + "; ".join(problems)), file=sys.stderr)
        else:
            print(f"{_p(name)}: ok", file=sys.stderr)
    if failed:
        print(
            "nordbrief: error: verification failed; run: nordbrief models download NAME --force",
            file=sys.stderr,
        )
        return EXIT_NETWORK
    return EXIT_OK


def cmd_default(args: argparse.Namespace) -> int:
    from models.store import get_default_model, set_default_model

    if args.name:
        set_default_model(args.name)
        print(f"default model: {_p(args.name)}", file=sys.stderr)
        return EXIT_OK
    current = get_default_model()
    if current is None:
        raise NoModelInstalled(NO_MODEL)
    emit(_p(current), None)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    return int(args.func(args))


COMMAND = Command("models", "list, download, import, verify or remove translation models", add_arguments, run)
