"""The engine must stay Qt-free: house rule 1."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap

import models


def _all_model_modules() -> list[str]:
    """Every engine module (``__main__`` ones would run their command when imported)."""
    modules = (m.name for m in pkgutil.walk_packages(models.__path__, "models."))
    return sorted(name for name in modules if not name.endswith(".__main__"))


def test_every_models_module_imports_without_qt() -> None:
    names = _all_model_modules()
    assert "models.cli" in names and "models.text.segment" in names
    script = textwrap.dedent(
        f"""
        import importlib, sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "shiboken6", "desktop"):
                    raise ImportError("blocked in this test: " + name)
                return None

        sys.meta_path.insert(0, Block())
        for name in {names!r}:
            importlib.import_module(name)
        bad = [m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "desktop")]
        assert not bad, bad
        print("ok", len({names!r}))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")


def test_launcher_imports_no_qt() -> None:
    script = "import sys, desktop.launcher; assert 'PySide6' not in sys.modules; print('ok')"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
