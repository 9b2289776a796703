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


def test_start_up_and_translation_never_import_the_converters(tiny_model) -> None:
    """``ctranslate2.converters`` pulls in torch and transformers when they are installed (seconds
    of start-up, hundreds of MB in a bundle): only converting a downloaded or imported checkpoint
    may import it. The window's modules, the store's conversion modules, the command line and a
    whole translation must not."""
    script = textwrap.dedent(
        f"""
        import sys
        import desktop.launcher, desktop.app, desktop.mainwindow
        import models.store.convert, models.store.local_import  # convert_marian imports it lazily
        from models import cli, pipeline

        cli.build_parser()
        article = pipeline.article_from_text("Det var kaldt i Oslo. Sentralbanken hevet renten.")
        pipeline.summarize_article(article)
        translator, info = pipeline.open_translator(pipeline.EngineSettings(model={str(tiny_model)!r}))
        for batch in pipeline.translate_article(article, translator):
            pipeline.apply_translations(article, batch)
        pipeline.apply_check(article, pipeline.check_article(article))
        assert all(s.translation for s in article.sentences)
        heavy = ("ctranslate2.converters", "torch", "transformers")
        bad = sorted(m for m in sys.modules if m.startswith(heavy))
        assert not bad, bad
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")


def test_converting_goes_through_ctranslate2s_converter_protocol() -> None:
    """``convert_marian`` is CTranslate2's ``Converter.convert`` (validate, quantize, save) over
    Nordbrief's torch-free spec builder, not a copy of it."""
    import ctranslate2.converters

    from models.store.converter import MarianCheckpointConverter

    assert issubclass(MarianCheckpointConverter, ctranslate2.converters.Converter)
    assert "convert" not in MarianCheckpointConverter.__dict__


def test_importing_a_main_module_runs_nothing() -> None:
    """The install check walks every module of the installation; ``python -m models.cli`` must
    only run its command when executed, not when imported (CI failed on exactly this)."""
    script = "import sys; sys.argv = ['x', '--bogus']; import models.cli.__main__; print('ok')"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
