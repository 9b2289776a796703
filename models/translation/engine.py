"""The translation engine: a CTranslate2 Marian model folder -> English, streamed in order.

Design choices (see README "Translation"):

- int8 weights by default: OPUS-MT quality is kept and CPU decoding is several times faster
  than float32.
- One translation at a time per model, using the machine's physical cores (``threads``; more
  threads than cores slows CTranslate2 down, which is the trap on 2-core laptops and on macOS
  with efficiency cores) as data parallelism: one single-threaded CTranslate2 worker per core
  (the workers share the weights, CTranslate2 docs/parallel.md), each call's batch split into
  one sub-batch per worker (``max_batch_size``), decoded side by side. Measured on the 2-core
  machine with the base-shaped test model (seed article, CLI, idle): 2 workers x 1 thread
  2.6 s, 1 worker x 2 OpenMP threads 5.2 s, 1 x 1 3.4 s; with two busy loops competing the
  gap grows, because an OpenMP team stalls at every barrier while the scheduler has one of its
  threads off the core (and any wake-up of another thread, such as a GUI's, causes that),
  where independent workers just go on. Twice as many workers as ``threads`` exist so that
  new work after a Stop need not queue behind the call the Stop left running (below).
- The first sentence goes to CTranslate2 alone so it shows at once; the rest goes in look-ahead
  windows (``window`` sentences), sorted by length inside a window and cut into the batches that
  a measured cost model says decode fastest (``batching.plan_batches``). Results are always
  yielded in document order.
- Never silent truncation: a sentence longer than the model's input limit is split at clause
  boundaries, translated in parts and rejoined. Decoding length is bounded by the input length,
  and degenerate loops ("the the the the") are collapsed (``repeats``).
- Stop at once, without narrow batches: a CTranslate2 call cannot be interrupted at beam > 1
  (its per-token callback works at beam 1 only, where it is used). So a cancellable call at
  beam > 1 is submitted asynchronously and waited for until it ends or the run is cancelled
  (a ``WakingCancel`` such as the window's job token wakes the wait; a plain cancel function
  is asked every ``CANCEL_POLL_SECONDS``); on a Stop the stream ends there and the call
  finishes unwanted in CTranslate2's worker (never killed; ``wait_abandoned`` joins it). Calls
  used to be capped in measured seconds instead: the window cut the seed article into 7-8
  calls where the CLI makes 6, each extra call paying every decoding step's fixed cost again.
- A translation memory (``memory``; in process only: articles are confidential) so
  re-translating an edited article sends only the changed sentences to CTranslate2.
- The output shortlist (``shortlist``) when the folder has one that is safe to use.

This module is the ``Translator`` itself; the package's other modules are its parts.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from models.errors import ModelError
from models.translation.batching import plan_batches
from models.translation.cores import default_threads
from models.translation.memory import DEFAULT_MEMORY, TranslationMemory, normalise_sentence
from models.translation.repeats import collapse_repeats
from models.translation.shortlist import VMAP_FILE, shortlist_unsafe_tokens

# Marian models have 512 sinusoidal positions; the source needs room for the appended </s>.
MARIAN_MAX_POSITIONS = 512
# Measured on this project's base/big-shaped models (README "Translation"): beam 2 keeps most
# of beam 4's quality gain for OPUS-MT while costing far less than beam 4 on 2 cores.
DEFAULT_BEAM = 2
DEFAULT_COMPUTE_TYPE = "int8"
EOS = "</s>"
SMALL_MODEL_BYTES = 20_000_000
# How often a waiting cancellable call at beam > 1 asks a plain cancel function whether the run
# was stopped (a ``WakingCancel`` wakes the wait itself, with no polling): the Stop latency's
# bound. Every wake-up can pre-empt a CTranslate2 thread on a busy machine.
CANCEL_POLL_SECONDS = 0.05
_ABANDONED_LOCK = threading.Lock()
# Second decoding of an output that looped until the length bound.
GUARD_NO_REPEAT_NGRAM = 4
GUARD_REPETITION_PENALTY = 1.2
_VERIFY_HINT = "re-download or run: nordbrief models verify"

CancelFn = Callable[[], bool]


@runtime_checkable
class WakingCancel(Protocol):
    """A cancel function that can also wake a waiter when it is cancelled (the window's job
    token): a call waited for with it needs no polling timer."""

    def __call__(self) -> bool: ...

    def wake_on_cancel(self, wake: Callable[[], None]) -> Callable[[], None]:
        """Call ``wake`` (from the cancelling thread) when cancelled, at once if already;
        returns the function that unregisters it."""
        ...


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
        threads: int | None = None,
        beam_size: int | None = None,
        options: TranslateOptions | None = None,
        memory: TranslationMemory | None = None,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.compute_type = compute_type
        self._check_folder()
        if threads is None:
            # Tiny matrices gain nothing from threads and lose a lot to thread wake-ups,
            # especially on a busy machine; only real-sized models get all physical cores.
            small = (self.model_dir / "model.bin").stat().st_size < SMALL_MODEL_BYTES
            threads = 1 if small else default_threads()
        self.threads = threads  # decoding workers, one core each
        opts = options or TranslateOptions()
        if beam_size is not None:
            if beam_size < 1:
                raise ValueError("beam size must be at least 1")
            opts = TranslateOptions(**{**opts.__dict__, "beam_size": beam_size})
        self.options = opts
        self.memory = memory if memory is not None else DEFAULT_MEMORY
        self._abandoned: list[threading.Thread] = []  # waiters of calls a Stop left running
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
                # Twice the workers a call uses: the spare ones take new work while a call a
                # Stop left running still holds the others.
                inter_threads=2 * self.threads,
                intra_threads=1,
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
        """Free the model's memory now rather than at garbage collection (after the calls a
        Stop left running have finished)."""
        self.wait_abandoned()
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
        self,
        texts: Sequence[str],
        *,
        cancel: CancelFn | None = None,
        hits: set[int] | None = None,
    ) -> Iterator[list[tuple[int, str]]]:
        """Yield ``[(index, translation), ...]`` per batch, in document order.

        ``cancel`` is checked before every CTranslate2 call (and, at beam 1, at every decoding
        step); when it returns True the generator simply stops (what was yielded stays valid).
        Memory hits are yielded without decoding; ``hits`` (if given) receives their indices.
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
                if hits is not None:
                    hits.add(i)
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
        for the sentences each batch completes, then None if cancelled before or during a batch
        (the batches are planned once, the same whether or not the caller can cancel)."""
        parts: list[tuple[int, list[str]]] = []  # (sentence position in window, tokens)
        parts_of: list[list[int]] = []  # each sentence's parts, in order
        for k, sent in enumerate(sentences):
            pieces = self.split_long(sent)
            parts_of.append(list(range(len(parts), len(parts) + len(pieces))))
            parts.extend((k, toks) for toks in pieces)
        missing = [len(js) for js in parts_of]  # parts of each sentence not decoded yet
        outputs: list[list[str]] = [[] for _ in parts]
        plan = plan_batches([len(toks) for _, toks in parts], max_tokens=self.options.max_batch_tokens)
        for batch in plan:  # earliest document position first
            if cancel is not None and cancel():
                yield None
                return
            hyps = self._decode([parts[j][1] for j in batch], cancel)
            if hyps is None:  # stopped mid-call (beam 1): the partial outputs are dropped
                yield None
                return
            completed: list[int] = []
            for j, hyp in zip(batch, hyps, strict=True):
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

    def _decode(self, batch: list[list[str]], cancel: CancelFn | None = None) -> list[list[str]] | None:
        """Decode one batch; outputs that ran into the length bound inside a loop are decoded
        again with CTranslate2's repetition controls (the repetition guard's second line).
        None when ``cancel`` stopped the call midway (beam 1 only)."""
        opts = self.options
        longest = max(len(t) for t in batch)
        max_len = min(self.max_positions - 1, int(opts.length_ratio * longest) + opts.length_extra)
        hyps = self._call(batch, max_len, opts.repetition_penalty, opts.no_repeat_ngram_size, cancel)
        if hyps is None:
            return None
        looped = [k for k, h in enumerate(hyps) if len(h) >= max_len and len(collapse_repeats(h)) < len(h)]
        if not opts.retry_loops or opts.no_repeat_ngram_size:
            looped = []
        if looped:
            again = self._call(
                [batch[k] for k in looped],
                max_len,
                max(opts.repetition_penalty, GUARD_REPETITION_PENALTY),
                GUARD_NO_REPEAT_NGRAM,
                cancel,
            )
            if again is None:
                return None
            for k, h in zip(looped, again, strict=True):
                hyps[k] = h
        return hyps

    def _call(
        self,
        batch: list[list[str]],
        max_len: int,
        repetition_penalty: float,
        no_repeat: int,
        cancel: CancelFn | None = None,
    ) -> list[list[str]] | None:
        extra: dict[str, Any] = {}
        stopped = False
        if cancel is not None and self.options.beam_size == 1:
            # CTranslate2 calls this for every decoded token at beam 1; True ends the call.
            def step(_result: Any) -> bool:
                nonlocal stopped
                stopped = stopped or bool(cancel())
                return stopped

            extra["callback"] = step
        elif cancel is not None:
            extra["asynchronous"] = True
        if self.threads > 1 and len(batch) > 1:
            # One sub-batch per worker (CTranslate2 sorts the batch by length and cuts it into
            # chunks of this many; the chunks run on the workers at the same time).
            extra["max_batch_size"] = -(-len(batch) // self.threads)
        results = self.ct2.translate_batch(
            batch,
            beam_size=self.options.beam_size,
            max_input_length=self.max_input_tokens,
            max_decoding_length=max_len,
            repetition_penalty=repetition_penalty,
            no_repeat_ngram_size=no_repeat,
            use_vmap=self.has_vmap and self.options.use_vmap,
            **extra,
        )
        if "asynchronous" in extra:
            assert cancel is not None
            results = self._await(results, cancel)
            if results is None:
                return None
        if stopped:
            return None
        return [list(r.hypotheses[0]) for r in results]

    def _await(self, pending: list[Any], cancel: CancelFn) -> list[Any] | None:
        """The results of an asynchronous call, or None as soon as ``cancel()`` says so.

        A helper thread blocks on the results (CTranslate2's async results have no timeout), so
        the caller wakes the moment the call ends or, with a ``WakingCancel``, the moment it is
        cancelled; a plain cancel function is asked every ``CANCEL_POLL_SECONDS``. A stopped
        call's helper keeps this CTranslate2 translator alive until the call has finished in
        its worker."""
        finished = threading.Event()  # the call ended
        wake = threading.Event()  # the call ended, or the run was cancelled
        box: list[Any] = []

        def wait(_keep_alive: Any) -> None:
            try:
                box.append([r.result() for r in pending])
            except BaseException as exc:  # re-raised in the caller, like a blocking call's
                box.append(exc)
            finally:
                finished.set()
                wake.set()

        helper = threading.Thread(target=wait, args=(self.ct2,), name="nordbrief-ct2-call")
        helper.start()
        if isinstance(cancel, WakingCancel):
            unregister = cancel.wake_on_cancel(wake.set)
            try:
                wake.wait()
            finally:
                unregister()
        else:
            while not wake.wait(CANCEL_POLL_SECONDS) and not cancel():
                pass
        if not finished.is_set():  # woken by the Stop: leave the call to finish on its own
            with _ABANDONED_LOCK:
                self._abandoned = [t for t in self._abandoned if t.is_alive()] + [helper]
            return None
        helper.join()
        out = box[0]
        if isinstance(out, BaseException):
            raise out
        return list(out)

    def wait_abandoned(self, timeout: float = 30.0) -> bool:
        """Wait for the calls a Stop left running (app quit, tests); True if all ended in time."""
        deadline = time.monotonic() + timeout
        with _ABANDONED_LOCK:
            helpers, self._abandoned = self._abandoned, []
        for t in helpers:
            t.join(max(0.0, deadline - time.monotonic()))
        alive = [t for t in helpers if t.is_alive()]
        if alive:
            with _ABANDONED_LOCK:
                self._abandoned += alive
        return not alive


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
