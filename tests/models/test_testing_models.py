"""The random-weight test models: what a converted Marian folder holds, reproducible, loadable."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import ctranslate2
import pytest
import sentencepiece as spm

from models.store.convert import sinusoidal_positions
from models.testing import SIZES, build_vocabulary, make_model, spm_pieces

EXPECTED_FILES = {
    "model.bin",
    "config.json",
    "shared_vocabulary.json",
    "source.spm",
    "vmap.txt",  # written by the converter (models.store.vocabulary.write_vocabulary_map)
    "target.spm",
    "nordbrief.json",
}


def _digests(folder: Path) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())}


def test_tiny_model_folder_is_a_converted_marian_folder(tiny_model: Path) -> None:
    assert {f.name for f in tiny_model.iterdir()} == EXPECTED_FILES
    total = sum(f.stat().st_size for f in tiny_model.iterdir())
    assert total < 1_000_000
    config = json.loads((tiny_model / "config.json").read_text("utf-8"))
    assert config["add_source_bos"] is False
    assert config["add_source_eos"] is False
    assert config["bos_token"] == "<s>"
    assert config["decoder_start_token"] == "</s>"
    assert config["eos_token"] == "</s>"
    assert config["unk_token"] == "<unk>"
    assert config["layer_norm_epsilon"] is None
    meta = json.loads((tiny_model / "nordbrief.json").read_text("utf-8"))
    assert meta["max_input_tokens"] == 64
    assert meta["max_input_tokens"] <= meta["max_positions"]


def test_vocabulary_is_marian_style_and_covers_both_tokenizers(tiny_model: Path) -> None:
    vocab = json.loads((tiny_model / "shared_vocabulary.json").read_text("utf-8"))
    assert vocab[:2] == ["</s>", "<unk>"]
    assert len(vocab) == len(set(vocab))
    pieces = set(vocab)
    assert set(spm_pieces(tiny_model / "source.spm")) <= pieces
    assert set(spm_pieces(tiny_model / "target.spm")) <= pieces
    # Trained on Norwegian and English text respectively: typical words are single pieces.
    src = spm.SentencePieceProcessor(model_file=str(tiny_model / "source.spm"))
    tgt = spm.SentencePieceProcessor(model_file=str(tiny_model / "target.spm"))
    assert len(src.encode("og det er ikke", out_type=str)) <= 5
    assert len(tgt.encode("and the government said", out_type=str)) <= 5


def test_same_seed_same_files_other_seed_other_weights(tmp_path: Path, tiny_model: Path) -> None:
    again = make_model(tmp_path / "again", size="tiny", seed=1)
    assert _digests(again) == _digests(tiny_model)
    other = make_model(tmp_path / "other", size="tiny", seed=2)
    a, b = _digests(other), _digests(tiny_model)
    assert a["model.bin"] != b["model.bin"]
    assert a["source.spm"] == b["source.spm"]  # tokenizers depend on the text, not the seed


def test_tiny_model_decodes_real_pieces_only(tiny_model: Path) -> None:
    translator = ctranslate2.Translator(str(tiny_model), compute_type="int8", intra_threads=1)
    vocab = json.loads((tiny_model / "shared_vocabulary.json").read_text("utf-8"))
    sp = spm.SentencePieceProcessor(model_file=str(tiny_model / "source.spm"))
    # Several inputs: random weights at int8 give near-tied logits, and which piece wins depends
    # on the CPU's int8 kernels (on an AVX512-VNNI EPYC three of these four start alike).
    sentences = [
        "Regjeringen la fram statsbudsjettet onsdag.",
        "Det var kaldt i Oslo i går.",
        "Bergen kommune åpnet en ny bro.",
        "Prisene steg med 5 prosent.",
    ]
    batch = [[*sp.encode(s, out_type=str), "</s>"] for s in sentences]
    results = translator.translate_batch(batch, beam_size=1, max_decoding_length=20)
    outputs = [r.hypotheses[0] for r in results]
    assert all(outputs)
    for hyp in outputs:
        assert not any(p.startswith("<unused") or p == "<unk>" for p in hyp)
        assert set(hyp) <= set(vocab)
    assert len({tuple(hyp) for hyp in outputs}) > 1  # not a constant output


def test_make_model_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "m"
    target.mkdir()
    (target / "keep.txt").write_text("x")
    with pytest.raises(FileExistsError):
        make_model(target, size="tiny", seed=0)
    assert {f.name for f in target.iterdir()} == {"keep.txt"}
    out = subprocess.run(
        [sys.executable, "-m", "models.testing", "make-model", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "not empty" in out.stderr


def test_vocabulary_padding_reaches_the_real_size(tiny_model: Path) -> None:
    vocab, real = build_vocabulary(tiny_model / "source.spm", tiny_model / "target.spm", 54_765)
    assert len(vocab) == 54_765
    assert real < 3000
    assert all(v.startswith("<unused") for v in vocab[real:])
    with pytest.raises(ValueError):
        build_vocabulary(tiny_model / "source.spm", tiny_model / "target.spm", 10)


def test_benchmark_shapes_match_the_offered_models() -> None:
    base, big = SIZES["base"], SIZES["big"]
    assert (base.d_model, base.encoder_layers, base.decoder_layers, base.heads, base.ffn) == (
        512,
        6,
        6,
        8,
        2048,
    )
    assert base.activation == "swish" and base.max_positions == 512
    assert (big.d_model, big.encoder_layers, big.decoder_layers, big.heads, big.ffn) == (1024, 6, 6, 16, 4096)
    assert big.activation == "relu" and big.vocab_size == 54_765
    # the real vocab.json's layout and position table (../shared/real-hub/README.md)
    assert big.hub_eos_id == 41_977 and big.max_positions == 1024 and big.max_input_tokens == 512


def test_sinusoidal_table_is_marian_layout() -> None:
    """The one position formula (the converter's), which the test models go through too."""
    table = sinusoidal_positions(512, 8)
    assert table.shape == (512, 8)
    assert (table[0, :4] == 0).all() and (table[0, 4:] == 1).all()  # sin(0) then cos(0)
    assert abs(table[1, 0] - 0.8414709848) < 1e-6  # sin(1) at the highest frequency


@pytest.mark.slow
def test_base_model_builds_and_loads(tmp_path: Path) -> None:
    folder = make_model(tmp_path / "base", size="base", seed=0)
    vocab = json.loads((folder / "shared_vocabulary.json").read_text("utf-8"))
    assert len(vocab) == 57_000
    translator = ctranslate2.Translator(str(folder), compute_type="int8", intra_threads=1)
    result = translator.translate_batch([["▁Det", "▁er", "▁bra", "</s>"]], beam_size=1, max_decoding_length=8)
    assert result[0].hypotheses[0]
    assert not any(p.startswith("<unused") for p in result[0].hypotheses[0])


# Fresh Norwegian news prose written for this test (not in the training text).
UNSEEN_NB = (
    "Regjeringen vil bruke flere milliarder kroner på nye sykehus i Nord-Norge, sa helseministeren "
    "til pressen tirsdag. Opposisjonen mener pengene kommer for sent, og at ventetidene for "
    "pasientene har økt kraftig de siste årene. Ifølge Statistisk sentralbyrå har befolkningen i "
    "flere kommuner gått ned, mens kostnadene til drift og vedlikehold stadig stiger."
)


def test_benchmark_tokenizers_split_words_like_a_real_model(tmp_path: Path) -> None:
    """base/big speed figures per word are only honest if a word costs about as many pieces as
    with OPUS-MT's 32k SentencePiece (roughly 1.3-1.6 on news); the tiny one needs far more.
    The text is unseen by both (base/big train on wordfreq's frequency lists, not on news)."""
    from models.testing import train_sentencepiece, training_corpora

    rates = {}
    for size in ("tiny", "base"):
        shape = SIZES[size]
        work = tmp_path / size
        work.mkdir()
        nb, _en = training_corpora(shape, work)
        out = work / "source.spm"
        train_sentencepiece(nb, shape.source_pieces, out, shape.spm_type)
        sp = spm.SentencePieceProcessor(model_file=str(out))
        rates[size] = len(sp.encode(UNSEEN_NB)) / len(UNSEEN_NB.split())
    assert 1.1 <= rates["base"] <= 1.7, rates
    assert rates["base"] < 0.7 * rates["tiny"], rates


def test_hub_layout_and_installed_layout_are_the_same_model(tmp_path: Path, monkeypatch) -> None:
    """A shape with the Hub's vocabulary layout (as big has: </s> at 41977 of 54,765 with <pad>
    last), shrunk: the installed layout is what the converter makes of it (specials first), the
    hub layout is what converters before that fix left; same scores, and the translator runs
    the old one without its shortlist."""
    import dataclasses

    from models import testing
    from models.translation.engine import Translator
    from models.translation.memory import TranslationMemory
    from models.translation.shortlist import model_vocabulary

    shape = dataclasses.replace(testing.SIZES["tiny"], vocab_size=3000, hub_eos_id=2000)
    monkeypatch.setitem(testing.SIZES, "tinyhub", shape)
    installed = make_model(tmp_path / "installed", size="tinyhub", seed=3)
    hub = make_model(tmp_path / "hub", size="tinyhub", seed=3, layout="hub")
    v_inst, v_hub = model_vocabulary(installed), model_vocabulary(hub)
    assert len(v_inst) == len(v_hub) == 2999  # 3000 Hub entries less <pad>
    assert v_inst[:2] == ["</s>", "<unk>"] and v_hub.index("</s>") == 2000 and sorted(v_inst) == sorted(v_hub)
    batch = [["▁Det", "▁er", "▁bra", "</s>"], ["▁Hei", "</s>"]]
    outs = []
    for folder in (installed, hub):
        ct2 = ctranslate2.Translator(str(folder), compute_type="int8", intra_threads=1)
        res = ct2.translate_batch(batch, beam_size=2, max_decoding_length=10, min_decoding_length=10)
        outs.append([r.hypotheses[0] for r in res])
    assert outs[0] == outs[1]
    assert Translator(installed, memory=TranslationMemory()).has_vmap
    old = Translator(hub, memory=TranslationMemory())
    assert not old.has_vmap and old.notice
