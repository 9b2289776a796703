"""The model store: catalog, installed models, download, conversion, import.

PLACEHOLDER: only ``resolve_model`` for a model folder exists yet; the model-store issue fills in
the catalog, downloads and the default-model setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from models.errors import ModelError


@dataclass
class InstalledModel:
    name: str
    path: Path
    revision: str | None = None
    license: str | None = None
    attribution: str | None = None


def resolve_model(name_or_dir: str | None) -> InstalledModel:
    """A catalog name, an installed name or a CTranslate2 model folder -> an installed model.

    ``None`` means the default model; raises ``ModelError`` (exit 3) naming the download command
    when nothing usable is installed.
    """
    if name_or_dir is None:
        raise ModelError("no translation model installed; run: nordbrief models download")
    path = Path(name_or_dir)
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise ModelError(f"{path} is not a CTranslate2 model folder (no model.bin)")
        return InstalledModel(name=path.name, path=path)
    raise ModelError(f"unknown model {name_or_dir!r}; run: nordbrief models list")
