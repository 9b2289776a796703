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
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from models.paths import resources_dir
from models.store.vocabulary import special_first_order, write_vocabulary_map

# Written next to model.bin: limits CTranslate2's own files cannot express.
NORDBRIEF_JSON = "nordbrief.json"


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


def sinusoidal_positions(rows: int, dim: int) -> np.ndarray:
    """Marian's sinusoidal table: sines in the first half of each row, cosines in the second."""
    half = dim // 2
    inv = np.exp(-np.log(10000.0) * 2.0 * np.arange(half, dtype=np.float64) / dim)
    angles = np.arange(rows, dtype=np.float64)[:, None] * inv[None, :]
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1).astype(np.float32)


class _Init:
    """Seeded random weights, scaled so activations stay bounded through the post-norm stack."""

    def __init__(self, seed: int, dtype: str) -> None:
        self.rng = np.random.default_rng(seed)
        self.dtype = np.dtype(dtype)

    def linear(self, out_dim: int, in_dim: int) -> tuple[np.ndarray, np.ndarray]:
        # A gain of 3 lets each sublayer outweigh the residual token embedding; with unit gain
        # the tied output projection just repeats the previous token forever.
        w = 3.0 * self.rng.standard_normal((out_dim, in_dim), dtype=np.float32) / np.sqrt(in_dim)
        b = 0.02 * self.rng.standard_normal(out_dim, dtype=np.float32)
        return w.astype(self.dtype), b.astype(self.dtype)

    def norm(self, dim: int) -> tuple[np.ndarray, np.ndarray]:
        gamma = 1.0 + 0.1 * self.rng.standard_normal(dim, dtype=np.float32)
        beta = 0.05 * self.rng.standard_normal(dim, dtype=np.float32)
        return gamma.astype(self.dtype), beta.astype(self.dtype)


def _set_linear(spec: object, init: _Init, out_dim: int, in_dim: int) -> None:
    spec.weight, spec.bias = init.linear(out_dim, in_dim)  # type: ignore[attr-defined]


def _set_norm(spec: object, init: _Init, dim: int) -> None:
    spec.gamma, spec.beta = init.norm(dim)  # type: ignore[attr-defined]


def _fill_attention(spec: object, init: _Init, d: int, self_attention: bool) -> None:
    _set_norm(spec.layer_norm, init, d)  # type: ignore[attr-defined]
    linears = spec.linear  # type: ignore[attr-defined]
    if self_attention:  # fused q,k,v then output
        _set_linear(linears[0], init, 3 * d, d)
        _set_linear(linears[1], init, d, d)
    else:  # q from the decoder, fused k,v from the encoder output, then output
        _set_linear(linears[0], init, d, d)
        _set_linear(linears[1], init, 2 * d, d)
        _set_linear(linears[2], init, d, d)


def _fill_ffn(spec: object, init: _Init, d: int, ffn: int) -> None:
    _set_norm(spec.layer_norm, init, d)  # type: ignore[attr-defined]
    _set_linear(spec.linear_0, init, ffn, d)  # type: ignore[attr-defined]
    _set_linear(spec.linear_1, init, d, ffn)  # type: ignore[attr-defined]


def hub_order(vocab: list[str], eos_id: int) -> list[int]:
    """Rows of ``vocab`` (Marian's order, </s> first) in the Hub's order, </s> at ``eos_id``."""
    rest = [i for i, tok in enumerate(vocab) if tok != "</s>"]
    return [*rest[:eos_id], vocab.index("</s>"), *rest[eos_id:]]


def build_spec(
    shape: ModelShape, vocab: list[str], real_size: int, seed: int, order: list[int] | None = None
) -> object:
    """A post-norm Marian ``TransformerSpec`` with seeded random weights and tied embeddings;
    ``order`` lays the same rows (and tokens) out in another vocabulary order."""
    from ctranslate2.specs import common_spec, transformer_spec

    activation = {"swish": common_spec.Activation.SWISH, "relu": common_spec.Activation.RELU}[
        shape.activation
    ]
    spec = transformer_spec.TransformerSpec.from_config(
        (shape.encoder_layers, shape.decoder_layers),
        shape.heads,
        pre_norm=False,  # Marian models are post-norm
        activation=activation,
    )
    init = _Init(seed, shape.weights_dtype)
    d, v = shape.d_model, len(vocab)

    # One embedding matrix shared by encoder, decoder and output projection (Marian ties them).
    # Scaled by 1/sqrt(d): CTranslate2 multiplies embeddings by sqrt(d) as Marian does.
    emb = (init.rng.standard_normal((v, d), dtype=np.float32) / np.sqrt(d)).astype(init.dtype)
    positions = sinusoidal_positions(shape.max_positions, d).astype(init.dtype)

    enc = spec.encoder
    enc.embeddings[0].weight = emb
    enc.position_encodings.encodings = positions
    for layer in enc.layer:
        _fill_attention(layer.self_attention, init, d, self_attention=True)
        _fill_ffn(layer.ffn, init, d, shape.ffn)

    dec = spec.decoder
    dec.embeddings.weight = emb
    dec.position_encodings.encodings = positions
    dec.start_from_zero_embedding = True  # Marian starts decoding from a zero embedding
    for layer in dec.layer:
        _fill_attention(layer.self_attention, init, d, self_attention=True)
        _fill_attention(layer.attention, init, d, self_attention=False)
        _fill_ffn(layer.ffn, init, d, shape.ffn)
    dec.projection.weight = emb
    # Marian's final_logits_bias. Here it keeps random decoding away from padding entries and
    # <unk>, and biases </s> so outputs end at mixed lengths (some run to the length bound).
    bias = np.zeros(v, dtype=np.float32)
    bias[1] = -1e4  # <unk>
    bias[real_size:] = -1e4  # padding
    bias[0] = shape.eos_bias  # </s>
    if order is not None:  # the same model with its rows in another order
        rows = np.asarray(order, dtype=np.int64)
        emb, bias, vocab = emb[rows], bias[rows], [vocab[i] for i in order]
        enc.embeddings[0].weight = dec.embeddings.weight = dec.projection.weight = emb
    dec.projection.bias = bias.astype(init.dtype)

    cfg = spec.config
    cfg.add_source_bos = False
    cfg.add_source_eos = False
    cfg.bos_token = "<s>"
    cfg.decoder_start_token = "</s>"
    cfg.eos_token = "</s>"
    cfg.unk_token = "<unk>"
    cfg.layer_norm_epsilon = None
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    return spec


def make_model(path: str | Path, size: str = "tiny", seed: int = 0, layout: str = "installed") -> Path:
    """Write a random-weight Marian-shaped CTranslate2 model folder at ``path``; returns it.

    A shape with the Hub's vocabulary layout (``hub_eos_id``: big) is laid out as the converter
    installs it (``layout="installed"``: the Hub's order with <pad> dropped and the special tokens
    moved first by ``models.store.vocabulary.special_first_order``), or as converters before that fix
    left it (``layout="hub"``: </s> at 41977), the same weights either way. The folder is built
    next to ``path`` and moved into place, so a half-built model is never seen at ``path``.
    """
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
        nb, en = training_corpora(shape, work)
        train_sentencepiece(nb, shape.source_pieces, work / "source.spm", shape.spm_type)
        train_sentencepiece(en, shape.target_pieces, work / "target.spm", shape.spm_type)
        size_ct2 = shape.vocab_size - 1 if shape.hub_eos_id is not None and shape.vocab_size else None
        vocab, real = build_vocabulary(work / "source.spm", work / "target.spm", size_ct2 or shape.vocab_size)
        order = None
        if shape.hub_eos_id is not None:
            hub = hub_order(vocab, shape.hub_eos_id)
            hub_tokens = [vocab[i] for i in hub]
            # The converter's remap of the Hub's order (after dropping <pad>) gives Marian's order
            # back: the installed model is ``vocab`` itself.
            installed = [hub[i] for i in special_first_order(hub_tokens)]
            order = hub if layout == "hub" else installed
        spec = build_spec(shape, vocab, real, seed, order)
        spec.validate()  # type: ignore[attr-defined]
        spec.optimize(quantization=shape.weights_dtype)  # type: ignore[attr-defined]
        out = work / "model"
        out.mkdir()
        spec.save(str(out))  # type: ignore[attr-defined]
        shutil.copyfile(work / "source.spm", out / "source.spm")
        shutil.copyfile(work / "target.spm", out / "target.spm")
        write_vocabulary_map(out)  # what the converter writes for a real model
        meta = {
            "max_input_tokens": shape.max_input_tokens,
            "max_positions": shape.max_positions,
            "test_model": {"size": size, "seed": seed, "shape": asdict(shape), "layout": layout},
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
