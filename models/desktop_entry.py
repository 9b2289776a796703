"""Per-user desktop integration for pip and pipx installs (and the bundle): what
``nordbrief install-desktop-entry`` / ``nordbrief uninstall-desktop-entry`` do (``models.cli``).

A pip or pipx install puts a ``nordbrief`` script on disk but nothing in the desktop's menus; this
writes, under ``$XDG_DATA_HOME`` (default ``~/.local/share``), the freedesktop files a Linux
desktop reads: ``applications/ID.desktop`` (menu entry and the "Open with" associations for
.txt/.md/.html/.docx), ``icons/hicolor/*/apps/ID.png|svg`` and ``metainfo/ID.metainfo.xml``
(software centres). ``Exec`` is the absolute path of this installation's launcher, since desktop
sessions often lack ``~/.local/bin`` on their PATH. The MIME types themselves are the standard
ones from shared-mime-info, so no MIME package is installed (redefining system types per user
would shadow the system's definitions). Uninstall removes exactly these files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import OutputError
from models.paths import resources_dir

APP_ID = "io.github.nordbrief.Nordbrief"

# Characters that force an Exec argument into double quotes (Desktop Entry Specification,
# "The Exec key"); inside quotes, these four must be backslash-escaped.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPE_IN_QUOTES = '"`$\\'


@dataclass
class Result:
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    exec_line: str = ""


def data_home() -> Path:
    """``$XDG_DATA_HOME`` when it is an absolute path (the spec says to ignore relative ones)."""
    env = os.environ.get("XDG_DATA_HOME", "")
    return Path(env) if env and os.path.isabs(env) else Path.home() / ".local" / "share"


def source_dir() -> Path:
    return resources_dir() / "desktop"


def launcher_command() -> list[str]:
    """How a desktop starts this installation: the bundle's executable, else the ``nordbrief``
    script next to this interpreter (venv, pipx venv), else the one on PATH."""
    if getattr(sys, "frozen", False):  # PyInstaller bundle
        return [str(Path(sys.executable).resolve())]
    for candidate in (Path(sys.executable).parent / "nordbrief", shutil.which("nordbrief")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return [str(Path(candidate).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "desktop.launcher"]


def quote_exec_arg(arg: str) -> str:
    """One Exec argument, quoted per the Desktop Entry Specification, ``%`` doubled."""
    arg = arg.replace("%", "%%")
    if any(ch in _RESERVED for ch in arg):
        arg = '"' + "".join("\\" + ch if ch in _ESCAPE_IN_QUOTES else ch for ch in arg) + '"'
    # The key's value is itself a "string" with backslash escapes: each backslash is doubled.
    return arg.replace("\\", "\\\\")


def render_desktop_file(template: str, command: list[str]) -> tuple[str, str]:
    """The shipped entry with ``Exec``/``TryExec`` pointing at ``command``."""
    exec_line = " ".join(quote_exec_arg(a) for a in [*command, "gui"]) + " %f"
    try_exec = command[0].replace("\\", "\\\\")
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_line}"
        elif line.startswith("TryExec="):
            line = f"TryExec={try_exec}"
        lines.append(line)
    return "\n".join(lines) + "\n", exec_line


def planned_files(home: Path | None = None) -> list[tuple[Path, Path]]:
    """(shipped file, installed path) pairs, the desktop entry first."""
    home = home or data_home()
    src = source_dir()
    pairs = [
        (src / f"{APP_ID}.desktop", home / "applications" / f"{APP_ID}.desktop"),
        (src / f"{APP_ID}.metainfo.xml", home / "metainfo" / f"{APP_ID}.metainfo.xml"),
    ]
    icons = src / "icons" / "hicolor"
    for icon in sorted(icons.glob(f"*/apps/{APP_ID}.*")):
        pairs.append((icon, home / "icons" / "hicolor" / icon.relative_to(icons)))
    return pairs


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _refresh_caches(home: Path) -> None:
    """Tell the desktop: the MIME-association cache of ``applications/`` (``update-desktop-
    database``) and the icon theme. An icon cache is only rebuilt where one already exists: a new
    cache would hide icons that other programs later install without updating it."""
    apps = home / "applications"
    tool = shutil.which("update-desktop-database")
    if tool and apps.is_dir():
        subprocess.run([tool, "-q", str(apps)], check=False, capture_output=True, timeout=60)
    hicolor = home / "icons" / "hicolor"
    if hicolor.is_dir():
        os.utime(hicolor)  # GTK and Qt re-read a theme folder whose mtime changed
        gtk = shutil.which("gtk-update-icon-cache")
        if gtk and (hicolor / "icon-theme.cache").exists():
            subprocess.run(
                [gtk, "-q", "-t", "-f", str(hicolor)], check=False, capture_output=True, timeout=60
            )


def install(home: Path | None = None, command: list[str] | None = None) -> Result:
    home = home or data_home()
    command = command or launcher_command()
    result = Result()
    try:
        for src, dest in planned_files(home):
            if src.suffix == ".desktop":
                text, result.exec_line = render_desktop_file(src.read_text(encoding="utf-8"), command)
                _write(dest, text.encode("utf-8"))
            else:
                _write(dest, src.read_bytes())
            result.written.append(dest)
    except OSError as exc:
        raise OutputError(f"cannot install the desktop entry under {home}: {exc.strerror or exc}") from None
    _refresh_caches(home)
    return result


def uninstall(home: Path | None = None) -> Result:
    home = home or data_home()
    result = Result()
    try:
        for _src, dest in planned_files(home):
            if dest.exists() or dest.is_symlink():
                dest.unlink()
                result.removed.append(dest)
    except OSError as exc:
        raise OutputError(f"cannot remove the desktop entry under {home}: {exc.strerror or exc}") from None
    _refresh_caches(home)
    return result
