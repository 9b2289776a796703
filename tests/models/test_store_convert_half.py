"""A float16 checkpoint converts without a float32 copy of the whole model (issue 14, item 1):
its weight matrices stay float16 until CTranslate2 quantizes them one at a time, and the model
written is the same bytes as when everything was widened first. The memory figure itself is a
benchmark (``python -m benchmarks.model_memory``: tc-big at real size, 1,685 -> 1,132 MB peak)."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pytest
from hubserver import big_repo

from models.store.convert import build_spec, convert_marian
from models.store.converter import MarianCheckpointConverter

FILES = (
    "config.json",
    "source.spm",
    "target.spm",
    "vocab.json",
    "tokenizer_config.json",
    "model.safetensors",
)


@pytest.fixture(scope="module")
def fp16_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("fp16")
    repo = big_repo(work / "repo")  # tc-big's layout: fp16 model.safetensors, small layers
    folder = work / "checkpoint"
    folder.mkdir()
    for name in FILES:
        (folder / name).write_bytes(repo.files[name])
    return folder


def test_weight_matrices_stay_half_and_the_rest_is_float32(fp16_checkpoint: Path) -> None:
    spec = build_spec(fp16_checkpoint, keep_half=True)
    layer = spec.encoder.layer[0]
    assert spec.encoder.embeddings[0].weight.dtype == np.float16
    assert layer.ffn.linear_0.weight.dtype == np.float16
    assert layer.self_attention.linear[0].weight.dtype == np.float16
    assert layer.ffn.linear_0.bias.dtype == np.float32
    assert layer.self_attention.linear[0].bias.dtype == np.float32
    assert layer.ffn.layer_norm.gamma.dtype == np.float32
    assert spec.decoder.projection.bias.dtype == np.float32
    widened = build_spec(fp16_checkpoint)
    assert widened.encoder.layer[0].ffn.linear_0.weight.dtype == np.float32


@pytest.mark.parametrize("quantization", ["int8", "int8_float16", "float16"])
def test_the_model_written_is_the_same_bytes(
    fp16_checkpoint: Path, tmp_path: Path, quantization: str
) -> None:
    wide = tmp_path / "wide"
    MarianCheckpointConverter(fp16_checkpoint, keep_half=False).convert(str(wide), quantization=quantization)
    half = convert_marian(fp16_checkpoint, tmp_path / "half", quantization=quantization)
    assert filecmp.cmp(wide / "model.bin", half / "model.bin", shallow=False)
