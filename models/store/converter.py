"""CTranslate2's converter protocol around Nordbrief's torch-free Marian reader.

``ctranslate2.converters.Converter.convert`` does what every converter does (refuse an existing
folder, validate the spec, quantize, save); a converter supplies only ``_load``, the spec, as
CTranslate2's own ``OpusMTConverter`` does in a few lines over ``MarianConverter``. Ours is
``models.store.convert.build_spec``, which reads safetensors or a torch zip with numpy.

Importing this module imports ``ctranslate2.converters``, which imports torch and transformers
when they are installed: only ``convert_marian`` imports it, when it converts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ctranslate2.converters import Converter

from models.store.convert import build_spec


class MarianCheckpointConverter(Converter):  # type: ignore[misc]  # ctranslate2 is untyped
    """A Hugging Face Marian checkpoint folder -> a CTranslate2 model folder."""

    def __init__(
        self,
        src: Path,
        cancel: Callable[[], bool] | None = None,
        special_first: bool = True,
        keep_half: bool = False,
    ) -> None:
        self.src = src
        self.cancel = cancel
        self.special_first = special_first
        self.keep_half = keep_half

    def _load(self) -> Any:
        return build_spec(self.src, self.cancel, special_first=self.special_first, keep_half=self.keep_half)
