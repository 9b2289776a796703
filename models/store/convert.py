"""Marian (Hugging Face ``MarianMTModel`` checkpoint) -> CTranslate2 model, without torch.

``build_spec`` reads the checkpoint with numpy and fills CTranslate2's ``TransformerSpec``;
``convert_marian`` runs it through CTranslate2's own converter protocol
(``models.store.converter``: validate, quantize, save) and adds the tokenizers and the output
shortlist.

The mapping follows what CTranslate2's ``TransformersConverter`` does for ``MarianConfig``, so the
result translates identically (``tests/models/test_convert_equivalence.py`` proves it):
post-norm Transformer, no embedding layer norm, embeddings scaled by sqrt(d_model) (when
``scale_embedding``), Marian's sinusoidal position table (sin half then cos half), fused
self-attention QKV, one embedding matrix shared by encoder, decoder and output projection,
``final_logits_bias`` as the projection bias when it is not all zero, the decoder starting from a
zero embedding, and the ``<pad>`` row Transformers appends dropped from vocabulary and weights.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from models.errors import Cancelled, ModelError
from models.store.checkpoint import read_weights
from models.store.vocabulary import special_first_order, write_vocabulary_map
from models.translation.shortlist import SPECIAL_TOKENS

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
TOKENIZER_FILES = ("source.spm", "target.spm")


def _activation(name: str) -> Any:
    from ctranslate2.specs import common_spec

    table = {
        "relu": common_spec.Activation.RELU,
        "swish": common_spec.Activation.SWISH,
        "silu": common_spec.Activation.SWISH,
        "gelu": common_spec.Activation.GELU,
        "gelu_new": common_spec.Activation.GELUTanh,
    }
    if not isinstance(name, str) or name not in table:
        raise ModelError(f"unsupported Marian activation {str(name)[:40]!r}")
    return table[name]


def sinusoidal_positions(n_pos: int, dim: int) -> np.ndarray:
    """Marian's position table: sin of even angle columns first, cos of odd ones after.

    The per-column divisor is computed with scalar ``np.power`` exactly as Transformers does, so
    the float32 table matches its bit for bit.
    """
    div = np.array([np.power(10000, 2 * (j // 2) / dim) for j in range(dim)], dtype=np.float64)
    angles = np.arange(n_pos, dtype=np.float64)[:, None] / div[None, :]
    sentinel = dim // 2 if dim % 2 == 0 else dim // 2 + 1
    out = np.empty((n_pos, dim), dtype=np.float32)
    out[:, :sentinel] = np.sin(angles[:, 0::2]).astype(np.float32)
    out[:, sentinel:] = np.cos(angles[:, 1::2]).astype(np.float32)
    return out


def find_weights(src: Path) -> Path:
    for name in WEIGHT_FILES:
        if (src / name).is_file():
            return src / name
    raise ModelError(f"{src}: no model.safetensors or pytorch_model.bin")


# What a Marian translation model can sensibly have. OPUS-MT's are far inside (tc-big: 1,024
# positions, 54,765 tokens, d_model 1,024, 6 + 6 layers); a config beyond these is refused before
# anything is allocated for it, however few bytes claimed it.
MAX_POSITIONS = 4096
MAX_VOCABULARY = 500_000
MAX_D_MODEL = 8192
MAX_LAYERS = 64
MAX_FFN_DIM = 65_536
MAX_HEADS = 256
# config.json, vocab.json and tokenizer_config.json of a real model are kilobytes to a few MB.
MAX_JSON_BYTES = 64 << 20


def read_json_file(path: Path, what: str) -> Any:
    """A small JSON file of a checkpoint, as one line naming the file when it cannot be read."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ModelError(f"{path}: {what} is not a regular file")
        if size > MAX_JSON_BYTES:
            raise ModelError(f"{path}: {what} is {size:,} bytes, far larger than any model's")
        with path.open("rb") as fh:
            raw = fh.read(MAX_JSON_BYTES + 1)
        return json.loads(raw.decode("utf-8"))
    except ModelError:
        raise
    except RecursionError:
        raise ModelError(f"{path}: {what} is nested too deeply; not a model file") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ModelError(f"{path}: cannot read {what} ({reason})") from None


def config_int(config: dict[str, Any], key: str, default: int | None, low: int, high: int) -> int:
    """``config[key]`` as an int within [low, high], or one line saying what is wrong."""
    value = config.get(key, default)
    if value is None:
        raise ModelError(f"config.json has no {key}; download the checkpoint again")
    if type(value) is not int:
        raise ModelError(f"config.json: {key} is {type(value).__name__}, not a whole number")
    if not low <= value <= high:
        raise ModelError(
            f"config.json: {key} is {value:,}; Nordbrief accepts {low:,} to {high:,} "
            "(no Marian translation model needs more)"
        )
    return value


def _vocabulary(src: Path, vocab_size: int) -> list[str]:
    vocab = read_json_file(src / "vocab.json", "vocab.json")
    if not isinstance(vocab, dict):
        raise ModelError(f"{src}: vocab.json is not a token -> id mapping")
    if len(vocab) > MAX_VOCABULARY + 1:
        raise ModelError(
            f"{src}: vocab.json has {len(vocab):,} tokens; at most {MAX_VOCABULARY:,} are accepted"
        )
    bad = next((k for k, v in vocab.items() if type(v) is not int or v < 0), None)
    if bad is not None:
        raise ModelError(f"{src}: vocab.json maps a token to {type(vocab[bad]).__name__}, not an id")
    if len(set(vocab.values())) != len(vocab):
        raise ModelError(f"{src}: vocab.json gives two tokens the same id")
    tokens = [tok for tok, _ in sorted(vocab.items(), key=lambda item: item[1])]
    return tokens[:vocab_size]


def _special_tokens(src: Path) -> tuple[str, str]:
    """(eos, unk) as the tokenizer declares them; MarianTokenizer's defaults otherwise."""
    eos, unk = "</s>", "<unk>"
    path = src / "tokenizer_config.json"
    if path.is_file():
        try:
            cfg = read_json_file(path, "tokenizer_config.json")
        except ModelError:
            cfg = {}
        if not isinstance(cfg, dict):
            cfg = {}

        def token(value: Any, default: str) -> str:
            if isinstance(value, dict):
                value = value.get("content")
            return value if isinstance(value, str) else default

        eos = token(cfg.get("eos_token"), eos)
        unk = token(cfg.get("unk_token"), unk)
    return eos, unk


def model_dims(src: Path, config: Any) -> dict[str, int]:
    """The sizes ``config.json`` declares, each checked to be a whole number in its sane range
    (one line naming the key otherwise), before anything is allocated for them."""
    if not isinstance(config, dict):
        raise ModelError(f"{src}: config.json is not a JSON object; download the checkpoint again")
    architectures = config.get("architectures") or ["MarianMTModel"]
    if (
        config.get("model_type") != "marian"
        or not isinstance(architectures, list)
        or "MarianMTModel" not in architectures
    ):
        raise ModelError(
            f"{src}: not a Marian translation model (model_type {str(config.get('model_type'))[:40]!r}, "
            f"architectures {str(architectures)[:80]}); Nordbrief converts OPUS-MT MarianMTModel checkpoints"
        )
    try:
        d = config_int(config, "d_model", None, 1, MAX_D_MODEL)
        dims = {
            "d_model": d,
            "encoder_layers": config_int(config, "encoder_layers", None, 1, MAX_LAYERS),
            "decoder_layers": config_int(config, "decoder_layers", None, 1, MAX_LAYERS),
            "heads": config_int(config, "encoder_attention_heads", None, 1, MAX_HEADS),
            "vocab_size": config_int(config, "vocab_size", None, 2, MAX_VOCABULARY + 1),
            "positions": config_int(config, "max_position_embeddings", 512, 1, MAX_POSITIONS),
            "encoder_ffn_dim": config_int(config, "encoder_ffn_dim", 4 * d, 1, MAX_FFN_DIM),
            "decoder_ffn_dim": config_int(config, "decoder_ffn_dim", 4 * d, 1, MAX_FFN_DIM),
        }
        dims["decoder_heads"] = config_int(config, "decoder_attention_heads", dims["heads"], 1, MAX_HEADS)
    except ModelError as exc:
        raise ModelError(f"{src}: {exc.message}") from None
    if d % dims["heads"]:
        raise ModelError(f"{src}: config.json: d_model {d} is not a multiple of the {dims['heads']} heads")
    return dims


def _expected_shapes(dims: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """Every weight a MarianMTModel of ``dims`` has (Transformers' names, ``model.`` dropped)."""
    d, v = dims["d_model"], dims["vocab_size"]
    out: dict[str, tuple[int, ...]] = {}

    def attention(prefix: str) -> None:
        for n in ("q", "k", "v", "out"):
            out[f"{prefix}.{n}_proj.weight"] = (d, d)
            out[f"{prefix}.{n}_proj.bias"] = (d,)

    def norm(prefix: str) -> None:
        out[f"{prefix}.weight"] = (d,)
        out[f"{prefix}.bias"] = (d,)

    for stack in ("encoder", "decoder"):
        ffn = dims[f"{stack}_ffn_dim"]
        for i in range(dims[f"{stack}_layers"]):
            p = f"{stack}.layers.{i}"
            attention(p + ".self_attn")
            norm(p + ".self_attn_layer_norm")
            if stack == "decoder":
                attention(p + ".encoder_attn")
                norm(p + ".encoder_attn_layer_norm")
            out[p + ".fc1.weight"], out[p + ".fc1.bias"] = (ffn, d), (ffn,)
            out[p + ".fc2.weight"], out[p + ".fc2.bias"] = (d, ffn), (d,)
            norm(p + ".final_layer_norm")
    for key in (
        "shared.weight",
        "encoder.embed_tokens.weight",
        "decoder.embed_tokens.weight",
        "lm_head.weight",
    ):
        out[key] = (v, d)
    return out


_FIX = "the checkpoint's files do not belong together; download it again"


def _shape_check(src: Path, dims: dict[str, int]) -> Callable[[str, tuple[int, ...]], bool]:
    """The reader's ``accept``: every tensor's shape against config.json *before* it is read.

    A weight the model has must have exactly the shape the config implies (else one line naming
    it); a stored position table is read only when it has the config's size (otherwise the
    computed one is used, as Transformers does); anything else in the file is never read."""
    expected = _expected_shapes(dims)
    d, v, n_pos = dims["d_model"], dims["vocab_size"], dims["positions"]

    def accept(key: str, shape: tuple[int, ...]) -> bool:
        name = key.removeprefix("model.")
        want = expected.get(name)
        if want is not None:
            if shape != want:
                raise ModelError(
                    f"{src}: weight {name} has shape {shape}, config.json implies {want}; {_FIX}"
                )
            return True
        if name in ("encoder.embed_positions.weight", "decoder.embed_positions.weight"):
            return shape == (n_pos, d)
        if name == "final_logits_bias":
            if shape not in ((1, v), (v,)):
                size = math.prod(shape)
                raise ModelError(f"{src}: final_logits_bias has {size} entries, config.json says {v}; {_FIX}")
            return True
        for stack in ("encoder", "decoder"):
            layers = dims[f"{stack}_layers"]
            if name.startswith(f"{stack}.layers."):
                index = name[len(f"{stack}.layers.") :].partition(".")[0]
                if not index.isdigit() or int(index) >= layers:
                    raise ModelError(
                        f"{src}: the weights have more {stack} layers than config.json's {layers}; {_FIX}"
                    )
        return False

    return accept


def _check_weights(src: Path, dims: dict[str, int], state: dict[str, np.ndarray]) -> None:
    """Float dtypes of what was read (its shapes were checked before reading), so a checkpoint
    whose files do not belong together fails with one line naming the tensor."""
    for key in _expected_shapes(dims):
        value = state.get(key)
        if value is not None and value.dtype not in (np.float32, np.float16):
            raise ModelError(
                f"{src}: weight {key} is {value.dtype}; "
                "Nordbrief converts float16, bfloat16 or float32 checkpoints"
            )


def build_spec(
    src: Path,
    cancel: Callable[[], bool] | None = None,
    *,
    special_first: bool = True,
    keep_half: bool = False,
) -> Any:
    """A ``TransformerSpec`` filled from a Marian checkpoint folder (config, vocab, weights).

    ``special_first=False`` keeps the checkpoint's own token order, as converters before the
    special-token remap did (only test models use it, to stand for such an install).
    ``keep_half``: a float16 checkpoint's weight matrices stay float16 in the spec, for a
    quantizing conversion: CTranslate2's ``optimize`` widens each one to float32 just before it
    quantizes it (``ctranslate2/specs/model_spec.py``, ``_quantize``), so the result is the same
    bytes while peak memory drops by a float32 copy of the model. Everything that is not
    quantized (biases, norms, positions) is float32 as before."""
    from ctranslate2.specs import transformer_spec

    config = read_json_file(src / "config.json", "config.json")
    dims = model_dims(src, config)
    if not config.get("share_encoder_decoder_embeddings", True):
        raise ModelError(f"{src}: separate source/target vocabularies are not supported")
    heads = dims["heads"]
    if dims["decoder_heads"] != heads:
        raise ModelError(f"{src}: encoder and decoder head counts differ; not supported")
    d_model = dims["d_model"]
    n_enc, n_dec = dims["encoder_layers"], dims["decoder_layers"]
    n_pos = dims["positions"]
    vocab_size = dims["vocab_size"]

    def check_cancel() -> None:
        if cancel is not None and cancel():
            raise Cancelled()

    state = read_weights(find_weights(src), _shape_check(src, dims), keep_half=keep_half)
    check_cancel()
    state = {k.removeprefix("model."): v for k, v in state.items()}
    _check_weights(src, dims, state)

    def get(key: str) -> np.ndarray:
        try:
            return state[key]
        except KeyError:
            raise ModelError(f"{src}: checkpoint lacks weight {key!r}") from None

    shared = next(
        (state[k] for k in ("shared.weight", "encoder.embed_tokens.weight") if k in state),
        None,
    )
    if shared is None:
        raise ModelError(f"{src}: checkpoint has no token embeddings")
    lm_head = shared if config.get("tie_word_embeddings", True) else state.get("lm_head.weight")
    if lm_head is None:
        raise ModelError(f"{src}: checkpoint lacks lm_head.weight")

    tokens = _vocabulary(src, vocab_size)
    if tokens and tokens[-1] == "<pad>":
        tokens.pop()
    if len(tokens) != shared.shape[0] - 1:
        raise ModelError(
            f"{src}: vocab.json has {len(tokens)} tokens but the weights have {shared.shape[0] - 1} rows; "
            "the checkpoint's files do not belong together, download it again"
        )
    eos, unk = _special_tokens(src)
    for tok in (eos, unk):
        if tok not in tokens:
            raise ModelError(
                f"{src}: vocab.json lacks the special token {tok!r}; download the checkpoint again"
            )

    spec = transformer_spec.TransformerSpec.from_config(
        (n_enc, n_dec),
        heads,
        pre_norm=False,
        activation=_activation(config.get("activation_function", "swish")),
        layernorm_embedding=False,
    )
    scale = math.sqrt(d_model) if config.get("scale_embedding", False) else 1.0
    computed = sinusoidal_positions(n_pos, d_model)

    def f32(value: np.ndarray) -> np.ndarray:
        return value if value.dtype == np.float32 else value.astype(np.float32)

    def positions(key: str) -> np.ndarray:
        # Transformers keeps a table stored in the checkpoint (old .bin files hold one, fp16
        # ones rounded), so the same table must be used to translate the same.
        stored = state.get(key)
        return f32(stored) if stored is not None and stored.shape == computed.shape else computed

    def linear(layer: Any, prefix: str) -> None:
        layer.weight = get(prefix + ".weight")
        if prefix + ".bias" in state:
            layer.bias = f32(get(prefix + ".bias"))

    def fused(layer: Any, prefixes: list[str]) -> None:
        layer.weight = np.concatenate([get(p + ".weight") for p in prefixes])
        layer.bias = np.concatenate(
            [f32(state.get(p + ".bias", np.zeros(get(p + ".weight").shape[0], np.float32))) for p in prefixes]
        )

    def norm(layer: Any, prefix: str) -> None:
        layer.gamma = f32(get(prefix + ".weight"))
        layer.beta = f32(get(prefix + ".bias"))

    def attention(layer: Any, prefix: str, self_attention: bool) -> None:
        q, k, v = (f"{prefix}.{n}_proj" for n in "qkv")
        if self_attention:
            fused(layer.linear[0], [q, k, v])
        else:
            fused(layer.linear[0], [q])
            fused(layer.linear[1], [k, v])
        linear(layer.linear[-1], prefix + ".out_proj")

    def ffn(layer: Any, prefix: str) -> None:
        linear(layer.ffn.linear_0, prefix + ".fc1")
        linear(layer.ffn.linear_1, prefix + ".fc2")
        norm(layer.ffn.layer_norm, prefix + ".final_layer_norm")

    enc, dec = spec.encoder, spec.decoder
    for stack, name in ((enc, "encoder"), (dec, "decoder")):
        stack.scale_embeddings = scale
        stack.position_encodings.encodings = positions(f"{name}.embed_positions.weight")
    enc.embeddings[0].weight = shared
    dec.embeddings.weight = shared
    dec.start_from_zero_embedding = True
    for i, layer in enumerate(enc.layer):
        p = f"encoder.layers.{i}"
        attention(layer.self_attention, p + ".self_attn", True)
        norm(layer.self_attention.layer_norm, p + ".self_attn_layer_norm")
        ffn(layer, p)
        check_cancel()
    for i, layer in enumerate(dec.layer):
        p = f"decoder.layers.{i}"
        attention(layer.self_attention, p + ".self_attn", True)
        norm(layer.self_attention.layer_norm, p + ".self_attn_layer_norm")
        attention(layer.attention, p + ".encoder_attn", False)
        norm(layer.attention.layer_norm, p + ".encoder_attn_layer_norm")
        ffn(layer, p)
        check_cancel()
    dec.projection.weight = lm_head
    bias = state.get("final_logits_bias")
    if bias is not None and np.any(bias != 0):
        dec.projection.bias = f32(bias.reshape(-1))

    # Transformers appends a <pad> row used only to start the decoder; CTranslate2 starts from a
    # zero embedding instead, so the row (and the token) go, matching Marian's own vocabulary.
    # Then the special tokens move to ids 0, 1, ... (rows and bias entries with them): with the
    # output shortlist CTranslate2 finds </s> by a position it remembers from its first call,
    # which is only right for ids nothing below ever moves (models/translation/shortlist.py explains it).
    # OPUS-MT's tc-big models have </s> at 41977 of 54765; the old ones had it at 0 already.
    rows = shared.shape[0]
    specials = (eos, unk, *SPECIAL_TOKENS) if special_first else ()
    order = np.asarray(special_first_order(tokens, specials), dtype=np.int64)
    moved: dict[int, np.ndarray] = {}  # tied layers keep sharing one array
    for layer in (enc.embeddings[0], dec.embeddings, dec.projection):
        if layer.weight.shape[0] == rows:
            ident = id(layer.weight)
            if ident not in moved:
                moved[ident] = np.ascontiguousarray(layer.weight[:-1][order])
            layer.weight = moved[ident]
    if dec.projection.has_bias() and dec.projection.bias.shape[0] == rows:
        dec.projection.bias = dec.projection.bias[:-1][order]
    tokens = [tokens[i] for i in order]
    spec.register_source_vocabulary(tokens)
    spec.register_target_vocabulary(tokens)
    spec.config.eos_token = eos
    spec.config.unk_token = unk
    spec.config.decoder_start_token = eos
    return spec


def convert_marian(
    src: Path,
    out: Path,
    quantization: str | None = "int8",
    cancel: Callable[[], bool] | None = None,
    *,
    special_first: bool = True,
) -> Path:
    """Write a CTranslate2 model folder ``out`` (must not exist) from Marian checkpoint ``src``:
    the converted weights, the tokenizers and the output shortlist (``vmap.txt``)."""
    src, out = Path(src), Path(out)
    for name in TOKENIZER_FILES:
        if not (src / name).is_file():
            raise ModelError(f"{src}: {name} missing")
    if out.exists():
        raise ModelError(f"{out} exists already; convert into a new folder")
    # Imported here, never at start-up: ctranslate2.converters imports torch and transformers
    # when they are installed (seconds; hundreds of MB a bundle must not carry).
    from models.store.converter import MarianCheckpointConverter

    # Half-precision weights may stay half until CTranslate2 quantizes them (build_spec) whenever
    # a quantization is asked for; without one they would be saved as stored.
    converter = MarianCheckpointConverter(src, cancel, special_first, keep_half=quantization is not None)
    converter.convert(str(out), quantization=quantization)
    if cancel is not None and cancel():
        shutil.rmtree(out, ignore_errors=True)
        raise Cancelled()
    for name in TOKENIZER_FILES:
        shutil.copyfile(src / name, out / name)
    write_vocabulary_map(out)
    return out
