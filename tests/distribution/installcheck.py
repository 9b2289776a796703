"""Prove an installed Nordbrief works: run with the interpreter of the installation under test.

    VENV/bin/python tests/distribution/installcheck.py --exe VENV/bin/nordbrief --html PAGE.html --work DIR

Run as a script (not ``-m``), so ``models``/``desktop``/``resources`` come from the installation,
never from the repository. ``pip check`` cannot see a dependency that an old pip silently left
out (lxml's ``html_clean`` extra with pip 23.2), so this runs the code instead:

1. imports every module of the three packages, then every third-party module any of them imports
   anywhere (also inside functions, where the HTML, .docx and download paths import lazily);
2. ``nordbrief summarize`` on a saved news page, a .docx built here and a .txt;
3. the window start-up smoke test (offscreen; ``NORDBRIEF_QUIT_AFTER_MS``) opening the news page.

Prints one JSON line with what it checked; exits 1 with the first failure's output otherwise.
Stdlib plus the installation's own packages only.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

OURS = ("models", "desktop", "resources")
# Imported lazily by models.testing only for the base/big test models (a test extra, with a
# friendly error when missing); the app never needs it.
OPTIONAL = frozenset({"wordfreq"})


class CheckFailed(Exception):
    pass


def our_modules() -> list[str]:
    names: list[str] = []
    for top in OURS:
        pkg = importlib.import_module(top)
        names.append(top)
        names += [m.name for m in pkgutil.walk_packages(pkg.__path__, top + ".")]
    return names


def imported_names(source: str) -> set[str]:
    """Every absolute module an AST imports (``from a.b import c`` -> ``a.b``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def third_party_imports(modules: list[str]) -> list[str]:
    wanted: set[str] = set()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        for mod in imported_names(Path(spec.origin).read_text(encoding="utf-8")):
            top = mod.split(".")[0]
            if top in OURS or top in OPTIONAL or top in sys.stdlib_module_names or top == "__future__":
                continue
            wanted.add(mod)
    return sorted(wanted)


def check_imports() -> dict[str, int]:
    mods = our_modules()
    for top in OURS:
        where = Path(importlib.import_module(top).__file__ or "").resolve()
        if not where.is_relative_to(Path(sys.prefix).resolve()):
            raise CheckFailed(f"{top} imported from {where}, not from the installation at {sys.prefix}")
    for name in mods:
        importlib.import_module(name)
    external = third_party_imports(mods)
    for name in external:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise CheckFailed(f"import {name} failed: {exc}") from exc
    # The HTML extractor's own lazy chain (trafilatura -> jusText -> lxml.html.clean) runs only
    # when a page is extracted; importing the top modules above already pulled it in.
    return {"own_modules": len(mods), "third_party_modules": len(external)}


def run(cmd: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0 or "Traceback" in proc.stderr:
        raise CheckFailed(
            f"{' '.join(cmd)} -> exit {proc.returncode}\n{proc.stderr[-3000:]}\n{proc.stdout[-1000:]}"
        )
    return proc


def make_docx(text: str, out: Path) -> Path:
    import docx  # python-docx: a run-time dependency, so it is in the installation

    doc = docx.Document()
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    doc.add_heading(paragraphs[0].strip(), level=1)
    for p in paragraphs[1:]:
        doc.add_paragraph(p.strip())
    doc.save(str(out))
    return out


def check_summaries(exe: str, html: Path, work: Path, env: dict[str, str]) -> dict[str, int]:
    from models.paths import resources_dir

    txt = sorted((resources_dir() / "samples").glob("*.txt"))[0]
    docx_file = make_docx(txt.read_text(encoding="utf-8"), work / "artikkel.docx")
    counts: dict[str, int] = {}
    for path in (html, docx_file, txt):
        proc = run([exe, "summarize", str(path), "--format", "json"], env, timeout=180)
        data = json.loads(proc.stdout)
        if not data.get("sentences") or not data.get("bullets"):
            raise CheckFailed(f"summarize {path.name}: no sentences or bullets in {proc.stdout[:500]}")
        counts[path.suffix.lstrip(".")] = len(data["bullets"])
    return counts


def check_window(exe: str, html: Path, env: dict[str, str]) -> dict[str, object]:
    env = dict(env, QT_QPA_PLATFORM="offscreen", NORDBRIEF_QUIT_AFTER_MS="300")
    proc = run([exe, "gui", str(html), "--no-restore"], env, timeout=180)
    lines = proc.stdout.strip().splitlines()
    state = json.loads(lines[-1]) if lines else {}
    if not (state.get("visible") and state.get("sentences") and state.get("bullets")):
        raise CheckFailed(f"window smoke test: {proc.stdout[-1000:]}\n{proc.stderr[-2000:]}")
    return state


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--exe", required=True, help="the installation's nordbrief console script")
    p.add_argument("--html", required=True, type=Path, help="a saved news page")
    p.add_argument("--work", required=True, type=Path, help="an empty folder for user data and files")
    ns = p.parse_args()
    ns.work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    for key, sub in (("NORDBRIEF_CONFIG_DIR", "config"), ("NORDBRIEF_DATA_DIR", "data")):
        env[key] = str(ns.work / sub)
    env["NORDBRIEF_MODELS_DIR"] = str(ns.work / "models")
    env.pop("PYTHONPATH", None)
    try:
        report: dict[str, object] = {"python": sys.executable}
        report["imports"] = check_imports()
        report["bullets"] = check_summaries(ns.exe, ns.html.resolve(), ns.work, env)
        report["window"] = check_window(ns.exe, ns.html.resolve(), env)
    except CheckFailed as exc:
        print(f"installcheck: FAILED: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
