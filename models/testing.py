"""Random-weight CTranslate2 models with real SentencePiece files, built offline.

No model weights can be downloaded on the build and test machines, so translation is exercised
with models the project makes itself: the layer shapes of the two OPUS-MT models the app offers
(for speed and memory figures) or a tiny one (for tests), random weights (the output is gibberish;
tests assert structure, never wording) and SentencePiece models trained in-process: ``tiny`` on
text the package ships (``resources/training``), ``base``/``big`` like OPUS-MT's own tokenizers
(32k pieces per side) on the word frequencies of the ``wordfreq`` package (test extra), so that
their pieces-per-word rate, and with it every per-word speed figure, is realistic. The folder
holds what a converted Marian model holds: ``model.bin``, ``config.json``,
``shared_vocabulary.json``, ``source.spm``, ``target.spm``, ``vmap.txt``, plus ``nordbrief.json``
with the input limit the translator must honour.

Same seed, same files: weights come from a seeded numpy generator and SentencePiece is trained
single-threaded on a fixed corpus (the pinned shipped text or wordfreq release).

Usage: ``python -m models.testing make-model DIR [--size tiny|base|big] [--seed N]``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.paths import resources_dir

# Written next to model.bin: limits CTranslate2's own files cannot express.
NORDBRIEF_JSON = "nordbrief.json"
# How the weights are made, recorded in nordbrief.json so a cached model of an older recipe is
# rebuilt (benchmarks.peers): 2 = a random Hugging Face checkpoint through ``convert_marian``.
RECIPE = 2


@dataclass(frozen=True)
class ModelShape:
    """Layer shapes of a Marian transformer, as in the Hugging Face config of the real model."""

    d_model: int
    encoder_layers: int
    decoder_layers: int
    heads: int
    ffn: int
    activation: str  # "swish" | "relu"
    vocab_size: int | None  # None: just the SentencePiece pieces, no padding
    max_positions: int  # rows of the sinusoidal position table
    max_input_tokens: int  # the input limit declared to the translator (incl. </s>)
    source_pieces: int  # SentencePiece vocabulary sizes trained on the shipped text
    target_pieces: int
    weights_dtype: str  # how model.bin stores the float weights
    eos_bias: float = 4.5  # tuned so random decoding ends at mixed lengths, some at the bound
    # SentencePiece algorithm. BPE keeps merging until whole frequent words are single pieces, so
    # on the little shipped text it reaches a realistic pieces-per-word rate; unigram stops at the
    # ~3.5k pieces the text supports (about 2.5 pieces per Norwegian word, twice a real model's).
    spm_type: str = "unigram"
    # "shipped": resources/training; "wordfreq": word frequency lists (see WORDFREQ_SOURCE).
    corpus: str = "shipped"
    # The Hub's vocabulary layout: </s> at this id of vocab.json, whose vocab_size entries end
    # with <pad> (dropped by conversion, as the converter drops it). None: Marian's own order,
    # </s> 0 and <unk> 1, vocab_size entries without <pad>.
    hub_eos_id: int | None = None


# The real joint vocabularies (57,000 and 54,765 entries) are the union of a 32k Scandinavian and
# a ~32k English tokenizer that share some pieces; the English sides here are sized so that the
# union fits the real size, and the few entries left over are padding.
BASE_TARGET_PIECES = 31_700
BIG_TARGET_PIECES = 29_000
# (language, weight, words): OPUS-MT's gmq source side is mostly Swedish, Danish and Norwegian
# text; Norwegian weighs most here because Nordbrief only feeds it Norwegian.
WORDFREQ_SOURCE = (("nb", 1.0, 150_000), ("sv", 0.6, 100_000), ("da", 0.6, 50_000))
WORDFREQ_TARGET = (("en", 1.0, 200_000),)
# wordfreq folds case; real text has the word capitalised this often (sentence starts, names).
CAPITALISED_SHARE = 0.2

SIZES: dict[str, ModelShape] = {
    # For tests: well under 1 MB, built in a second, and a short input limit so that
    # long-sentence splitting happens on ordinary news sentences.
    "tiny": ModelShape(
        d_model=32,
        encoder_layers=2,
        decoder_layers=2,
        heads=4,
        ffn=64,
        activation="swish",
        vocab_size=None,
        max_positions=256,
        max_input_tokens=64,
        source_pieces=1000,
        target_pieces=800,
        weights_dtype="float16",  # halves model.bin; CTranslate2 converts at load
    ),
    # Helsinki-NLP/opus-mt-gmq-en (transformer-base, swish, tied embeddings).
    "base": ModelShape(
        d_model=512,
        encoder_layers=6,
        decoder_layers=6,
        heads=8,
        ffn=2048,
        activation="swish",
        vocab_size=57_000,
        max_positions=512,
        max_input_tokens=512,
        source_pieces=32_000,
        target_pieces=BASE_TARGET_PIECES,
        weights_dtype="float16",
        spm_type="bpe",
        corpus="wordfreq",
    ),
    # Helsinki-NLP/opus-mt-tc-big-gmq-en (transformer-big, ReLU, tied embeddings).
    "big": ModelShape(
        d_model=1024,
        encoder_layers=6,
        decoder_layers=6,
        heads=16,
        ffn=4096,
        activation="relu",
        # The real vocab.json: 54,765 entries, </s> at 41977, <pad> last (the converter drops it
        # and moves </s> and <unk> to ids 0 and 1); 1,024 positions, inputs up to 512 tokens.
        vocab_size=54_765,
        max_positions=1024,
        max_input_tokens=512,
        source_pieces=32_000,
        target_pieces=BIG_TARGET_PIECES,
        weights_dtype="float16",
        spm_type="bpe",
        corpus="wordfreq",
        hub_eos_id=41_977,
    ),
}
LAYOUTS = ("installed", "hub")

_SPECIAL = ("</s>", "<unk>")  # Marian vocabularies start with these two (ids 0 and 1)


def training_dir() -> Path:
    return resources_dir() / "training"


def train_sentencepiece(corpus: Path, vocab_size: int, out: Path, model_type: str = "unigram") -> None:
    """Train a SentencePiece model in-process, deterministically (one thread, fixed input order).

    A ``.tsv`` corpus is read as ``word<TAB>count`` lines."""
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        input_format="tsv" if corpus.suffix == ".tsv" else "text",
        model_writer=buf,
        vocab_size=vocab_size,
        model_type=model_type,
        character_coverage=1.0,
        hard_vocab_limit=False,
        num_threads=1,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    out.write_bytes(buf.getvalue())


def wordfreq_corpus(languages: tuple[tuple[str, float, int], ...], out: Path) -> Path:
    """A SentencePiece TSV corpus (``word<TAB>count``) from wordfreq's frequency lists.

    Each of a language's most frequent words counts ``weight * frequency``; words are written
    lower-case and capitalised (wordfreq folds case) in a fixed order, so training is repeatable.
    """
    try:
        import wordfreq
    except ImportError:
        raise SystemExit(
            "the base and big test models need the wordfreq package: pip install -e .[test]"
        ) from None

    counts: dict[str, float] = {}
    for lang, weight, words in languages:
        wordlist = "large" if lang in wordfreq.available_languages("large") else "small"
        freqs = wordfreq.get_frequency_dict(lang, wordlist=wordlist)
        top = sorted(freqs.items(), key=lambda kv: (-kv[1], kv[0]))[:words]
        for word, freq in top:
            if not any(c.isalnum() for c in word) or any(c.isspace() for c in word):
                continue
            for form, share in (
                (word, 1 - CAPITALISED_SHARE),
                (word[:1].upper() + word[1:], CAPITALISED_SHARE),
            ):
                counts[form] = counts.get(form, 0.0) + weight * freq * share
    lines = [f"{w}\t{round(c * 1e9)}" for w, c in counts.items() if round(c * 1e9) >= 1]
    out.write_text("\n".join(lines) + "\n", "utf-8")
    return out


def training_corpora(shape: ModelShape, work: Path) -> tuple[Path, Path]:
    """The Norwegian and English training corpora of ``shape``'s tokenizers (written to ``work``
    when they come from wordfreq)."""
    if shape.corpus == "wordfreq":
        return (
            wordfreq_corpus(WORDFREQ_SOURCE, work / "source.tsv"),
            wordfreq_corpus(WORDFREQ_TARGET, work / "target.tsv"),
        )
    return training_dir() / "norsumm_nb.txt", training_dir() / "news_en.txt"


def spm_pieces(path: Path) -> list[str]:
    """The normal pieces of a SentencePiece model (control/unknown symbols left out)."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(path))
    return [
        sp.id_to_piece(i) for i in range(sp.get_piece_size()) if not (sp.is_control(i) or sp.is_unknown(i))
    ]


def build_vocabulary(source_spm: Path, target_spm: Path, size: int | None) -> tuple[list[str], int]:
    """Marian's joint vocabulary: ``</s>``, ``<unk>``, source pieces, new target pieces, padding.

    Returns the vocabulary and the number of real (non-padding) entries. Padding entries stand
    for the pieces a real 55k vocabulary would have: never produced, but they cost the same in
    the output projection, which is what makes the benchmark shapes honest.
    """
    vocab = list(_SPECIAL)
    seen = set(vocab)
    for piece in spm_pieces(source_spm) + spm_pieces(target_spm):
        if piece not in seen:
            seen.add(piece)
            vocab.append(piece)
    real = len(vocab)
    if size is not None:
        if size < real:
            raise ValueError(f"vocabulary size {size} is smaller than the {real} trained pieces")
        vocab.extend(f"<unused{i}>" for i in range(size - real))
    return vocab, real


class _Init:
    """Seeded random weights, scaled so activations stay bounded through the post-norm stack."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def linear(self, out_dim: int, in_dim: int) -> tuple[np.ndarray, np.ndarray]:
        # A gain of 3 lets each sublayer outweigh the residual token embedding; with unit gain
        # the tied output projection just repeats the previous token forever.
        w = 3.0 * self.rng.standard_normal((out_dim, in_dim), dtype=np.float32) / np.sqrt(in_dim)
        b = 0.02 * self.rng.standard_normal(out_dim, dtype=np.float32)
        return w, b

    def norm(self, dim: int) -> tuple[np.ndarray, np.ndarray]:
        gamma = 1.0 + 0.1 * self.rng.standard_normal(dim, dtype=np.float32)
        beta = 0.05 * self.rng.standard_normal(dim, dtype=np.float32)
        return gamma, beta


def hub_order(vocab: list[str], eos_id: int) -> list[int]:
    """Rows of ``vocab`` (Marian's order, </s> first) in the Hub's order, </s> at ``eos_id``."""
    rest = [i for i, tok in enumerate(vocab) if tok != "</s>"]
    return [*rest[:eos_id], vocab.index("</s>"), *rest[eos_id:]]


def marian_config(shape: ModelShape, vocab_size: int, eos_id: int) -> dict[str, Any]:
    """``config.json`` of a Hugging Face Marian checkpoint of ``shape``; ``vocab_size`` counts the
    ``<pad>`` Transformers appends last (the decoder start token)."""
    return {
        "model_type": "marian",
        "architectures": ["MarianMTModel"],
        "activation_function": shape.activation,
        "d_model": shape.d_model,
        "encoder_layers": shape.encoder_layers,
        "decoder_layers": shape.decoder_layers,
        "encoder_attention_heads": shape.heads,
        "decoder_attention_heads": shape.heads,
        "encoder_ffn_dim": shape.ffn,
        "decoder_ffn_dim": shape.ffn,
        "vocab_size": vocab_size,
        "decoder_vocab_size": vocab_size,
        "pad_token_id": vocab_size - 1,
        "decoder_start_token_id": vocab_size - 1,
        "eos_token_id": eos_id,
        "max_position_embeddings": shape.max_positions,
        "scale_embedding": True,
        "share_encoder_decoder_embeddings": True,
        "tie_word_embeddings": True,
        "normalize_embedding": False,
        "static_position_embeddings": True,
    }


def random_state(config: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    """Seeded random weights of the Marian model a Hugging Face ``config`` describes, under
    Transformers' names, without ``final_logits_bias`` (the caller's): tied embeddings stored
    once, scaled by 1/sqrt(d) (the converter multiplies them by sqrt(d), as Marian does), the last
    row (``<pad>``, the decoder start token) zero."""
    init = _Init(seed)
    d, ffn_dim, v = config["d_model"], config["encoder_ffn_dim"], config["vocab_size"]
    emb = init.rng.standard_normal((v, d), dtype=np.float32) / np.sqrt(d)
    emb[-1] = 0.0  # <pad>: never an input, never an output
    state: dict[str, np.ndarray] = {"model.shared.weight": emb}

    def linear(prefix: str, out_dim: int, in_dim: int) -> None:
        state[prefix + ".weight"], state[prefix + ".bias"] = init.linear(out_dim, in_dim)

    def norm(prefix: str) -> None:
        state[prefix + ".weight"], state[prefix + ".bias"] = init.norm(d)

    def attention(prefix: str) -> None:
        norm(prefix + "_layer_norm")
        for n in ("q", "k", "v", "out"):
            linear(f"{prefix}.{n}_proj", d, d)

    def ffn(prefix: str) -> None:
        norm(prefix + ".final_layer_norm")
        linear(prefix + ".fc1", ffn_dim, d)
        linear(prefix + ".fc2", d, ffn_dim)

    for i in range(config["encoder_layers"]):
        attention(f"model.encoder.layers.{i}.self_attn")
        ffn(f"model.encoder.layers.{i}")
    for i in range(config["decoder_layers"]):
        attention(f"model.decoder.layers.{i}.self_attn")
        attention(f"model.decoder.layers.{i}.encoder_attn")
        ffn(f"model.decoder.layers.{i}")
    return state


def _output_bias(shape: ModelShape, rows: int, real_size: int) -> np.ndarray:
    """``final_logits_bias`` that keeps random decoding away from padding and <unk> and biases
    </s> (rows in Marian's order), so outputs end at mixed lengths (some run to the length bound)."""
    bias = np.zeros((1, rows), dtype=np.float32)
    bias[0, 1] = -1e4  # <unk>
    bias[0, real_size:] = -1e4  # padding and <pad>
    bias[0, 0] = shape.eos_bias  # </s>
    return bias


def write_checkpoint(folder: Path, shape: ModelShape, vocab: list[str], real_size: int, seed: int) -> Path:
    """A Hugging Face Marian checkpoint folder (``config.json``, ``vocab.json``,
    ``model.safetensors`` in ``shape.weights_dtype``) with random weights; SentencePiece files are
    the caller's. A shape with ``hub_eos_id`` lays its vocabulary out as the Hub's repo does."""
    from safetensors.numpy import save_file

    # Rows in Marian's order (</s>, <unk>, pieces, padding) plus the <pad> Transformers appends.
    state = random_state(marian_config(shape, len(vocab) + 1, 0), seed)
    state["final_logits_bias"] = _output_bias(shape, len(vocab) + 1, real_size)
    order = list(range(len(vocab)))
    if shape.hub_eos_id is not None:
        order = hub_order(vocab, shape.hub_eos_id)
    rows = np.asarray([*order, len(vocab)], dtype=np.int64)  # <pad> stays last
    tokens = [*(vocab[i] for i in order), "<pad>"]
    state["model.shared.weight"] = state["model.shared.weight"][rows]
    state["final_logits_bias"] = state["final_logits_bias"][:, rows]
    dtype = np.dtype(shape.weights_dtype)
    folder.mkdir(parents=True, exist_ok=True)
    save_file(
        {k: np.ascontiguousarray(a.astype(dtype)) for k, a in state.items()},
        str(folder / "model.safetensors"),
    )
    config = marian_config(shape, len(tokens), tokens.index("</s>"))
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", "utf-8")
    vocab_json = json.dumps({tok: i for i, tok in enumerate(tokens)}, ensure_ascii=False)
    (folder / "vocab.json").write_text(vocab_json, "utf-8")
    return folder


def make_model(path: str | Path, size: str = "tiny", seed: int = 0, layout: str = "installed") -> Path:
    """Write a random-weight Marian-shaped CTranslate2 model folder at ``path``; returns it.

    The weights are a random Hugging Face Marian checkpoint, converted by Nordbrief's own
    converter (``models.store.convert``) exactly as a downloaded model is. A shape with the Hub's
    vocabulary layout (``hub_eos_id``: big) is installed as the converter installs it
    (``layout="installed"``: the special tokens moved first), or as converters before that fix
    left it (``layout="hub"``: </s> at 41977), the same weights either way. The folder is built
    next to ``path`` and moved into place, so a half-built model is never seen at ``path``.
    """
    from models.store.convert import convert_marian

    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    shape = SIZES[size]
    target = Path(path)
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} exists and is not empty")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".make-model-", dir=target.parent) as tmp:
        work = Path(tmp)
        checkpoint = work / "checkpoint"
        checkpoint.mkdir()
        nb, en = training_corpora(shape, work)
        train_sentencepiece(nb, shape.source_pieces, checkpoint / "source.spm", shape.spm_type)
        train_sentencepiece(en, shape.target_pieces, checkpoint / "target.spm", shape.spm_type)
        size_ct2 = shape.vocab_size - 1 if shape.hub_eos_id is not None and shape.vocab_size else None
        vocab, real = build_vocabulary(
            checkpoint / "source.spm", checkpoint / "target.spm", size_ct2 or shape.vocab_size
        )
        write_checkpoint(checkpoint, shape, vocab, real, seed)
        out = work / "model"
        convert_marian(checkpoint, out, quantization=shape.weights_dtype, special_first=layout == "installed")
        meta = {
            "max_input_tokens": shape.max_input_tokens,
            "max_positions": shape.max_positions,
            "test_model": {
                "size": size,
                "seed": seed,
                "shape": asdict(shape),
                "layout": layout,
                "recipe": RECIPE,
            },
        }
        (out / NORDBRIEF_JSON).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", "utf-8")
        if target.exists():
            target.rmdir()
        out.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m models.testing", description="Build random-weight test models offline."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("make-model", help="write a random-weight CTranslate2 model folder")
    p.add_argument("dir", help="output folder (must not exist or be empty)")
    p.add_argument("--size", choices=sorted(SIZES), default="tiny")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="installed",
        help="big only: 'hub' keeps </s> at 41977, as converters before the special-token remap did",
    )
    args = parser.parse_args(argv)
    try:
        out = make_model(args.dir, size=args.size, seed=args.seed, layout=args.layout)
    except (FileExistsError, ValueError) as exc:
        print(f"make-model: error: {exc}", file=sys.stderr)
        return 2
    total = sum(f.stat().st_size for f in out.iterdir())
    print(f"{out}: {args.size} model, seed {args.seed}, {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
