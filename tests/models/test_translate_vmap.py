"""The output shortlist (``vmap.txt``): what it allows, that the engine uses it, and that it
keeps name copying (source pieces) while dropping the rest of the joint vocabulary."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sentencepiece as spm
from hubserver import make_marian_checkpoint

from models.store.convert import convert_marian
from models.store.vocabulary import write_vocabulary_map
from models.translation.engine import TranslateOptions, Translator
from models.translation.memory import TranslationMemory
from models.translation.shortlist import VMAP_FILE, model_vocabulary

SENTENCES = [
    "Regjeringen la fram statsbudsjettet i Oslo tirsdag.",
    "Minst 35 soldater er drept siden torsdag, ifølge Syrian Observatory.",
    "Det regner i Bergen.",
    "Støre møtte Ap-ledelsen på Youngstorget i går kveld.",
]


def _pieces(spm_path: Path) -> set[str]:
    sp = spm.SentencePieceProcessor(model_file=str(spm_path))
    return {sp.id_to_piece(i) for i in range(sp.get_piece_size())}


def _read_vmap(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    lines = path.read_text("utf-8").splitlines()
    always: list[str] = []
    rules: dict[str, list[str]] = {}
    for line in lines:
        key, _, values = line.partition("\t")
        if key == "":
            always = values.split(" ")
        else:
            rules[key] = values.split(" ")
    return always, rules


def test_map_allows_target_pieces_always_and_source_pieces_only_as_copies(tiny_model: Path) -> None:
    always, rules = _read_vmap(tiny_model / VMAP_FILE)
    vocab = model_vocabulary(tiny_model)
    target = _pieces(tiny_model / "target.spm")
    assert set(always) == {p for p in vocab if p in target}
    assert "</s>" in always
    # every other entry may appear only when the source has it: an identity rule
    assert set(rules) == {p for p in vocab if p not in target}
    assert all(values == [key] for key, values in rules.items())
    assert len(always) + len(rules) == len(vocab)
    # the point of it: far fewer pieces to score at every step
    assert len(always) < 0.9 * len(vocab)


def test_no_map_when_it_would_save_little(tiny_model: Path, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(tiny_model, folder)
    (folder / VMAP_FILE).unlink()
    target_only = [p for p in model_vocabulary(folder) if p in _pieces(folder / "target.spm")]
    (folder / "shared_vocabulary.json").write_text(json.dumps(target_only), "utf-8")
    assert write_vocabulary_map(folder) is None
    assert not (folder / VMAP_FILE).exists()


def _spy(translator: Translator) -> list[tuple[list[list[str]], dict[str, Any], list[list[str]]]]:
    """Record every CTranslate2 call: source batch, options, output pieces."""
    calls: list[tuple[list[list[str]], dict[str, Any], list[list[str]]]] = []
    real = translator.ct2

    class Spy:
        def translate_batch(self, source: list[list[str]], **kwargs: Any) -> Any:
            results = real.translate_batch(source, **kwargs)
            calls.append((source, kwargs, [list(r.hypotheses[0]) for r in results]))
            return results

    translator.ct2 = Spy()  # type: ignore[assignment]
    return calls


def _outside_shortlist(calls: list, target: set[str]) -> int:
    """Output pieces that are neither target pieces nor pieces of the call's own source."""
    outside = 0
    for source, _kwargs, outputs in calls:
        copyable = {p for s in source for p in s}
        outside += sum(1 for out in outputs for p in out if p not in target and p not in copyable)
    return outside


def test_engine_decodes_with_the_map(tiny_model: Path) -> None:
    target = _pieces(tiny_model / "target.spm")
    with_map = Translator(tiny_model, memory=TranslationMemory())
    calls = _spy(with_map)
    assert all(isinstance(t, str) for t in with_map.translate(SENTENCES))
    assert calls and all(kwargs["use_vmap"] is True for _s, kwargs, _o in calls)
    assert _outside_shortlist(calls, target) == 0

    options = TranslateOptions(use_vmap=False)
    without = Translator(tiny_model, options=options, memory=TranslationMemory())
    calls = _spy(without)
    without.translate(SENTENCES)
    assert calls and all(kwargs["use_vmap"] is False for _s, kwargs, _o in calls)


def test_the_map_removes_exactly_the_uncopyable_source_pieces(tiny_model: Path) -> None:
    """Long forced outputs of the random model, with and without the map: without it, pieces
    that are neither English nor in the sentence appear; with it, none do."""
    import ctranslate2

    target = _pieces(tiny_model / "target.spm")
    sp = spm.SentencePieceProcessor(model_file=str(tiny_model / "source.spm"))
    batch = [[*sp.encode(s, out_type=str), "</s>"] for s in SENTENCES]
    ct2 = ctranslate2.Translator(str(tiny_model), compute_type="int8", intra_threads=1)
    runs = {}
    for use_vmap in (False, True):
        results = ct2.translate_batch(
            batch, beam_size=2, min_decoding_length=40, max_decoding_length=40, use_vmap=use_vmap
        )
        runs[use_vmap] = [(batch, {}, [list(r.hypotheses[0]) for r in results])]
    assert _outside_shortlist(runs[False], target) > 0
    assert _outside_shortlist(runs[True], target) == 0


def test_the_map_is_part_of_the_memory_key(tiny_model: Path) -> None:
    memory = TranslationMemory()
    Translator(tiny_model, memory=memory).translate(SENTENCES[:1])
    again = Translator(tiny_model, options=TranslateOptions(use_vmap=False), memory=memory)
    calls = _spy(again)
    again.translate(SENTENCES[:1])
    assert len(calls) == 1  # a different shortlist setting is not served from the memory


def test_folder_without_map_decodes_without_it(tiny_model: Path, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(tiny_model, folder)
    (folder / VMAP_FILE).unlink()
    translator = Translator(folder, memory=TranslationMemory())
    calls = _spy(translator)
    translator.translate(SENTENCES[:2])
    assert calls and all(kwargs["use_vmap"] is False for _s, kwargs, _o in calls)


@pytest.mark.slow
def test_converter_writes_the_map_for_a_marian_checkpoint(tmp_path: Path) -> None:
    src = tmp_path / "ckpt"
    make_marian_checkpoint(src, seed=5)
    out = convert_marian(src, tmp_path / "out")
    vocab = model_vocabulary(out)
    target = _pieces(out / "target.spm")
    assert sum(p in target for p in vocab) < 0.9 * len(vocab)  # a joint vocabulary, as OPUS-MT's
    always, rules = _read_vmap(out / VMAP_FILE)
    assert set(always) == {p for p in vocab if p in target}
    assert set(rules) == {p for p in vocab if p not in target}
