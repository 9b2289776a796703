"""``nordbrief models import``: CTranslate2 folders and Argos Translate packages."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from models import cli
from models.errors import InputError, ModelError
from models.paths import models_dir
from models.store import LOCKS, import_model, installed_models, list_models, resolve_model, verify_model


def _argos_package(model: Path, out: Path, member_prefix: str = "translate-nb_en-1_0") -> Path:
    """An .argosmodel as Argos Translate ships them: <pkg>/model/, sentencepiece.model, metadata."""
    meta = {"package_version": "1.0", "from_code": "nb", "to_code": "en", "license": "CC0"}
    with zipfile.ZipFile(out, "w") as zf:
        for f in sorted(model.iterdir()):
            if f.name not in ("source.spm", "target.spm"):
                zf.write(f, f"{member_prefix}/model/{f.name}")
        zf.write(model / "source.spm", f"{member_prefix}/sentencepiece.model")
        zf.writestr(f"{member_prefix}/metadata.json", json.dumps(meta))
    return out


def test_import_ctranslate2_folder(tiny_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["models", "import", str(tiny_model), "--name", "my-model"]) == 0
    assert "imported my-model" in capsys.readouterr().err
    model = resolve_model("my-model")
    assert model.path == models_dir() / "my-model" and model.origin == "import-ctranslate2"
    assert (model.path / "model.bin").read_bytes() == (tiny_model / "model.bin").read_bytes()
    assert verify_model("my-model") == []
    assert resolve_model(None).name == "my-model"  # the only model is the default
    # Importing again under the same name is refused, nothing is overwritten.
    with pytest.raises(InputError, match="already installed"):
        import_model(tiny_model, "my-model")
    assert sorted(p.name for p in models_dir().iterdir() if p.name != LOCKS) == ["my-model"]


def test_import_argos_package(tiny_model: Path, tmp_path: Path) -> None:
    pkg = _argos_package(tiny_model, tmp_path / "translate-nb_en-1_0.argosmodel")
    model = import_model(pkg)
    assert model.name == "argos-nb-en" and model.origin == "import-argos"
    assert (model.path / "source.spm").read_bytes() == (tiny_model / "source.spm").read_bytes()
    assert (model.path / "target.spm").read_bytes() == (tiny_model / "source.spm").read_bytes()
    row = next(r for r in list_models() if r.name == "argos-nb-en")
    assert row.installed and row.license == "CC0" and "Argos Translate" in (row.attribution or "")
    from models.translation.engine import Translator

    translator = Translator(model.path)
    sent: list[list[str]] = []
    real = translator.ct2.translate_batch

    def spy(batch, *args, **kwargs):
        sent.extend(batch)
        return real(batch, *args, **kwargs)

    translator.ct2 = type("Spy", (), {"translate_batch": staticmethod(spy)})()
    assert len(translator.translate(["Hei på deg.", "God morgen."])) == 2
    # OpenNMT-trained Argos models were trained without </s> on the source side.
    assert sent and all(tokens and tokens[-1] != "</s>" for tokens in sent)
    assert Translator(tiny_model).split_long("Hei på deg.")[0][-1] == "</s>"


def test_import_rejects_bad_input(tiny_model: Path, tmp_path: Path) -> None:
    evil = tmp_path / "evil.argosmodel"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../escaped.txt", "x")
    with pytest.raises(ModelError, match="unsafe path"):
        import_model(evil)
    assert not (tmp_path.parent / "escaped.txt").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["models", "import", str(empty)]) == 3  # a source that is no model: exit 3
    assert cli.main(["models", "import", str(tmp_path / "missing")]) == 2
    assert installed_models() == {}
    assert [p for p in models_dir().iterdir()] == []  # no staging folders left behind
