"""The peers: CTranslate2 int8 / float32 and Hugging Face Transformers + PyTorch fp32, same weights.

How "same weights" is achieved (benchmark-only use of torch/transformers): a random
``MarianMTModel`` of the base/big shape is built in PyTorch from a fixed seed, then converted with
CTranslate2's own ``TransformersConverter`` to a CTranslate2 folder (float32 on disk; int8 is
CTranslate2's quantization at load time, exactly as a converted OPUS-MT model is used). Its
vocabulary is the one ``python -m models.testing make-model`` writes for that size (padded to the
real OPUS-MT vocabulary size, since the output projection's cost depends on it) and its layer
shapes are ``models.testing.SIZES`` (one source of truth), and the
make-model SentencePiece files tokenize the text, so every engine sees identical token ids.

Random weights decode to random lengths, so every engine is forced to decode exactly ``T`` tokens
per sentence (min = max decoding length). Limits apply per call, so batches are formed from
sentences of similar length (sorted, 16 a batch) with ``T`` = 1.1 x their mean source length.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import log, work_dir

MAX_BATCH = 16
LENGTH_FACTOR = 1.1
SEED = 1234


def make_model_dir(size: str) -> Path:
    """The project's random-weight test model of ``size``, built once into benchmarks/.work."""
    path = work_dir() / f"make-model-{size}"
    if not (path / "model.bin").is_file() or not built_as_now(path, size):
        from models.testing import make_model

        log(f"  building make-model {size} -> {path}")
        if path.exists():
            shutil.rmtree(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        make_model(path, size=size, seed=1)
    return path


def built_as_now(path: Path, size: str, layout: str = "installed") -> bool:
    """Whether the cached model was made with today's shape, weight recipe and layout."""
    from models.testing import NORDBRIEF_JSON, RECIPE, SIZES

    try:
        built = json.loads((path / NORDBRIEF_JSON).read_text("utf-8"))["test_model"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return bool(
        built.get("shape") == dataclasses.asdict(SIZES[size])
        and built.get("recipe") == RECIPE
        and built.get("layout", "installed") == layout
    )


@dataclass
class Reference:
    """One shape's same-weights trio: the PyTorch model and its CTranslate2 conversion."""

    size: str
    hf_model: Any  # transformers.MarianMTModel
    ct2_dir: Path  # float32 weights on disk + source.spm/target.spm: loadable by the engine too
    vocab: list[str]
    eos_id: int
    pad_id: int
    unk_id: int


def _hf_config(size: str, vocab_size: int) -> Any:
    """The Transformers config of the make-model shape ``size`` (one source of truth for shapes)."""
    from transformers import MarianConfig

    from models.testing import SIZES

    s = SIZES[size]
    pad = vocab_size  # Transformers appends <pad> after the Marian vocabulary; the converter drops it
    return MarianConfig(
        vocab_size=vocab_size + 1,
        d_model=s.d_model,
        encoder_layers=s.encoder_layers,
        decoder_layers=s.decoder_layers,
        encoder_attention_heads=s.heads,
        decoder_attention_heads=s.heads,
        encoder_ffn_dim=s.ffn,
        decoder_ffn_dim=s.ffn,
        activation_function=s.activation,
        max_position_embeddings=s.max_positions,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=None,
        dropout=0.0,
        architectures=["MarianMTModel"],
    )


class _VocabOnlyTokenizer:
    """What the converter reads from a tokenizer: the vocabulary and the special tokens."""

    def __init__(self, vocab: list[str]) -> None:
        self._vocab = {tok: i for i, tok in enumerate(vocab)}
        self.eos_token = "</s>"
        self.unk_token = "<unk>"
        self.pad_token = "<pad>"

    def get_vocab(self) -> dict[str, int]:
        return dict(self._vocab)


def _fingerprint(model: Any) -> str:
    """A digest of a few weight tensors: proves a cached conversion came from these weights."""
    import torch

    h = hashlib.sha256()
    with torch.no_grad():
        for name, p in list(model.named_parameters())[:6]:
            h.update(name.encode())
            h.update(p.detach().flatten()[:4096].numpy().tobytes())
    return h.hexdigest()[:16]


def build_reference(size: str, *, source_dir: Path | None = None) -> Reference:
    """Build (or reuse from the cache) the PyTorch model and its CTranslate2 float32 conversion."""
    import ctranslate2
    import torch
    from ctranslate2.converters import TransformersConverter
    from transformers import MarianMTModel

    from models.store.vocabulary import write_vocabulary_map
    from models.translation.shortlist import model_vocabulary

    src = source_dir or make_model_dir(size)
    vocab = model_vocabulary(src)
    torch.manual_seed(SEED)
    config = _hf_config(size, len(vocab))
    model = MarianMTModel(config).eval()
    # The vocabulary is part of the conversion: same-size vocabularies of another tokenizer
    # recipe must not reuse it (token ids would no longer match PyTorch's).
    fp = _fingerprint(model) + hashlib.sha256("\n".join(vocab).encode()).hexdigest()[:16]

    out = work_dir() / f"ref-{size}"
    ct2_dir = out / "ct2"
    stamp = out / "fingerprint.txt"
    if not (stamp.is_file() and stamp.read_text().strip() == fp and (ct2_dir / "model.bin").is_file()):
        log(f"  converting the {size} Transformers model to CTranslate2 -> {ct2_dir}")
        if out.exists():
            shutil.rmtree(out)
        cfg_dir = out / "hf-config"
        cfg_dir.mkdir(parents=True)
        config.save_pretrained(cfg_dir)

        tokenizer = _VocabOnlyTokenizer([*vocab, "<pad>"])

        class _InMemory(TransformersConverter):
            def load_model(self, model_class: Any, path: str, **kwargs: Any) -> Any:
                return model

            def load_tokenizer(self, tokenizer_class: Any, path: str, **kwargs: Any) -> Any:
                return tokenizer

        _InMemory(str(cfg_dir)).convert(str(ct2_dir), quantization="float32", force=True)
        stamp.write_text(fp)
    # The tokenizers may be newer than the cached weights (same vocabulary size, new recipe).
    for name in ("source.spm", "target.spm", "nordbrief.json"):
        if (src / name).is_file():
            shutil.copy2(src / name, ct2_dir / name)
    write_vocabulary_map(ct2_dir)  # as Nordbrief's converter does; only the engine uses it
    assert ctranslate2.contains_model(str(ct2_dir))
    return Reference(
        size=size,
        hf_model=model,
        ct2_dir=ct2_dir,
        vocab=vocab,
        eos_id=vocab.index("</s>"),
        pad_id=len(vocab),
        unk_id=vocab.index("<unk>") if "<unk>" in vocab else 1,
    )


@dataclass
class Batch:
    tokens: list[list[str]]  # SentencePiece pieces + "</s>", as CTranslate2 takes them
    ids: list[list[int]]  # the same as vocabulary ids, as PyTorch takes them
    target_len: int  # forced decoding length of every sentence in the batch


def tokenize(spm_path: Path, sentences: Sequence[str]) -> list[list[str]]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(spm_path))
    return [[*sp.encode(s, out_type=str), "</s>"] for s in sentences]


def make_batches(
    token_lists: Sequence[list[str]], vocab: list[str], *, max_batch: int = MAX_BATCH
) -> list[Batch]:
    """Length-sorted batches with one forced target length each (decoding limits are per call)."""
    index = {tok: i for i, tok in enumerate(vocab)}
    unk = index.get("<unk>", 1)
    order = sorted(range(len(token_lists)), key=lambda i: len(token_lists[i]))
    batches: list[Batch] = []
    for k in range(0, len(order), max_batch):
        chunk = [token_lists[i] for i in order[k : k + max_batch]]
        mean_len = sum(len(t) for t in chunk) / len(chunk)
        batches.append(
            Batch(
                tokens=chunk,
                ids=[[index.get(t, unk) for t in toks] for toks in chunk],
                target_len=max(1, round(LENGTH_FACTOR * mean_len)),
            )
        )
    return batches


class CT2Engine:
    """Plain CTranslate2: the same batches, forced lengths, 2 intra-op threads."""

    def __init__(self, model_dir: Path, compute_type: str, threads: int) -> None:
        import ctranslate2

        self.name = f"CTranslate2 {compute_type}"
        self.translator = ctranslate2.Translator(
            str(model_dir), device="cpu", compute_type=compute_type, inter_threads=1, intra_threads=threads
        )

    def run(self, batches: Sequence[Batch], beam: int) -> int:
        n = 0
        for b in batches:
            results = self.translator.translate_batch(
                b.tokens,
                beam_size=beam,
                min_decoding_length=b.target_len,
                max_decoding_length=b.target_len,
                max_batch_size=len(b.tokens),
            )
            n += sum(len(r.hypotheses[0]) for r in results)
        return n

    def first_tokens(self, tokens: list[str], n: int) -> list[str]:
        r = self.translator.translate_batch(
            [tokens], beam_size=1, min_decoding_length=n, max_decoding_length=n
        )
        return r[0].hypotheses[0]


class TorchEngine:
    """Transformers + PyTorch fp32 with its best fair settings: inference_mode, 2 threads, KV cache."""

    def __init__(self, ref: Reference, threads: int) -> None:
        import torch
        from transformers import GenerationConfig

        torch.set_num_threads(threads)
        self.name = "Transformers fp32"
        self.model = ref.hf_model
        self.pad_id = ref.pad_id
        self._config = GenerationConfig
        self._base = {
            "decoder_start_token_id": ref.pad_id,
            "pad_token_id": ref.pad_id,
            "eos_token_id": ref.eos_id,
            "forced_eos_token_id": None,
            "do_sample": False,
            "use_cache": True,
        }

    def _gen(self, beam: int, min_new: int, max_new: int) -> Any:
        return self._config(**self._base, num_beams=beam, min_new_tokens=min_new, max_new_tokens=max_new)

    def _inputs(self, ids: list[list[int]]) -> tuple[Any, Any]:
        import torch

        width = max(len(x) for x in ids)
        input_ids = torch.full((len(ids), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(ids), width), dtype=torch.long)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = torch.tensor(row)
            mask[i, : len(row)] = 1
        return input_ids, mask

    def run(self, batches: Sequence[Batch], beam: int) -> int:
        import torch

        n = 0
        with torch.inference_mode():
            for b in batches:
                input_ids, mask = self._inputs(b.ids)
                out = self.model.generate(
                    input_ids=input_ids,
                    attention_mask=mask,
                    generation_config=self._gen(beam, b.target_len, b.target_len),
                )
                n += int((out[:, 1:] != self.pad_id).sum())
        return n

    def first_ids(self, ids: list[int], n: int) -> list[int]:
        import torch

        with torch.inference_mode():
            input_ids, mask = self._inputs([ids])
            out = self.model.generate(
                input_ids=input_ids, attention_mask=mask, generation_config=self._gen(1, n, n)
            )
        return [int(x) for x in out[0, 1:] if int(x) != self.pad_id]


def same_weights_check(ref: Reference, ct2: CT2Engine, torch_engine: TorchEngine, batch: Batch) -> dict:
    """Greedy-decode one sentence with both fp32 engines: identical weights give identical tokens.

    Both are forced to ``n`` tokens (no early end), so the comparison never runs empty.
    """
    n = 8
    ct2_tokens = ct2.first_tokens(batch.tokens[0], n)
    torch_tokens = [ref.vocab[i] for i in torch_engine.first_ids(batch.ids[0], n)]
    agree = 0
    for a, b in zip(ct2_tokens, torch_tokens, strict=False):
        if a != b:
            break
        agree += 1
    return {"greedy_tokens_compared": min(len(ct2_tokens), len(torch_tokens)), "identical_prefix": agree}
