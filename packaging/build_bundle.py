"""Build the standalone app folder and its archive: ``make bundle`` (Linux), and the same script
on Windows (``py packaging\\build_bundle.py``) and macOS (``python3 packaging/build_bundle.py``).

1. a clean virtual environment (``build/bundle-venv``) with the app and the ``bundle`` extra
   (PyInstaller) only: no test extras, no torch or transformers, which ``ctranslate2.converters``
   would import and PyInstaller would then bundle;
2. PyInstaller with ``packaging/nordbrief.spec`` -> ``dist/nordbrief/`` (``Nordbrief.app`` on macOS);
3. Linux: the freedesktop files under ``dist/nordbrief/share/`` (menu entry, hicolor icons,
   AppStream metainfo) and a short README;
4. a check that nothing from torch/transformers/test tools got in, then the archive
   (``.tar.gz``; ``.zip`` on Windows) and one JSON line of sizes (also ``dist/bundle.json``).

Stdlib only. PyInstaller builds for the system it runs on: a Windows bundle needs Windows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP = "nordbrief"
APP_ID = "io.github.nordbrief.Nordbrief"
# Top-level names that must never appear in the bundle (checked on the built folder).
FORBIDDEN = (
    "torch",
    "transformers",
    "tensorflow",
    "pytest",
    "_pytest",
    "hypothesis",
    "wordfreq",
    "PyInstaller",
)

BUNDLE_README = """Nordbrief {version}: standalone build for {system}

Run it from this folder (no installation, no Python needed):

    ./nordbrief                      the window (also: ./nordbrief ARTICLE.txt)
    ./nordbrief models download      once: fetch the translation model
    ./nordbrief --help               the command line

Add it to your application menu and "Open with" (.txt, .md, .html, .docx):

    ./nordbrief install-desktop-entry      (undo: ./nordbrief uninstall-desktop-entry)

The folder can live anywhere, also read-only (e.g. /opt/nordbrief): settings, the session and
models go to your user folders (~/.config/Nordbrief, ~/.local/share/Nordbrief).
share/ holds the freedesktop files (menu entry, icons, AppStream metainfo) for packagers.
"""


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(cmd: list[str], **kw: object) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)  # type: ignore[call-overload]


def prepare_venv(venv: Path, base_python: str) -> Path:
    """A venv with the app and PyInstaller only; rebuilt when pyproject.toml changes."""
    stamp = venv / ".nordbrief-bundle"
    want = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()
    python = venv_python(venv)
    if not (python.exists() and stamp.exists() and stamp.read_text() == want):
        if venv.exists():
            shutil.rmtree(venv)
        run([base_python, "-m", "venv", venv])
        run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"])
        stamp.write_text("")
    # Always reinstall the app itself (non-editable), so the bundle holds the working tree's code.
    run([python, "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", f"{REPO}"])
    run([python, "-m", "pip", "install", "-q", f"{REPO}[bundle]"])
    probe = "import importlib.util as u; print([m for m in ('torch', 'transformers') if u.find_spec(m)])"
    found = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    if found != "[]":
        raise SystemExit(f"build_bundle: the bundle environment has {found}; it must not")
    stamp.write_text(want)
    return python


def linux_share(bundle: Path) -> None:
    """The freedesktop files, in the layout a package or ``cp -r share ~/.local/`` expects."""
    src = REPO / "resources" / "desktop"
    share = bundle / "share"
    if share.exists():
        shutil.rmtree(share)
    (share / "applications").mkdir(parents=True)
    shutil.copyfile(src / f"{APP_ID}.desktop", share / "applications" / f"{APP_ID}.desktop")
    (share / "metainfo").mkdir()
    shutil.copyfile(src / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml")
    shutil.copytree(src / "icons", share / "icons")


LOAD_CHECK = """
import ctypes, sys
for path in sys.argv[1:]:
    try:
        ctypes.CDLL(path)
    except OSError as exc:
        print(path)
"""


def strip_debug_info(bundle: Path, python: Path) -> tuple[int, int]:
    """Drop DWARF debug sections from shared libraries that ship them (ctranslate2's extension
    is 65 MB with, 1.7 MB without; pyenv's libpython too). ``--strip-debug`` keeps every symbol.
    Libraries rewritten by auditwheel's patchelf can come out of strip unloadable ("ELF load
    command address/offset not page-aligned", numpy's libgfortran), so each stripped file must
    still load (ctypes, in the bundle venv's Python) or it gets its original back. The executable
    is left alone: PyInstaller appends its archive to it. Returns (files stripped, bytes saved)."""
    tool = shutil.which("strip")
    if tool is None:
        print("build_bundle: no strip (binutils): debug sections kept", flush=True)
        return 0, 0
    targets = []
    for path in sorted((bundle / "_internal").rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                if fh.read(4) == b"\x7fELF" and b".debug_info" in fh.read():
                    targets.append(path)
    originals = {path: path.read_bytes() for path in targets}
    for path in targets:
        subprocess.run([tool, "--strip-debug", str(path)], check=True)
    broken = subprocess.run(
        [python, "-c", LOAD_CHECK, *map(str, targets)], capture_output=True, text=True, check=True
    ).stdout.split()
    for name in broken:
        Path(name).write_bytes(originals[Path(name)])
        print(f"build_bundle: {Path(name).name} does not load once stripped: kept as it was", flush=True)
    kept = [p for p in targets if str(p) not in broken]
    return len(kept), sum(len(originals[p]) - p.stat().st_size for p in kept)


def forbidden_files(bundle: Path) -> list[str]:
    bad = []
    for path in bundle.rglob("*"):
        parts = path.relative_to(bundle).parts
        if any(p in FORBIDDEN or p.split("-")[0] in FORBIDDEN for p in parts):
            bad.append(str(path.relative_to(bundle)))
    return bad


def tree_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files), len(files)


def main() -> int:
    p = argparse.ArgumentParser(description="Build the standalone Nordbrief bundle.")
    p.add_argument("--venv", type=Path, default=REPO / "build" / "bundle-venv")
    p.add_argument("--dist", type=Path, default=REPO / "dist")
    p.add_argument("--python", default=sys.executable, help="interpreter to base the venv on")
    p.add_argument("--no-archive", action="store_true", help="skip the .tar.gz/.zip")
    ns = p.parse_args()
    t0 = time.monotonic()
    python = prepare_venv(ns.venv, ns.python)
    run(
        [
            python,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            ns.dist,
            "--workpath",
            REPO / "build" / "pyinstaller",
            REPO / "packaging" / "nordbrief.spec",
        ],
        cwd=REPO,
    )
    bundle = ns.dist / APP
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    version = subprocess.run(
        [python, "-c", "import models; print(models.__version__)"], capture_output=True, text=True, check=True
    ).stdout.strip()
    stripped = (0, 0)
    if system == "linux":
        linux_share(bundle)
        stripped = strip_debug_info(bundle, python)
    (bundle / "README.txt").write_text(BUNDLE_README.format(version=version, system=system), encoding="utf-8")
    bad = forbidden_files(bundle)
    if bad:
        raise SystemExit(f"build_bundle: must not be bundled: {bad[:10]}")
    size, count = tree_size(bundle)
    report: dict[str, object] = {
        "bundle": str(bundle),
        "unpacked_bytes": size,
        "files": count,
        "system": system,
        "machine": platform.machine().lower(),
        "debug_info_stripped": {"files": stripped[0], "bytes_saved": stripped[1]},
    }
    if not ns.no_archive:
        base = ns.dist / f"{APP}-{version}-{system}-{platform.machine().lower()}"
        fmt = "zip" if system == "windows" else "gztar"
        archive = Path(shutil.make_archive(str(base), fmt, root_dir=ns.dist, base_dir=APP))
        report["archive"] = str(archive)
        report["archive_bytes"] = archive.stat().st_size
    report["build_seconds"] = round(time.monotonic() - t0, 1)
    (ns.dist / "bundle.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
