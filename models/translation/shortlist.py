"""Reading a model folder's vocabulary and its output shortlist (``vmap.txt``), and whether the
shortlist is safe to use with it (writing the shortlist is conversion's job:
``models.store.vocabulary``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from models.errors import ModelError

# CTranslate2 reads this file from the model folder; see ``models.store.vocabulary``.
VMAP_FILE = "vmap.txt"
# Tokens CTranslate2's decoder looks up by id through the output shortlist: the end token, the
# decoder start token, <unk> (disable_unk) and <s>; see ``shortlist_unsafe_tokens``.
SPECIAL_TOKENS = ("</s>", "<unk>", "<s>")


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
# The converter puts the special tokens first (``models.store.vocabulary.special_first_order``)
# and CTranslate2 always makes them candidates, so their positions are 0, 1, ... in every call
# and the stale entries are the right ones. Padding a shortlist to a size multiple appends id 0,
# which ``emplace`` leaves at its first, true position. The remap is exact: embeddings are tied
# and CTranslate2 is given tokens as strings, so moving embedding rows and output-bias entries
# together permutes the output scores and changes nothing else. ``shortlist_unsafe_tokens``
# finds folders converted before this (or elsewhere) so the translator can run them without the
# shortlist.


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
