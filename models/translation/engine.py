"""The translation engine: a CTranslate2 Marian model folder -> English, streamed in order.

Design choices (see README "Translation"):

- int8 weights by default: OPUS-MT quality is kept and CPU decoding is several times faster
  than float32.
- One translation at a time per model (``inter_threads=1``), using the machine's physical cores
  inside it (``intra_threads``): more threads than cores slows CTranslate2 down, which is the
  trap on 2-core laptops and on macOS with efficiency cores.
- The first sentence goes to CTranslate2 alone so it shows at once; the rest goes in look-ahead
  windows (``window`` sentences), sorted by length inside a window and cut into the batches that
  a measured cost model says decode fastest (``plan_batches``). Results are always yielded in
  document order.
- Never silent truncation: a sentence longer than the model's input limit is split at clause
  boundaries, translated in parts and rejoined. Decoding length is bounded by the input length,
  and degenerate loops ("the the the the") are collapsed.
- A translation memory (in process only: articles are confidential) so re-translating an edited
  article sends only the changed sentences to CTranslate2.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import subprocess
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.errors import ModelError

# Marian models have 512 sinusoidal positions; the source needs room for the appended </s>.
MARIAN_MAX_POSITIONS = 512
# Measured on this project's base/big-shaped models (README "Translation"): beam 2 keeps most
# of beam 4's quality gain for OPUS-MT while costing far less than beam 4 on 2 cores.
DEFAULT_BEAM = 2
DEFAULT_COMPUTE_TYPE = "int8"
EOS = "</s>"
SMALL_MODEL_BYTES = 20_000_000
# CTranslate2 reads this file from the model folder; see ``write_vocabulary_map``.
VMAP_FILE = "vmap.txt"
# Tokens CTranslate2's decoder looks up by id through the output shortlist: the end token, the
# decoder start token, <unk> (disable_unk) and <s>; see ``shortlist_unsafe_tokens``.
SPECIAL_TOKENS = ("</s>", "<unk>", "<s>")
# A map that removes less than this share of the output vocabulary is not worth a file.
VMAP_MIN_SAVING = 0.1
# Second decoding of an output that looped until the length bound.
GUARD_NO_REPEAT_NGRAM = 4
GUARD_REPETITION_PENALTY = 1.2
_VERIFY_HINT = "re-download or run: nordbrief models verify"
# Cost of one decoding step of a batch, in rows: CTranslate2 on 2 cores, beam 2, int8, measured
# on the base and big shapes (step time ~ 10 ms + 2.1 ms x rows for base, 28 ms + 4.9 ms x rows
# for big: README "Translation"). Padding a batch to its longest sentence costs rows x steps, so
# merging two length groups pays only when the padding it adds is below this fixed cost.
STEP_COST_ROWS = 5.0

CancelFn = Callable[[], bool]


@dataclass(frozen=True)
class TranslateOptions:
    """Decoding options; all of them are part of the translation-memory key."""

    beam_size: int = DEFAULT_BEAM
    # Output bound per call: ratio * longest source part + extra, capped by the model.
    length_ratio: float = 2.0
    length_extra: int = 10
    # CTranslate2's own repetition controls, off by default (they change good translations too):
    # an output that loops until the length bound is decoded again with them on, and any loop
    # left is collapsed (see ``collapse_repeats``).
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    # The second decoding of looping outputs. Benchmarks on random-weight models switch it off:
    # random weights loop all the time, real models almost never.
    retry_loops: bool = True
    # Restrict each call's output layer to the target tokenizer's pieces plus the pieces of the
    # batch's own source (``write_vocabulary_map``), when the model folder has the map.
    use_vmap: bool = True
    # Batching: padded source tokens (rows x longest) per CTranslate2 call, the sorting
    # look-ahead in sentences, and the sentences decoded alone first (time to first sentence).
    max_batch_tokens: int = 4096
    window: int = 64
    first_window: int = 1

    def memory_key(self) -> tuple[Any, ...]:
        return (
            self.beam_size,
            self.length_ratio,
            self.length_extra,
            self.repetition_penalty,
            self.no_repeat_ngram_size,
            self.retry_loops,
            self.use_vmap,
        )


class TranslationMemory:
    """A thread-safe LRU of finished sentence translations, in memory only (never on disk)."""

    def __init__(self, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> str | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: str) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)


# Shared by every Translator in the process, so reloading the same model keeps its memory.
DEFAULT_MEMORY = TranslationMemory()


def normalise_sentence(text: str) -> str:
    """NFC and collapsed whitespace: the form that is translated and used as the memory key."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def physical_cores() -> int:
    """Physical cores this process may use (not SMT siblings, not macOS efficiency cores)."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    cores = usable
    system = platform.system()
    if system == "Linux":
        try:
            pairs = set()
            phys = core = None
            with open("/proc/cpuinfo", encoding="utf-8") as fh:
                for line in fh:
                    if line.startswith("physical id"):
                        phys = line.split(":", 1)[1].strip()
                    elif line.startswith("core id"):
                        core = line.split(":", 1)[1].strip()
                    elif not line.strip():
                        if core is not None:
                            pairs.add((phys, core))
                        phys = core = None
            if core is not None:
                pairs.add((phys, core))
            if pairs:
                cores = len(pairs)
        except OSError:
            pass
    elif system == "Windows" and usable >= 4:
        # No cheap core count there; desktop CPUs with 4+ logical CPUs almost always have SMT.
        cores = usable // 2
    elif system == "Darwin":
        # Apple silicon: use the performance cores only; Intel Macs: physical cores.
        for key in ("hw.perflevel0.physicalcpu", "hw.physicalcpu"):
            try:
                out = subprocess.run(
                    ["sysctl", "-n", key], capture_output=True, text=True, timeout=2, check=True
                )
                cores = int(out.stdout.strip())
                break
            except (OSError, ValueError, subprocess.SubprocessError):
                continue
    return max(1, min(cores, usable))


def default_threads() -> int:
    """``NORDBRIEF_THREADS`` if set, else the physical cores (at most 8: no gain beyond)."""
    env = os.environ.get("NORDBRIEF_THREADS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    return min(physical_cores(), 8)


def plan_batches(
    lengths: Sequence[int], *, max_tokens: int, step_cost_rows: float = STEP_COST_ROWS
) -> list[list[int]]:
    """Cut parts into CTranslate2 calls that decode fastest; returns lists of indices.

    Decoding a batch takes about ``longest x (step_cost_rows + rows)`` row-steps (every row is
    padded to the longest, and each step has a fixed cost independent of the rows), so the parts
    are sorted by length and split into contiguous groups by dynamic programming, each group at
    most ``max_tokens`` padded tokens (rows x longest). Few, wide batches of similar length win;
    a short sentence is not dragged through a long one's decoding steps.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    n = len(order)
    best = [0.0] + [float("inf")] * n  # best[k]: cost of the first k sorted parts
    cut = [0] * (n + 1)
    for end in range(1, n + 1):
        longest = max(1, lengths[order[end - 1]])  # sorted: the group's last part is its longest
        for start in range(end - 1, -1, -1):
            rows = end - start
            if rows > 1 and rows * longest > max_tokens:
                break
            cost = best[start] + longest * (step_cost_rows + rows)
            if cost < best[end]:
                best[end], cut[end] = cost, start
    groups: list[list[int]] = []
    end = n
    while end > 0:
        groups.append([order[k] for k in range(cut[end], end)])
        end = cut[end]
    # Earliest document position first, so results stream out in order as early as they can.
    return sorted(groups, key=min)


def collapse_repeats(tokens: list[str], max_unit: int = 8) -> list[str]:
    """Cut degenerate loops: a unit of 2..max_unit tokens repeated 3+ times in a row, or one token
    repeated 4+ times, is kept once. Ordinary text ("very very", "1 000 000") is left alone."""
    while True:
        shorter = _collapse_once(tokens, max_unit)
        if len(shorter) == len(tokens):
            return shorter
        tokens = shorter  # cutting one loop can expose another ("a b a b" after "b b b b")


def _collapse_once(tokens: list[str], max_unit: int) -> list[str]:
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        collapsed = False
        for unit in range(1, max_unit + 1):
            need = 4 if unit == 1 else 3
            if i + unit * need > n:
                break
            chunk = tokens[i : i + unit]
            reps = 1
            while tokens[i + reps * unit : i + (reps + 1) * unit] == chunk:
                reps += 1
            if reps >= need:
                out.extend(chunk)
                i += reps * unit
                collapsed = True
                break
        if not collapsed:
            out.append(tokens[i])
            i += 1
    return out


# Clause boundaries, strongest first; whitespace is the last resort.
_SPLIT_CLASSES: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<=[;])\s+"),
    re.compile(r"(?<=[:])\s+"),
    re.compile(r"(?<=[,])\s+"),
    re.compile(r"\s+(?=[–—-]\s)"),
    re.compile(r"\s+"),
)


def _model_identity(folder: Path) -> str:
    """Cheap content identity of a model folder: model.bin size+mtime and the small files."""
    h = hashlib.sha256()
    st = (folder / "model.bin").stat()
    h.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
    for name in sorted(os.listdir(folder)):
        if name.endswith((".json", ".spm", ".txt")):
            h.update(name.encode())
            h.update((folder / name).read_bytes())
    return h.hexdigest()[:32]


def _read_limits(folder: Path) -> tuple[int, int, bool]:
    """(input limit in tokens incl. ``</s>``, position table size, append ``</s>``?).

    From nordbrief.json, else Marian's. Models converted from Hugging Face Marian need ``</s>``
    appended to the source; OpenNMT-trained ones (Argos Translate packages) were trained without
    it, so their import writes ``"append_eos": false``.
    """
    meta = folder / "nordbrief.json"
    if not meta.is_file():
        return MARIAN_MAX_POSITIONS, MARIAN_MAX_POSITIONS, True
    try:
        data = json.loads(meta.read_text("utf-8"))
        positions = int(data.get("max_positions", MARIAN_MAX_POSITIONS))
        limit = int(data.get("max_input_tokens", positions))
        append_eos = bool(data.get("append_eos", True))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"nordbrief.json is unreadable ({exc})") from None
    if not 8 <= limit <= positions:
        raise ValueError("nordbrief.json declares an impossible input limit")
    return limit, positions, append_eos


class Translator:
    """A loaded CTranslate2 Marian model plus its SentencePiece tokenizers.

    Not for concurrent use: the app runs it in a one-at-a-time lane (house rule 3).
    """

    def __init__(
        self,
        model_dir: str | os.PathLike[str],
        *,
        compute_type: str = DEFAULT_COMPUTE_TYPE,
        intra_threads: int | None = None,
        beam_size: int | None = None,
        options: TranslateOptions | None = None,
        memory: TranslationMemory | None = None,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.compute_type = compute_type
        self._check_folder()
        if intra_threads is None:
            # Tiny matrices gain nothing from threads and lose a lot to thread wake-ups,
            # especially on a busy machine; only real-sized models get all physical cores.
            small = (self.model_dir / "model.bin").stat().st_size < SMALL_MODEL_BYTES
            intra_threads = 1 if small else default_threads()
        self.intra_threads = intra_threads
        opts = options or TranslateOptions()
        if beam_size is not None:
            if beam_size < 1:
                raise ValueError("beam size must be at least 1")
            opts = TranslateOptions(**{**opts.__dict__, "beam_size": beam_size})
        self.options = opts
        self.memory = memory if memory is not None else DEFAULT_MEMORY
        try:
            self.max_input_tokens, self.max_positions, append_eos = _read_limits(self.model_dir)
            self._suffix = [EOS] if append_eos else []
            self.identity = _model_identity(self.model_dir)
        except (OSError, ValueError) as exc:
            raise self._fail(_short(exc)) from None
        self._load()

    # -- loading ---------------------------------------------------------------------------

    def _fail(self, what: str) -> ModelError:
        return ModelError(f"model folder {self.model_dir}: {what}; {_VERIFY_HINT}")

    def _check_folder(self) -> None:
        d = self.model_dir
        if not d.is_dir():
            raise ModelError(f"model folder {d} does not exist; run: nordbrief models list")
        for name in ("model.bin", "config.json", "source.spm", "target.spm"):
            if not (d / name).is_file():
                raise self._fail(f"{name} is missing")
        vocabs = ("shared_vocabulary", "source_vocabulary")
        if not any((d / f"{v}.{ext}").is_file() for v in vocabs for ext in ("json", "txt")):
            raise self._fail("the vocabulary file is missing")

    def _load(self) -> None:
        import ctranslate2
        import sentencepiece as spm

        try:
            self.source_sp = spm.SentencePieceProcessor(model_file=str(self.model_dir / "source.spm"))
            self.target_sp = spm.SentencePieceProcessor(model_file=str(self.model_dir / "target.spm"))
        except (OSError, RuntimeError) as exc:
            raise self._fail(f"a SentencePiece file is unreadable ({_short(exc)})") from None
        supported = ctranslate2.get_supported_compute_types("cpu")
        if self.compute_type not in supported:
            # e.g. int8 on a CPU without the instructions for it: fall back, don't fail.
            fallback = next((c for c in ("int8_float32", "int8", "float32") if c in supported), "auto")
            self.compute_type = fallback
        try:
            self.ct2 = ctranslate2.Translator(
                str(self.model_dir),
                device="cpu",
                compute_type=self.compute_type,
                inter_threads=1,
                intra_threads=self.intra_threads,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise self._fail(f"CTranslate2 cannot load it ({_short(exc)})") from None
        self.has_vmap = (self.model_dir / VMAP_FILE).is_file()
        self.notice: str | None = None
        if self.has_vmap:
            try:
                unsafe = shortlist_unsafe_tokens(self.model_dir)
            except (OSError, ValueError, ModelError) as exc:
                raise self._fail(f"its vocabulary or vmap.txt is unreadable ({_short(exc)})") from None
            if unsafe:
                # Converted before the special tokens were moved first (see the comment above
                # ``special_first_order``): with the shortlist CTranslate2 would stop at </s>
                # in the first call only, so this folder runs on the whole vocabulary instead.
                self.has_vmap = False
                self.notice = _once(
                    self.model_dir,
                    f"model {self.model_dir.name} was converted by an older Nordbrief "
                    f"({', '.join(unsafe)} not at the start of its vocabulary), so it runs without its "
                    "output shortlist, more slowly but correctly; download it again to restore the "
                    f"speed (nordbrief models download {self.model_dir.name} --force)",
                )

    def unload(self) -> None:
        """Free the model's memory now rather than at garbage collection."""
        ct2 = getattr(self, "ct2", None)
        if ct2 is not None:
            ct2.unload_model()

    # -- tokens ----------------------------------------------------------------------------

    def tokenize(self, text: str) -> list[str]:
        """SentencePiece pieces of ``text`` (without ``</s>``)."""
        return list(self.source_sp.encode(text, out_type=str))

    def detokenize(self, pieces: Sequence[str]) -> str:
        """Target pieces -> text. Pieces the target model lacks (Marian's vocabulary is joint)
        are spelled out as SentencePiece would, so no stray ``▁`` reaches the user."""
        pieces = [p for p in pieces if p not in (EOS, "<unk>", "<pad>", "<s>")]
        text = self.target_sp.decode_pieces(pieces) if pieces else ""
        return " ".join(text.replace("\u2581", " ").split())

    def memory_key(self, sentence: str) -> tuple[Any, ...]:
        return (self.identity, self.compute_type, *self.options.memory_key(), sentence)

    def split_long(self, text: str) -> list[list[str]]:
        """Token lists (each ending in ``</s>`` where the model wants it) that fit the input limit.

        Splits at the strongest clause boundary nearest the middle (; : , dash, then any space)
        and recurses; a single over-long word is cut at token boundaries as a last resort.
        """
        limit = self.max_input_tokens - 1
        tokens = self.tokenize(text)
        if len(tokens) <= limit:
            return [[*tokens, *self._suffix]]
        for pattern in _SPLIT_CLASSES:
            cuts = [m for m in pattern.finditer(text) if m.start() > 0 and m.end() < len(text)]
            if not cuts:
                continue
            mid = len(text) / 2
            best = min(cuts, key=lambda m: abs(m.start() - mid))
            left, right = text[: best.start()].strip(), text[best.end() :].strip()
            if left and right:
                return self.split_long(left) + self.split_long(right)
        return [[*tokens[i : i + limit], *self._suffix] for i in range(0, len(tokens), limit)]

    # -- translating -----------------------------------------------------------------------

    def translate(self, texts: Sequence[str]) -> list[str]:
        """Translate sentences (blocking); one output per input, in order."""
        out: list[str] = [""] * len(texts)
        for batch in self.stream(texts):
            for index, translation in batch:
                out[index] = translation
        return out

    def stream(
        self, texts: Sequence[str], *, cancel: CancelFn | None = None
    ) -> Iterator[list[tuple[int, str]]]:
        """Yield ``[(index, translation), ...]`` per batch, in document order.

        ``cancel`` is checked before every CTranslate2 call; when it returns True the generator
        simply stops (what was yielded stays valid). Memory hits are yielded without decoding.
        """
        normalised = [normalise_sentence(t) for t in texts]
        done: dict[int, str] = {}
        pending: list[int] = []
        for i, sent in enumerate(normalised):
            if not sent:
                done[i] = ""
                continue
            hit = self.memory.get(self.memory_key(sent))
            if hit is not None:
                done[i] = hit
            else:
                pending.append(i)

        next_out = 0

        def flush() -> list[tuple[int, str]]:
            nonlocal next_out
            ready: list[tuple[int, str]] = []
            while next_out < len(texts) and next_out in done:
                ready.append((next_out, done[next_out]))
                next_out += 1
            return ready

        # The first sentence(s) alone so they show at once, then look-ahead windows, each cut
        # into length-sorted batches; after every batch, whatever is ready in order is yielded.
        first = max(1, self.options.first_window)
        windows = [pending[:first]]
        step = max(1, self.options.window)
        windows += [pending[p : p + step] for p in range(first, len(pending), step)]
        ready = flush()
        if ready:
            yield ready
        for window in windows:
            for batch in self._translate_window([normalised[i] for i in window], cancel):
                if batch is None:
                    return
                for k, translation in batch:
                    i = window[k]
                    done[i] = translation
                    self.memory.put(self.memory_key(normalised[i]), translation)
                ready = flush()
                if ready:
                    yield ready

    def _translate_window(
        self, sentences: list[str], cancel: CancelFn | None
    ) -> Iterator[list[tuple[int, str]] | None]:
        """Translate one window batch by batch; yields ``[(position in window, translation)]``
        for the sentences each batch completes, then None if cancelled before a batch."""
        parts: list[tuple[int, list[str]]] = []  # (sentence position in window, tokens)
        parts_of: list[list[int]] = []  # each sentence's parts, in order
        for k, sent in enumerate(sentences):
            pieces = self.split_long(sent)
            parts_of.append(list(range(len(parts), len(parts) + len(pieces))))
            parts.extend((k, toks) for toks in pieces)
        missing = [len(js) for js in parts_of]  # parts of each sentence not decoded yet
        outputs: list[list[str]] = [[] for _ in parts]
        plan = plan_batches([len(t) for _, t in parts], max_tokens=self.options.max_batch_tokens)
        for batch in plan:
            if cancel is not None and cancel():
                yield None
                return
            completed: list[int] = []
            for j, hyp in zip(batch, self._decode([parts[j][1] for j in batch]), strict=True):
                outputs[j] = hyp
                k = parts[j][0]
                missing[k] -= 1
                if not missing[k]:
                    completed.append(k)
            result = []
            for k in sorted(completed):
                texts = [self.detokenize(collapse_repeats(outputs[j])) for j in parts_of[k]]
                result.append((k, " ".join(t for t in texts if t)))
            yield result

    def _decode(self, batch: list[list[str]]) -> list[list[str]]:
        """Decode one batch; outputs that ran into the length bound inside a loop are decoded
        again with CTranslate2's repetition controls (the repetition guard's second line)."""
        opts = self.options
        longest = max(len(t) for t in batch)
        max_len = min(self.max_positions - 1, int(opts.length_ratio * longest) + opts.length_extra)
        hyps = self._call(batch, max_len, opts.repetition_penalty, opts.no_repeat_ngram_size)
        looped = [k for k, h in enumerate(hyps) if len(h) >= max_len and len(collapse_repeats(h)) < len(h)]
        if not opts.retry_loops or opts.no_repeat_ngram_size:
            looped = []
        if looped:
            again = self._call(
                [batch[k] for k in looped],
                max_len,
                max(opts.repetition_penalty, GUARD_REPETITION_PENALTY),
                GUARD_NO_REPEAT_NGRAM,
            )
            for k, h in zip(looped, again, strict=True):
                hyps[k] = h
        return hyps

    def _call(
        self, batch: list[list[str]], max_len: int, repetition_penalty: float, no_repeat: int
    ) -> list[list[str]]:
        results = self.ct2.translate_batch(
            batch,
            beam_size=self.options.beam_size,
            max_input_length=self.max_input_tokens,
            max_decoding_length=max_len,
            repetition_penalty=repetition_penalty,
            no_repeat_ngram_size=no_repeat,
            use_vmap=self.has_vmap and self.options.use_vmap,
        )
        return [list(r.hypotheses[0]) for r in results]


def model_vocabulary(folder: Path) -> list[str]:
    """The model's (target) vocabulary as CTranslate2 saved it, JSON or one token per line."""
    for name in ("shared_vocabulary", "target_vocabulary"):
        if (folder / f"{name}.json").is_file():
            return list(json.loads((folder / f"{name}.json").read_text("utf-8")))
        if (folder / f"{name}.txt").is_file():
            return (folder / f"{name}.txt").read_text("utf-8").splitlines()
    raise ModelError(f"model folder {folder}: the vocabulary file is missing")


# Why the special tokens sit at ids 0, 1, ... in every model that uses the shortlist (read in
# CTranslate2's source, src/layers/decoder.cc ``Decoder::update_output_layer`` and
# src/decoding.cc ``prepare_decode``, 4.x; the installed 4.8.5 behaves so, see
# tests/models/test_real_layout.py):
#
# With ``use_vmap`` every ``translate_batch`` call restricts the output layer to its batch's
# candidate ids, sorted (``VocabularyMap::get_candidates``: <unk>, <s>, </s>, the map's
# always-line and the ids the batch's source tokens map to). ``update_output_layer`` gathers
# those rows and rebuilds two maps: ``_to_original_word_id`` (output position -> vocabulary id)
# is assigned anew, but ``_to_output_word_id`` (vocabulary id -> output position), an
# ``std::unordered_map``, is only ``reserve()``d and refilled with ``emplace()``, which keeps a key
# that is already there; it is cleared only when a call runs on the whole vocabulary. So after
# the first restricted call every id keeps the position it had in that call. The decoding loop
# maps its end id, the decoder start token and disabled ids (``disable_unk``) through
# ``to_output_word_id``, i.e. through that stale map, while the scores come from the current
# shortlist: when a later batch has a different number of candidates below </s>, the end check
# looks at another token's position, never fires, and every sentence decodes to its length bound
# (the probe: ``[2]*8``, then ``[60]*8``). With </s> at id 0 nothing moves, which is why
# models whose </s> is 0 (the old OPUS-MT ones, every test model before) never showed it.
#
# An id's position in a sorted shortlist is the number of candidates below it, so it is the
# same in every call exactly when every id below it is a candidate in every call (or in none).
# The converter puts the special tokens first (``special_first_order``) and CTranslate2 always
# makes them candidates, so their positions are 0, 1, ... in every call and the stale entries are
# the right ones. Padding a shortlist to a size multiple appends id 0, which ``emplace`` leaves at
# its first, true position. The remap is exact: embeddings are tied and CTranslate2 is given
# tokens as strings, so moving embedding rows and output-bias entries together permutes the
# output scores and changes nothing else. ``shortlist_unsafe_tokens`` finds folders converted
# before this (or elsewhere) so the translator can run them without the shortlist.


def special_first_order(tokens: Sequence[str], specials: Sequence[str] = SPECIAL_TOKENS) -> list[int]:
    """Row order that puts ``specials`` (those in ``tokens``) at ids 0, 1, ..., the rest after
    in their original order: ``new_tokens = [tokens[i] for i in order]``."""
    index = {tok: i for i, tok in enumerate(tokens)}
    front = [index[tok] for tok in dict.fromkeys(specials) if tok in index]
    moved = set(front)
    return front + [i for i in range(len(tokens)) if i not in moved]


def read_vocabulary_map(folder: Path) -> tuple[set[str], dict[str, list[str]]] | None:
    """(always-allowed tokens, source token -> allowed tokens) of ``vmap.txt``, None without one."""
    path = Path(folder) / VMAP_FILE
    if not path.is_file():
        return None
    always: set[str] = set()
    rules: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        key, _, values = line.partition("\t")
        if key == "":
            always.update(v for v in values.split(" ") if v)
        else:
            rules[key] = [v for v in values.split(" ") if v]
    return always, rules


def _ct2_special_tokens(folder: Path) -> list[str]:
    """The tokens CTranslate2 resolves by id for this model (its config.json, defaults else)."""
    try:
        config = json.loads((folder / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        config = {}
    if not isinstance(config, dict):
        config = {}
    names = ("eos_token", "decoder_start_token", "unk_token", "bos_token")
    defaults = {"eos_token": "</s>", "decoder_start_token": "<s>", "unk_token": "<unk>", "bos_token": "<s>"}
    out = [config.get(n) or defaults[n] for n in names]
    return list(dict.fromkeys(t for t in out if isinstance(t, str)))


def shortlist_unsafe_tokens(folder: Path, vocab: Sequence[str] | None = None) -> list[str]:
    """Special tokens whose output position can move between shortlisted calls (see above).

    A special token at id k is safe when every id below k is a candidate of every call: another
    special token or a token of the map's always-line. Empty when the folder has no map.
    """
    folder = Path(folder)
    vmap = read_vocabulary_map(folder)
    if vmap is None:
        return []
    always = vmap[0]
    vocab = list(vocab) if vocab is not None else model_vocabulary(folder)
    specials = _ct2_special_tokens(folder)
    fixed = always | set(specials)
    index = {tok: i for i, tok in enumerate(vocab)}
    first_unfixed = next((i for i, tok in enumerate(vocab) if tok not in fixed), len(vocab))
    return [tok for tok in specials if tok in index and index[tok] > first_unfixed]


def write_vocabulary_map(folder: Path) -> Path | None:
    """Write CTranslate2's ``vmap.txt`` so each call scores only pieces English output can use.

    OPUS-MT models share one vocabulary between the Norwegian and the English tokenizer (57k
    entries for two 32k tokenizers), and the output layer scores all of it at every step. The
    map lists the target tokenizer's pieces as always allowed, and every source-only piece as
    allowed exactly when it occurs in the batch's source, so names are still copied as before:
    a lossless shortlist from the model's own files, unlike translateLocally's lexical
    shortlists, which need the training data's word alignments. Returns the file, or None when
    the map would save too little (e.g. a model with its own target vocabulary).
    """
    import sentencepiece as spm

    folder = Path(folder)
    vocab = model_vocabulary(folder)
    target_sp = spm.SentencePieceProcessor(model_file=str(folder / "target.spm"))
    target_pieces = {target_sp.id_to_piece(i) for i in range(target_sp.get_piece_size())}
    usable = [p for p in vocab if p and not any(c.isspace() for c in p)]
    always = [p for p in usable if p in target_pieces]
    copied = [p for p in usable if p not in target_pieces]
    if len(always) > (1 - VMAP_MIN_SAVING) * len(vocab):
        return None
    path = folder / VMAP_FILE
    lines = ["\t" + " ".join(always)] + [f"{p}\t{p}" for p in copied]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


_NOTICES_SHOWN: set[str] = set()
_NOTICES_LOCK = threading.Lock()


def _once(folder: Path, message: str) -> str | None:
    """``message`` the first time a folder asks in this process, None after: a reloaded model
    (the window reloads after a settings change) does not repeat it."""
    key = str(folder.resolve())
    with _NOTICES_LOCK:
        if key in _NOTICES_SHOWN:
            return None
        _NOTICES_SHOWN.add(key)
    return message


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else exc.__class__.__name__
