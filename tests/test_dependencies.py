"""Every module the app imports at run time is a direct, commented dependency in pyproject.toml,
and no run-time dependency hides behind another package's extra (the lxml[html_clean] defect:
pip 23.2 dropped that extra, so the HTML paths failed after a plain ``pip install``)."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "desktop", "resources")
# Test-only, imported lazily (inside a function, with a friendly error) by models.testing.
OPTIONAL = {"wordfreq": "test"}

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
DECLARED = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["dependencies"]}


def _imports() -> dict[str, list[tuple[str, bool]]]:
    """Third-party top-level module -> [(file, imported at module level?)]."""
    found: dict[str, list[tuple[str, bool]]] = {}
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            top_level = {id(n) for n in tree.body}
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in PACKAGES or top in sys.stdlib_module_names or top == "__future__":
                        continue
                    found.setdefault(top, []).append((str(path.relative_to(REPO)), id(node) in top_level))
    return found


def test_every_imported_module_is_a_direct_dependency() -> None:
    owners = metadata.packages_distributions()
    imports = _imports()
    assert {"PySide6", "ctranslate2", "trafilatura", "tqdm"} <= set(imports)  # the scan works
    undeclared = {}
    for top, where in imports.items():
        dists = {canonicalize_name(d) for d in owners.get(top, [])}
        assert dists, f"{top} (imported in {where[0][0]}) is not installed in the dev environment"
        if top in OPTIONAL:
            extra = PYPROJECT["project"]["optional-dependencies"][OPTIONAL[top]]
            assert dists & {canonicalize_name(Requirement(r).name) for r in extra}
            assert not any(module_level for _f, module_level in where), f"{top} must be imported lazily"
            continue
        if not dists & DECLARED:
            undeclared[top] = (sorted(dists), where[0][0])
    assert not undeclared, f"imported but not declared in [project].dependencies: {undeclared}"


def _closure() -> dict[str, metadata.Distribution]:
    seen: dict[str, metadata.Distribution] = {}
    todo = sorted(DECLARED)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen[name] = metadata.distribution(name)
        for spec in seen[name].requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def test_no_run_time_dependency_hides_behind_an_extra() -> None:
    """If something the app installs asks for ``pkg[extra]``, what that extra adds is declared
    directly: old pips drop extras whose spelling changed (lxml 6's ``html-clean``)."""
    closure = _closure()
    hidden: dict[str, str] = {}
    for name, dist in closure.items():
        for spec in dist.requires or []:
            req = Requirement(spec)
            if not req.extras or not (req.marker is None or req.marker.evaluate({"extra": ""})):
                continue
            target = closure.get(canonicalize_name(req.name))
            assert target is not None, f"{name} requires {req.name}, which is not installed"
            for extra in req.extras:
                for sub in target.requires or []:
                    sreq = Requirement(sub)
                    wanted = {"extra": canonicalize_name(extra)}
                    in_extra = sreq.marker is not None and sreq.marker.evaluate(wanted)
                    if in_extra and canonicalize_name(sreq.name) not in DECLARED:
                        hidden[sreq.name] = f"{name} -> {req.name}[{extra}]"
    assert not hidden, f"declare these directly in [project].dependencies: {hidden}"
    assert "lxml-html-clean" in DECLARED  # the defect this guards against


def test_every_dependency_has_a_comment() -> None:
    lines = (REPO / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    start = lines.index("dependencies = [")
    end = lines.index("]", start)
    uncommented = []
    for i in range(start + 1, end):
        line = lines[i].strip()
        if line.startswith('"') and not lines[i - 1].strip().startswith(("#", '"')):
            uncommented.append(line)
        # A requirement right after another one shares nothing: each gets its own reason.
        if line.startswith('"') and lines[i - 1].strip().startswith('"'):
            uncommented.append(line)
    assert not uncommented, f"dependencies without a one-line reason above them: {uncommented}"
