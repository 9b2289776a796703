"""Our torch-free Marian converter against CTranslate2's own TransformersConverter.

A small random ``MarianMTModel`` is built with Transformers, saved as safetensors (what
``save_pretrained`` writes) and as ``pytorch_model.bin`` made with ``torch.save(state_dict)`` in fp32
and fp16 (as the Hub's original OPUS-MT files were), for both activations OPUS-MT uses (swish for
the base models, relu for tc-big). Both converters must produce the same model: same vocabulary,
same int8 weights file and the same translations.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
ctranslate2 = pytest.importorskip("ctranslate2")

from hubserver import make_tokenizer_files, marian_config, marian_state_dict  # noqa: E402

from models.store.convert import convert_marian  # noqa: E402

# Transformers' progress bars would start tqdm's monitor thread, which the leak check rejects.
transformers.utils.logging.disable_progress_bar()
pytest.importorskip("tqdm").tqdm.monitor_interval = 0

SENTENCES = [
    "Regjeringen la fram statsbudsjettet i dag.",
    "Det var 17 grader i Oslo klokka ni.",
    "Politiet etterforsker saken, men ingen er pågrepet.",
    "Statsministeren sier at skattene ikke skal øke neste år.",
    "Hei!",
    "Kommunestyret vedtok planen med 35 mot 12 stemmer etter en lang debatt om skolene i bydelen.",
]


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("marian-tok")
    make_tokenizer_files(folder)
    return folder


def _hf_model(tokenizer_dir: Path, act: str, seed: int) -> object:
    vocab = json.loads((tokenizer_dir / "vocab.json").read_text("utf-8"))
    cfg = marian_config(len(vocab), act=act)
    config = transformers.MarianConfig(**{k: v for k, v in cfg.items() if k != "model_type"})
    model = transformers.MarianMTModel(config).eval()
    state = {k: torch.from_numpy(v) for k, v in marian_state_dict(cfg, seed).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected
    assert all("embed_positions" in k or "embed_tokens" in k or k == "lm_head.weight" for k in missing)
    return model


def _checkpoint(tokenizer_dir: Path, out: Path, act: str, fmt: str, seed: int) -> Path:
    model = _hf_model(tokenizer_dir, act, seed)
    out.mkdir(parents=True)
    model.save_pretrained(out)  # config.json + model.safetensors
    for name in ("source.spm", "target.spm", "vocab.json"):
        shutil.copyfile(tokenizer_dir / name, out / name)
    if fmt != "safetensors":
        (out / "model.safetensors").unlink()
        state = model.state_dict()  # every key, tied ones included, like the Hub's old files
        if fmt == "bin16":
            state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
        torch.save(state, out / "pytorch_model.bin")
    return out


def _translate(model_dir: Path, sp_dir: Path) -> list[list[str]]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_dir / "source.spm"))
    batch = [[*sp.encode(s, out_type=str), "</s>"] for s in SENTENCES]
    tr = ctranslate2.Translator(str(model_dir), device="cpu", compute_type="int8", intra_threads=1)
    out = [r.hypotheses[0] for r in tr.translate_batch(batch, beam_size=2, max_decoding_length=24)]
    out += [r.hypotheses[0] for r in tr.translate_batch(batch, beam_size=1, max_decoding_length=24)]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("act", ["swish", "relu"])
@pytest.mark.parametrize("fmt", ["safetensors", "bin32", "bin16"])
def test_ours_matches_ctranslate2_converter(tokenizer_dir: Path, tmp_path: Path, act: str, fmt: str) -> None:
    src = _checkpoint(tokenizer_dir, tmp_path / "hf", act, fmt, seed=3)
    ours = convert_marian(src, tmp_path / "ours", quantization="int8")
    theirs = tmp_path / "theirs"
    ctranslate2.converters.TransformersConverter(str(src)).convert(str(theirs), quantization="int8")

    ours_cfg = json.loads((ours / "config.json").read_text("utf-8"))
    theirs_cfg = json.loads((theirs / "config.json").read_text("utf-8"))
    assert ours_cfg == theirs_cfg
    assert json.loads((ours / "shared_vocabulary.json").read_text("utf-8")) == json.loads(
        (theirs / "shared_vocabulary.json").read_text("utf-8")
    )
    assert (ours / "model.bin").read_bytes() == (theirs / "model.bin").read_bytes()

    ours_out, theirs_out = _translate(ours, src), _translate(theirs, src)
    assert ours_out == theirs_out
    # Random weights must still give varied output, or the comparison would prove little.
    assert len({" ".join(h) for h in ours_out}) > 2


@pytest.mark.slow
def test_float32_conversion_matches_too(tokenizer_dir: Path, tmp_path: Path) -> None:
    """Without quantization the saved weights are the checkpoint's, bit for bit the same as theirs."""
    src = _checkpoint(tokenizer_dir, tmp_path / "hf", "relu", "bin16", seed=5)
    ours = convert_marian(src, tmp_path / "ours", quantization=None)
    theirs = tmp_path / "theirs"
    ctranslate2.converters.TransformersConverter(str(src)).convert(str(theirs), quantization="float32")
    assert (ours / "model.bin").read_bytes() == (theirs / "model.bin").read_bytes()
