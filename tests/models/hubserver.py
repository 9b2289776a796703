"""A local stand-in for the Hugging Face Hub, and tiny Marian checkpoints for it to serve.

The real ``huggingface_hub`` client talks to this server through ``HF_ENDPOINT`` (or an explicit
endpoint), so the app's actual download code is exercised without the internet. It answers the
routes the client uses: ``HEAD``/``GET /{repo}/resolve/{revision}/{file}`` (with ``X-Repo-Commit``,
``ETag``, ``X-Linked-Etag``/``X-Linked-Size`` for LFS files, ``Content-Length`` and ``Range``),
``/api/models/{repo}/revision/{revision}`` (``?blobs=true`` adds sizes and hashes), ``/api/models/
{repo}/tree/{revision}`` and ``/api/models/{repo}/refs``. Faults can be injected: drop the
connection part-way through a file, or serve a corrupted body under the original hashes.

Run ``python -m tests.models.hubserver`` to serve a tiny checkpoint under the catalog's repo ids
(prints the ``HF_ENDPOINT`` to use; Ctrl-C stops it).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import itertools
import json
import re
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import numpy as np

LFS_SUFFIXES = (".safetensors", ".bin", ".spm")


# ---------------------------------------------------------------- tiny Marian checkpoints


def make_tokenizer_files(folder: Path, source_pieces: int = 160, target_pieces: int = 160) -> list[str]:
    """source.spm, target.spm and vocab.json as an OPUS-MT repo holds them; returns the vocabulary.

    Marian's joint vocabulary (``</s>``, ``<unk>``, source pieces, new target pieces) with the
    ``<pad>`` entry Transformers appends last.
    """
    from models.testing import build_vocabulary, train_sentencepiece, training_dir

    folder.mkdir(parents=True, exist_ok=True)
    train_sentencepiece(training_dir() / "norsumm_nb.txt", source_pieces, folder / "source.spm")
    train_sentencepiece(training_dir() / "news_en.txt", target_pieces, folder / "target.spm")
    vocab, _ = build_vocabulary(folder / "source.spm", folder / "target.spm", None)
    vocab.append("<pad>")
    (folder / "vocab.json").write_text(
        json.dumps({tok: i for i, tok in enumerate(vocab)}, ensure_ascii=False, indent=1), "utf-8"
    )
    return vocab


def marian_config(
    vocab_size: int, d_model: int = 32, layers: int = 2, heads: int = 4, ffn: int = 64, act: str = "swish"
) -> dict[str, Any]:
    """A config.json shaped like the OPUS-MT ones on the Hub."""
    return {
        "model_type": "marian",
        "architectures": ["MarianMTModel"],
        "activation_function": act,
        "d_model": d_model,
        "encoder_layers": layers,
        "decoder_layers": layers,
        "encoder_attention_heads": heads,
        "decoder_attention_heads": heads,
        "encoder_ffn_dim": ffn,
        "decoder_ffn_dim": ffn,
        "vocab_size": vocab_size,
        "decoder_vocab_size": vocab_size,
        "pad_token_id": vocab_size - 1,
        "decoder_start_token_id": vocab_size - 1,
        "eos_token_id": 0,
        "max_position_embeddings": 128,
        "max_length": 64,
        "num_beams": 2,
        "scale_embedding": True,
        "share_encoder_decoder_embeddings": True,
        "tie_word_embeddings": True,
        "normalize_embedding": False,
        "static_position_embeddings": True,
        "dropout": 0.1,
        "attention_dropout": 0.0,
        "activation_dropout": 0.0,
    }


def marian_state_dict(config: dict[str, Any], seed: int = 0) -> dict[str, np.ndarray]:
    """Random Marian weights under Transformers' key names (tied embeddings stored once), the test
    models' own (``models.testing.random_state``), plus a random ``final_logits_bias``."""
    from models.testing import random_state

    state = random_state(config, seed)
    rng = np.random.default_rng([seed, 1])
    state["final_logits_bias"] = (0.5 * rng.standard_normal((1, config["vocab_size"]))).astype(np.float32)
    return state


def make_marian_checkpoint(folder: Path, seed: int = 0, act: str = "swish") -> dict[str, bytes]:
    """A tiny OPUS-MT-like repo (config, vocab, SentencePiece, model.safetensors); returns its files."""
    from safetensors.numpy import save_file

    vocab = make_tokenizer_files(folder)
    config = marian_config(len(vocab), act=act)
    (folder / "config.json").write_text(json.dumps(config, indent=2), "utf-8")
    save_file(marian_state_dict(config, seed), str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "README.md").write_text("# tiny test model\n", "utf-8")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ---------------------------------------------------------------- repos laid out like the real ones
#
# What ../shared/real-hub/README.md lists (read from the Hub's pages): the file set of each
# catalog repo at its pinned commit, which files are LFS, config values, the vocabulary layout
# and the weights' dtype. Layers stay small (d_model 32, 2+2 layers) so tests are fast; the
# vocabulary size and the special ids, the position count, dtypes and file names are the real
# ones. Values the README marks "not seen" are chosen and said so where they are set.

BIG_REPO = "Helsinki-NLP/opus-mt-tc-big-gmq-en"
BIG_COMMIT = (
    "b243b46fc9e1eaf068ae0d8ae896ac1acd7d2380"  # main, "Update checkpoint for transformers>=4.29 (#2)"
)
BASE_REPO = "Helsinki-NLP/opus-mt-gmq-en"
BASE_COMMIT = "47df9a033a509ae1bbe962bc62e273589ed9ac2f"  # main, "Adding generation config file(s)"
# refs/pr/3 of the base repo, SFconvertbot's "Adding `safetensors` variant of this model": the
# Hub's page shows only the short id c74afc0; the rest of this id is made up for the fixture.
BASE_PR3_COMMIT = "c74afc0" + hashlib.sha1(b"fixture refs/pr/3").hexdigest()[7:]

BIG_VOCAB_SIZE = 54_765
BIG_EOS_ID = 41_977
# Not seen: where <unk> sits in the real vocab.json. Put far from 0 as </s> is, so the converter's
# remap is exercised on it too.
BIG_UNK_ID = 49_811
# Not seen: the base repo's config.json. Its siblings (opus-mt-en-de, opus-mt-en-zh) have </s> 0,
# <unk> 1, <pad> = decoder start = vocab size - 1, 512 positions; 296 MB of fp32 fits ~57k entries.
BASE_VOCAB_SIZE = 57_000

SMALL = {"d_model": 32, "layers": 2, "heads": 4, "ffn": 64}


@dataclass
class RepoFiles:
    """One revision of a fixture repo: file bytes, which of them are LFS, the commit, the author."""

    commit: str
    files: dict[str, bytes]
    lfs: frozenset[str]
    author: str = "Helsinki-NLP"
    ref: str | None = None  # a pull request's ref (refs/pr/N), None for main


def real_layout_vocab(
    source_spm: Path, target_spm: Path, size: int, special_ids: dict[str, int]
) -> list[str]:
    """A joint vocabulary of ``size`` entries with ``<pad>`` last and the special tokens at
    ``special_ids``; the tokenizers' pieces are spread over the whole id range (a shortlist then
    has candidates on both sides of every special id, as with a real 55k vocabulary) and the
    remaining entries are filler pieces no tokenizer produces."""
    from models.testing import spm_pieces

    pieces = list(dict.fromkeys(p for p in spm_pieces(source_spm) + spm_pieces(target_spm)))
    pieces = [p for p in pieces if p not in special_ids and p != "<pad>"]
    free = size - 1 - len(special_ids)
    if len(pieces) > free:
        raise ValueError("vocabulary size too small for the tokenizers")
    step = free / len(pieces)
    slots: list[str | None] = [None] * free
    for k, piece in enumerate(pieces):
        slots[int(k * step)] = piece
    fill = (f"\u2581x{i}" for i in itertools.count())
    body = [p if p is not None else next(fill) for p in slots]
    vocab: list[str] = []
    specials = sorted(special_ids.items(), key=lambda kv: kv[1])
    it = iter(body)
    for i in range(size - 1):
        tok = next((t for t, sid in specials if sid == i), None)
        vocab.append(tok if tok is not None else next(it))
    vocab.append("<pad>")
    return vocab


def _gitattributes(*patterns: str) -> bytes:
    return "".join(f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in patterns).encode()


def _vocab_json(vocab: list[str]) -> bytes:
    return json.dumps({tok: i for i, tok in enumerate(vocab)}, ensure_ascii=False, indent=2).encode()


def _hf_json(data: dict[str, Any]) -> bytes:
    """What ``save_pretrained`` writes: sorted keys, 2-space indent, final newline."""
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


def big_config(vocab_size: int = BIG_VOCAB_SIZE, eos: int = BIG_EOS_ID, **small: int) -> dict[str, Any]:
    """opus-mt-tc-big-gmq-en's config.json as on main (keys as the tc-big configs of that commit
    series carry them), layer sizes from ``small``."""
    dims = {**SMALL, **small}
    pad = vocab_size - 1
    return {
        "activation_dropout": 0.0,
        "activation_function": "relu",
        "architectures": ["MarianMTModel"],
        "attention_dropout": 0.0,
        "bad_words_ids": [[pad]],
        "bos_token_id": 0,
        "classifier_dropout": 0.0,
        "d_model": dims["d_model"],
        "decoder_attention_heads": dims["heads"],
        "decoder_ffn_dim": dims["ffn"],
        "decoder_layerdrop": 0.0,
        "decoder_layers": dims["layers"],
        "decoder_start_token_id": pad,
        "decoder_vocab_size": vocab_size,
        "dropout": 0.1,
        "encoder_attention_heads": dims["heads"],
        "encoder_ffn_dim": dims["ffn"],
        "encoder_layerdrop": 0.0,
        "encoder_layers": dims["layers"],
        "eos_token_id": eos,
        "forced_eos_token_id": eos,
        "init_std": 0.02,
        "is_encoder_decoder": True,
        "max_length": 512,
        "max_position_embeddings": 1024,
        "model_type": "marian",
        "normalize_embedding": False,
        "num_beams": 4,
        "num_hidden_layers": dims["layers"],
        "pad_token_id": pad,
        "scale_embedding": True,
        "share_encoder_decoder_embeddings": True,
        "static_position_embeddings": True,
        "torch_dtype": "float16",
        "transformers_version": "4.34.0.dev0",
        "use_cache": True,
        "vocab_size": vocab_size,
    }


def base_config(vocab_size: int = BASE_VOCAB_SIZE, **small: int) -> dict[str, Any]:
    """Not seen on the Hub (see BASE_VOCAB_SIZE): the old-style config of the sibling OPUS-MT
    base models (opus-mt-en-de's 1.4 kB one), layer sizes from ``small``."""
    dims = {**SMALL, **small}
    pad = vocab_size - 1
    return {
        "_name_or_path": BASE_REPO,
        "_num_labels": 3,
        "activation_dropout": 0.0,
        "activation_function": "swish",
        "add_bias_logits": False,
        "add_final_layer_norm": False,
        "architectures": ["MarianMTModel"],
        "attention_dropout": 0.0,
        "bad_words_ids": [[pad]],
        "bos_token_id": 0,
        "classif_dropout": 0.0,
        "classifier_dropout": 0.0,
        "d_model": dims["d_model"],
        "decoder_attention_heads": dims["heads"],
        "decoder_ffn_dim": dims["ffn"],
        "decoder_layerdrop": 0.0,
        "decoder_layers": dims["layers"],
        "decoder_start_token_id": pad,
        "dropout": 0.1,
        "encoder_attention_heads": dims["heads"],
        "encoder_ffn_dim": dims["ffn"],
        "encoder_layerdrop": 0.0,
        "encoder_layers": dims["layers"],
        "eos_token_id": 0,
        "forced_eos_token_id": 0,
        "gradient_checkpointing": False,
        "id2label": {"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"},
        "init_std": 0.02,
        "is_encoder_decoder": True,
        "label2id": {"LABEL_0": 0, "LABEL_1": 1, "LABEL_2": 2},
        "max_length": 512,
        "max_position_embeddings": 512,
        "model_type": "marian",
        "normalize_before": False,
        "normalize_embedding": False,
        "num_beams": 4,
        "num_hidden_layers": dims["layers"],
        "pad_token_id": pad,
        "scale_embedding": True,
        "static_position_embeddings": True,
        "transformers_version": "4.22.0.dev0",
        "use_cache": True,
        "vocab_size": vocab_size,
    }


def generation_config(config: dict[str, Any], renormalize: bool) -> bytes:
    """generation_config.json as the Hub's "Adding generation config file(s)" commits wrote it
    (tc-big main's comes from the transformers>=4.29 update and adds renormalize_logits)."""
    pad, eos = config["pad_token_id"], config["eos_token_id"]
    data: dict[str, Any] = {
        "bad_words_ids": [[pad]],
        "bos_token_id": 0,
        "decoder_start_token_id": pad,
        "eos_token_id": eos,
        "forced_eos_token_id": eos,
        "max_length": 512,
        "num_beams": 4,
        "pad_token_id": pad,
    }
    if renormalize:
        data |= {"renormalize_logits": True, "transformers_version": "4.34.0.dev0"}
    else:
        data = {"_from_model_config": True, **data, "transformers_version": "4.27.0.dev0"}
    return _hf_json(data)


def real_state_dict(
    config: dict[str, Any], seed: int, eos_id: int, eos_bias: float, positions: bool
) -> dict[str, np.ndarray]:
    """Random Marian weights under Transformers' names, tied embeddings stored once, the <pad>
    row zero. ``final_logits_bias`` favours </s> by ``eos_bias``, so a correct engine ends every
    sentence after a token or two (random weights alone rarely emit </s>). ``positions``: the
    sinusoidal tables are stored too (old .bin files hold them; tc-big's safetensors do not)."""
    from models.store.convert import sinusoidal_positions

    state = marian_state_dict(config, seed)
    bias = np.zeros((1, config["vocab_size"]), dtype=np.float32)
    bias[0, eos_id] = eos_bias
    bias[0, config["vocab_size"] - 1] = -100.0  # <pad>: never produced
    state["final_logits_bias"] = bias
    if positions:
        table = sinusoidal_positions(config["max_position_embeddings"], config["d_model"])
        state["model.encoder.embed_positions.weight"] = table
        state["model.decoder.embed_positions.weight"] = table.copy()
    return state


def _torch_bin(state: dict[str, np.ndarray], dtype: str) -> bytes:
    """``torch.save(state_dict)`` bytes (test-only: torch builds the fixture, never the app)."""
    import torch

    buf = io.BytesIO()
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v.astype(dtype))) for k, v in state.items()}
    torch.save(tensors, buf)
    return buf.getvalue()


def _tokenizers(folder: Path) -> tuple[Path, Path]:
    from models.testing import train_sentencepiece, training_dir

    folder.mkdir(parents=True, exist_ok=True)
    train_sentencepiece(training_dir() / "norsumm_nb.txt", 400, folder / "source.spm")
    train_sentencepiece(training_dir() / "news_en.txt", 300, folder / "target.spm")
    return folder / "source.spm", folder / "target.spm"


def big_repo(work: Path, seed: int = 0, eos_bias: float = 100.0, **layout: int) -> RepoFiles:
    """Helsinki-NLP/opus-mt-tc-big-gmq-en at main: fp16 model.safetensors, LFS .spm files,
    tokenizer_config/special_tokens_map/generation_config, tf_model.h5 and pytorch_model.bin
    present (never needed). ``layout`` may move the special ids (eos_id, unk_id) or the size."""
    from safetensors.numpy import save_file

    size = layout.get("vocab_size", BIG_VOCAB_SIZE)
    eos_id = layout.get("eos_id", BIG_EOS_ID)
    unk_id = layout.get("unk_id", BIG_UNK_ID)
    src_spm, tgt_spm = _tokenizers(work)
    vocab = real_layout_vocab(src_spm, tgt_spm, size, {"</s>": eos_id, "<unk>": unk_id})
    config = big_config(size, eos_id)
    state = real_state_dict(config, seed, eos_id, eos_bias, positions=False)
    fp16 = {k: v.astype(np.float16) for k, v in state.items()}
    save_file(fp16, str(work / "model.safetensors"), metadata={"format": "pt"})
    tokenizer_config = (
        '{"source_lang": "gmq", "target_lang": "en", "unk_token": "<unk>", "eos_token": "</s>", '
        '"pad_token": "<pad>", "model_max_length": 512, "sp_model_kwargs": {}, "separate_vocabs": false, '
        '"special_tokens_map_file": null, "name_or_path": '
        '"marian-models/opusTCv20210807+bt_transformer-big_2022-03-09/gmq-en", '
        '"tokenizer_class": "MarianTokenizer"}'
    )
    files = {
        ".gitattributes": _gitattributes("*.bin", "*.h5", "*.safetensors", "*.spm", "*.zip"),
        "README.md": b"---\nlicense: cc-by-4.0\n---\n# opus-mt-tc-big-gmq-en (test fixture)\n",
        "benchmark_results.txt": b"flores200-devtest\tnob-eng\t44.2\n",
        "benchmark_translations.zip": b"PK\x05\x06" + bytes(18),
        "config.json": _hf_json(config),
        "generation_config.json": generation_config(config, renormalize=True),
        "model.safetensors": (work / "model.safetensors").read_bytes(),
        "pytorch_model.bin": b"never fetched: model.safetensors is on main" * 4,
        "tf_model.h5": b"\x89HDF\r\n\x1a\n" + bytes(64),
        "source.spm": src_spm.read_bytes(),
        "target.spm": tgt_spm.read_bytes(),
        "special_tokens_map.json": b'{"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}',
        "tokenizer_config.json": tokenizer_config.encode(),
        "vocab.json": _vocab_json(vocab),
    }
    lfs = frozenset(
        {"benchmark_translations.zip", "model.safetensors", "pytorch_model.bin", "tf_model.h5"}
        | {"source.spm", "target.spm"}
    )
    return RepoFiles(BIG_COMMIT, files, lfs)


def base_repo(work: Path, seed: int = 0, eos_bias: float = 100.0) -> tuple[RepoFiles, RepoFiles]:
    """Helsinki-NLP/opus-mt-gmq-en at main (fp32 pytorch_model.bin, .spm as plain git files, no
    safetensors) and its refs/pr/3 (the same plus SFconvertbot's model.safetensors)."""
    from safetensors.numpy import save_file

    src_spm, tgt_spm = _tokenizers(work)
    vocab = real_layout_vocab(src_spm, tgt_spm, BASE_VOCAB_SIZE, {"</s>": 0, "<unk>": 1})
    config = base_config(BASE_VOCAB_SIZE)
    state = real_state_dict(config, seed, 0, eos_bias, positions=True)
    save_file(
        {k: v for k, v in state.items() if "embed_positions" not in k},
        str(work / "model.safetensors"),
        metadata={"format": "pt"},
    )
    files = {
        ".gitattributes": _gitattributes("*.bin", "*.h5"),
        "README.md": b"# opus-mt-gmq-en (test fixture)\n",
        "config.json": _hf_json(config),
        "generation_config.json": generation_config(config, renormalize=False),
        "metadata.json": b'{"hf_name": "gmq-eng", "source_languages": "gmq", "target_languages": "eng"}\n',
        "pytorch_model.bin": _torch_bin(state, "float32"),
        "tf_model.h5": b"\x89HDF\r\n\x1a\n" + bytes(64),
        "source.spm": src_spm.read_bytes(),
        "target.spm": tgt_spm.read_bytes(),
        "tokenizer_config.json": b'{"target_lang": "eng", "source_lang": "gmq"}',
        "vocab.json": _vocab_json(vocab),
    }
    main = RepoFiles(BASE_COMMIT, files, frozenset({"pytorch_model.bin", "tf_model.h5"}))
    pr_files = {
        **files,
        ".gitattributes": _gitattributes("*.bin", "*.h5", "*.safetensors"),
        "model.safetensors": (work / "model.safetensors").read_bytes(),
    }
    pr = RepoFiles(
        BASE_PR3_COMMIT, pr_files, main.lfs | {"model.safetensors"}, author="SFconvertbot", ref="refs/pr/3"
    )
    return main, pr


# ---------------------------------------------------------------- the server


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Revision:
    commit: str
    files: dict[str, bytes]
    lfs: frozenset[str] = frozenset()
    author: str = "Helsinki-NLP"
    ref: str | None = None

    def is_lfs(self, name: str) -> bool:
        return name in self.lfs


@dataclass
class Repo:
    main: Revision
    pull_requests: list[Revision] = field(default_factory=list)
    xet: bool = False  # large files answered with the Hub's Xet headers (see FakeHub)

    def revision(self, rev: str) -> Revision | None:
        if rev in ("main", "refs/heads/main", self.main.commit):
            return self.main
        for n, pr in enumerate(self.pull_requests, start=1):
            if rev in (pr.ref or f"refs/pr/{n}", pr.commit):
                return pr
        return None


def make_commit(files: dict[str, bytes], salt: str = "") -> str:
    h = hashlib.sha1(salt.encode())
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


@dataclass
class Request:
    method: str
    path: str
    range: str | None
    sent: int
    host: str = "hub"  # "hub" or "cdn"
    gzip: bool = False


# Text files the Hub's CDN compresses when the client accepts it (never LFS files, never a Range).
GZIP_SUFFIXES = (".json", ".md", ".txt")


class FakeHub:
    """A threaded loopback HTTP server playing the Hub, plus a second one playing its CDN.

    Like the real Hub: ``/resolve`` answers an LFS file with a 302 to another host (here
    127.0.0.2, the CDN; the commit, ETag = SHA-256, X-Linked-Size on the redirect), small text
    files come gzip-compressed and chunked when the client accepts gzip and asks no Range, and a
    repo marked ``xet`` adds the headers with which huggingface_hub's ``hf_hub_download`` switches
    to hf-xet (``X-Xet-Hash``, ``Link: <...>; rel="xet-auth"``). Its Xet token route only records
    the call and refuses: Nordbrief must download through plain HTTP either way (the CDN serves
    the bytes of a Xet-backed file with Range, as the Hub's Xet bridge does). Use as a context
    manager so both threads always stop.
    """

    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.requests: list[Request] = []
        self.drop_after: dict[str, int] = {}  # file -> bytes to send before dropping, once
        self.corrupt: set[str] = set()  # files served with a flipped byte under the true hashes
        self.extra_bytes: dict[str, int] = {}  # file -> junk appended past its listed size
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._cdn: ThreadingHTTPServer | None = None
        self._connections: set[Any] = set()
        self._threads: list[threading.Thread] = []
        self._blobs: dict[str, tuple[str, bytes]] = {}  # sha256 -> (file name, bytes)

    # -- content
    def add_repo(
        self,
        repo_id: str,
        files: dict[str, bytes],
        pr_files: dict[str, bytes] | None = None,
        *,
        commit: str | None = None,
        lfs: frozenset[str] | None = None,
        xet: bool = False,
    ) -> None:
        """A repo from plain file dicts (LFS by suffix unless ``lfs`` names them)."""

        def names(fs: dict[str, bytes]) -> frozenset[str]:
            return lfs if lfs is not None else frozenset(n for n in fs if n.endswith(LFS_SUFFIXES))

        main = Revision(commit or make_commit(files, repo_id), dict(files), names(files))
        prs = (
            [Revision(make_commit(pr_files, repo_id + "pr1"), dict(pr_files), names(pr_files))]
            if pr_files
            else []
        )
        self.repos[repo_id] = Repo(main, prs, xet)

    def add_fixture(
        self, repo_id: str, main: RepoFiles, prs: tuple[RepoFiles, ...] = (), xet: bool = False
    ) -> None:
        """A repo laid out like the real one (``big_repo``/``base_repo``)."""
        rev = [Revision(r.commit, dict(r.files), r.lfs, r.author, r.ref) for r in (main, *prs)]
        self.repos[repo_id] = Repo(rev[0], rev[1:], xet)

    # -- lifecycle
    @property
    def endpoint(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def cdn_endpoint(self) -> str:
        assert self._cdn is not None
        host, port = self._cdn.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            fake = hub

        class CdnHandler(_CdnHandler):
            fake = hub

        self._server = _Server(("127.0.0.1", 0), Handler)
        try:  # the whole of 127/8 is loopback on Linux; elsewhere 127.0.0.2 may not exist
            self._cdn = _Server(("127.0.0.2", 0), CdnHandler)
        except OSError:
            self._cdn = _Server(("127.0.0.1", 0), CdnHandler)
        for name, server in (("fake-hub", self._server), ("fake-hub-cdn", self._cdn)):
            server.daemon_threads = True
            thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in (self._server, self._cdn):
            if server is not None:
                server.shutdown()
        # Keep-alive connections park their handler threads in a read: close them.
        with self._lock:
            conns = list(self._connections)
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for server in (self._server, self._cdn):
            if server is not None:
                server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, req: Request) -> None:
        with self._lock:
            self.requests.append(req)

    def bytes_served(self, filename: str) -> int:
        return sum(r.sent for r in self.requests if r.method == "GET" and r.path.endswith("/" + filename))

    def gets(self, filename: str) -> list[Request]:
        """GETs that transferred ``filename``'s bytes (the CDN's for LFS files)."""
        return [r for r in self.requests if r.method == "GET" and r.path.endswith("/" + filename) and r.sent]

    def _blob_url(self, name: str, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._blobs[digest] = (name, data)
        return f"{self.cdn_endpoint}/repos/{digest[:2]}/{digest}/{name}"


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (cancel, dropped connection tests) are expected, not errors."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_API = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/(?P<kind>revision|tree|refs)(?:/(?P<rev>[^/]+))?/?$")
_XET_TOKEN = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/xet-read-token/")
_BLOB = re.compile(r"^/repos/[0-9a-f]{2}/(?P<sha>[0-9a-f]{64})/(?P<file>[^/]+)$")


class _BaseHandler(BaseHTTPRequestHandler):
    fake: FakeHub
    protocol_version = "HTTP/1.1"
    host_label = "hub"

    timeout = 10  # a stray keep-alive connection cannot hold a thread for long

    def setup(self) -> None:
        super().setup()
        with self.fake._lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.fake._lock:
            self.fake._connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        raise NotImplementedError

    def _record(self, sent: int, rng: str | None = None, gz: bool = False) -> None:
        self.fake.record(
            Request(self.command, unquote(urlsplit(self.path).path), rng, sent, self.host_label, gz)
        )

    def _error(self, status: int, code: str) -> None:
        body = json.dumps({"error": code}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self._record(0)

    def _bytes(self, name: str, data: bytes, head: bool, headers: dict[str, str], allow_gzip: bool) -> None:
        """Send ``data`` (a file's bytes) honouring Range, faults and, where allowed, gzip."""
        fake = self.fake
        if name in fake.corrupt:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        if name in fake.extra_bytes:
            data = data + b"\0" * fake.extra_bytes[name]
        rng = self.headers.get("Range")
        start = 0
        if rng and not head:
            mr = re.match(r"bytes=(\d+)-(\d*)$", rng)
            if mr:
                start = int(mr.group(1))
        accepts = "gzip" in (self.headers.get("Accept-Encoding") or "")
        use_gzip = allow_gzip and accepts and not rng
        body = gzip.compress(data, mtime=0) if use_gzip else data[start:]
        self.send_response(206 if start else 200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Accept-Ranges", "bytes")
        if use_gzip:  # as the Hub's CDN sends text files: compressed, chunked, no length
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if head:
            self._record(0)
            return
        limit = None
        with fake._lock:
            if name in fake.drop_after:
                limit = fake.drop_after.pop(name)
        if limit is not None:
            self.wfile.write(body[:limit])
            self.wfile.flush()
            self._record(min(limit, len(body)), rng)
            self.close_connection = True
            return
        if use_gzip:
            for i in range(0, len(body), 4096):
                chunk = body[i : i + 4096]
                self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)
        self._record(len(body), rng, use_gzip)


class _Handler(_BaseHandler):
    def _json(self, data: Any, status: int = 200) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self._record(len(body))

    def _serve(self, head: bool) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        if _XET_TOKEN.match(path):  # what hf-xet would call first; Nordbrief never should
            return self._error(501, "XetNotServedHere")
        m = _API.match(url.path)
        if m:
            return self._api(m.group("repo"), m.group("kind"), unquote(m.group("rev") or ""), url.query)
        m = _RESOLVE.match(url.path)
        if not m:
            return self._error(404, "EntryNotFound")
        repo = self.fake.repos.get(unquote(m.group("repo")))
        if repo is None:
            return self._error(404, "RepoNotFound")
        rev = repo.revision(unquote(m.group("rev")))
        if rev is None:
            return self._error(404, "RevisionNotFound")
        name = unquote(m.group("file"))
        if name not in rev.files:
            return self._error(404, "EntryNotFound")
        data = rev.files[name]
        headers = {"X-Repo-Commit": rev.commit}
        if not rev.is_lfs(name):
            headers["ETag"] = f'"{git_blob_sha1(data)}"'
            return self._bytes(name, data, head, headers, allow_gzip=name.endswith(GZIP_SUFFIXES))
        sha = hashlib.sha256(data).hexdigest()
        location = self.fake._blob_url(name, data)
        self.send_response(302)
        self.send_header("X-Repo-Commit", rev.commit)
        self.send_header("ETag", f'"{sha}"')
        self.send_header("X-Linked-Etag", f'"{sha}"')
        self.send_header("X-Linked-Size", str(len(data)))
        self.send_header("Location", location)
        if repo.xet:
            token = f"{self.fake.endpoint}/api/models/{m.group('repo')}/xet-read-token/{rev.commit}"
            self.send_header("X-Xet-Hash", hashlib.sha256(b"xet" + data).hexdigest())
            self.send_header("X-Xet-Refresh-Route", token)
            self.send_header("Link", f'<{token}>; rel="xet-auth"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        self._record(0)

    def _api(self, repo_id: str, kind: str, rev_name: str, query: str) -> None:
        repo = self.fake.repos.get(repo_id)
        if repo is None:
            return self._error(404, "RepoNotFound")
        if kind == "refs":
            ref = {"name": "main", "ref": "refs/heads/main", "targetCommit": repo.main.commit}
            prs = [
                {"name": pr.ref or f"refs/pr/{n}", "ref": pr.ref or f"refs/pr/{n}", "targetCommit": pr.commit}
                for n, pr in enumerate(repo.pull_requests, start=1)
            ]
            data: dict[str, Any] = {"branches": [ref], "converts": [], "tags": []}
            if "include_prs" in query:
                data["pullRequests"] = prs
            return self._json(data)
        rev = repo.revision(rev_name)
        if rev is None:
            return self._error(404, "RevisionNotFound")

        def entry(name: str, data: bytes) -> dict[str, Any]:
            item: dict[str, Any] = {"size": len(data), "blobId": git_blob_sha1(data)}
            if rev.is_lfs(name):
                item["lfs"] = {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "pointerSize": 130,
                }
            return item

        if kind == "tree":
            return self._json(
                [
                    {"type": "file", "path": n, "oid": git_blob_sha1(d), "size": len(d)}
                    | (
                        {"lfs": {"oid": entry(n, d)["lfs"]["sha256"], "size": len(d), "pointerSize": 130}}
                        if rev.is_lfs(n)
                        else {}
                    )
                    for n, d in sorted(rev.files.items())
                ]
            )
        blobs = "blobs=" in query
        siblings = [{"rfilename": n} | (entry(n, d) if blobs else {}) for n, d in sorted(rev.files.items())]
        return self._json({"id": repo_id, "modelId": repo_id, "sha": rev.commit, "siblings": siblings})


class _CdnHandler(_BaseHandler):
    """The CDN host an LFS redirect points to: bytes by SHA-256, with Range."""

    host_label = "cdn"

    def _serve(self, head: bool) -> None:
        m = _BLOB.match(urlsplit(self.path).path)
        blob = self.fake._blobs.get(m.group("sha")) if m else None
        if blob is None:
            return self._error(404, "NoSuchKey")
        name, data = blob
        headers = {"ETag": f'"{m.group("sha")}"', "Content-Type": "application/octet-stream"}  # type: ignore[union-attr]
        self._bytes(name, data, head, headers, allow_gzip=False)


def main() -> None:
    """Serve checkpoints laid out like the catalog's real repos until interrupted."""
    import time

    with tempfile.TemporaryDirectory() as tmp:
        hub = FakeHub()
        hub.add_fixture(BIG_REPO, big_repo(Path(tmp) / "big"))
        base_main, base_pr = base_repo(Path(tmp) / "base")
        hub.add_fixture(BASE_REPO, base_main, (base_pr,))
        with hub:
            print(f"fake Hub serving {', '.join(hub.repos)}; use HF_ENDPOINT={hub.endpoint}", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass


if __name__ == "__main__":
    main()
