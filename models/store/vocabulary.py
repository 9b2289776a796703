"""What conversion writes about a model's vocabulary: the special tokens moved to the front (so
the output shortlist stays right, ``models.translation.shortlist`` explains why) and the shortlist
itself, ``vmap.txt``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from models.translation.shortlist import SPECIAL_TOKENS, VMAP_FILE, model_vocabulary

# A map that removes less than this share of the output vocabulary is not worth a file.
VMAP_MIN_SAVING = 0.1


def special_first_order(tokens: Sequence[str], specials: Sequence[str] = SPECIAL_TOKENS) -> list[int]:
    """Row order that puts ``specials`` (those in ``tokens``) at ids 0, 1, ..., the rest after
    in their original order: ``new_tokens = [tokens[i] for i in order]``."""
    index = {tok: i for i, tok in enumerate(tokens)}
    front = [index[tok] for tok in dict.fromkeys(specials) if tok in index]
    moved = set(front)
    return front + [i for i in range(len(tokens)) if i not in moved]


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
