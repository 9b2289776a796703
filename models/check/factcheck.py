"""Fact check of a translation, sentence by sentence: numbers, dates and names must survive.

For each (Norwegian, English) pair the facts of both sides are extracted with ``models.summary.facts``
and compared after normalisation (370.000 = 370,000; 2,5 = 2.5; "60 prosent" = "60 percent" =
"60%"; "tolv" = "twelve"; "12 millioner" = "12 million"; "torsdag" = "Thursday"). Flags (the
vocabulary is ``models.article.FLAGS``), each with a detail the GUI shows as a tooltip:

* ``number_missing`` / ``number_changed`` — a number or date of the original is absent, or a
  different one stands in its place (an extra number in the English also counts as changed);
* ``name_missing`` — a name of the original is absent from the English;
* ``copied_input`` — the "translation" is the Norwegian text itself;
* ``repetition`` — a decoding loop ("the war the war the war");
* ``length_ratio`` — the English is implausibly short or long for the original;
* ``unaligned`` — (``check`` only) a sentence with no counterpart.

Names, and why this does not cry wolf on a careful translation: a name counts as present when
the English holds it verbatim, with or without a genitive s ("Assads" -> "Assad's"), as a
close spelling (similarity >= 0.75, "al-Qaida" -> "al-Qaeda", "Damaskus" -> "Damascus"), as a
prefix of a longer word ("Syria" -> "Syrian"), or as one of the English forms in the small
exonym table below ("Tyrkia" -> "Turkey", "USA" -> "US"). Norwegian institution names that a
translator normally translates ("Stortinget", "Arbeiderpartiet") are not checked, because
their English forms vary too much to verify; acronyms, people, places and multi-word names are.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from models.article import FLAGS, Article, FlagDetail
from models.check.align import align_lengths
from models.summary.facts import RawFact, extract_from_text, known_name_words

# Norwegian exonyms whose English form is not a close spelling. Only where unavoidable: close
# spellings (Damaskus, Irak, Syria) are matched by similarity instead.
EXONYMS: dict[str, tuple[str, ...]] = {
    "tyrkia": ("turkey", "turkish", "türkiye", "turks"),
    "russland": ("russia", "russian", "russians", "moscow"),
    "tyskland": ("germany", "german", "germans"),
    "frankrike": ("france", "french"),
    "spania": ("spain", "spanish"),
    "hellas": ("greece", "greek"),
    "kina": ("china", "chinese"),
    "sveits": ("switzerland", "swiss"),
    "sverige": ("sweden", "swedish"),
    "norge": ("norway", "norwegian"),
    "danmark": ("denmark", "danish"),
    "island": ("iceland", "icelandic"),
    "storbritannia": ("britain", "british", "uk"),
    "nederland": ("netherlands", "dutch", "holland"),
    "belgia": ("belgium", "belgian"),
    "østerrike": ("austria", "austrian"),
    "polen": ("poland", "polish"),
    "ungarn": ("hungary", "hungarian"),
    "tsjekkia": ("czech", "czechia"),
    "hviterussland": ("belarus", "belarusian"),
    "litauen": ("lithuania", "lithuanian"),
    "estland": ("estonia", "estonian"),
    "irak": ("iraq", "iraqi", "iraqis"),
    "marokko": ("morocco", "moroccan"),
    "libanon": ("lebanon", "lebanese"),
    "kypros": ("cyprus", "cypriot"),
    "sør-afrika": ("south africa", "south african"),
    "nord-korea": ("north korea", "north korean"),
    "sør-korea": ("south korea", "south korean"),
    "saudi-arabia": ("saudi arabia", "saudi"),
    "europa": ("europe", "european"),
    "afrika": ("africa", "african"),
    "amerika": ("america", "american"),
    "usa": ("us", "usa", "united states", "america", "american", "u.s"),
    "fn": ("un", "united nations"),
    "eu": ("eu", "european union"),
    "moskva": ("moscow",),
    "kairo": ("cairo",),
    "brussel": ("brussels",),
    "wien": ("vienna",),
    "aten": ("athens",),
    "genève": ("geneva",),
    "eufrat": ("euphrates",),
    "midtøsten": ("middle east",),
    "middelhavet": ("mediterranean",),
    "nordsjøen": ("north sea",),
    "vestbredden": ("west bank",),
    "høyre": ("conservative", "conservatives", "høyre"),
    "venstre": ("liberal", "liberals", "venstre"),
    "gud": ("god",),
}
# Suffixes of Norwegian institution names that translators translate ("Stortinget").
_INSTITUTION_SUFFIXES = (
    "partiet",
    "tinget",
    "departementet",
    "direktoratet",
    "retten",
    "tilsynet",
    "politiet",
    "hospitalet",
    "sykehuset",
    "universitetet",
    "kommune",
    "regjeringen",
    "kirken",
)

_WORD = re.compile(r"\w+(?:[-'’.]\w+)*")
_LOWER_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class PairResult:
    """One aligned (original, translation) pair of ``nordbrief check``."""

    paragraph: int
    source: list[int]
    translation: list[int]
    source_text: str
    translation_text: str
    flags: list[str] = field(default_factory=list)
    flag_details: list[FlagDetail] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "paragraph": self.paragraph,
            "source": list(self.source),
            "translation": list(self.translation),
            "source_text": self.source_text,
            "translation_text": self.translation_text,
            "flags": list(self.flags),
            "flag_details": [d.to_json() for d in self.flag_details],
        }


@dataclass
class CheckResult:
    pairs: list[PairResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"pairs": [p.to_json() for p in self.pairs]}

    def flag_counts(self) -> dict[str, int]:
        counts: Counter[str] = Counter(f for p in self.pairs for f in p.flags)
        return {f: counts[f] for f in FLAGS if counts[f]}


def _fold(text: str) -> str:
    """Lowercase, accents removed (ø/æ/å kept), curly apostrophes straightened."""
    text = text.lower().replace("’", "'")
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch):
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _en_words(text: str) -> list[str]:
    """English word forms to look names up in: whole, genitive-less, and hyphen parts."""
    words: list[str] = []
    for m in _WORD.finditer(_fold(text)):
        w = m.group(0).rstrip(".")
        if w.endswith("'s"):
            w = w[:-2]
        elif w.endswith("'"):
            w = w[:-1]
        words.append(w)
        if "-" in w:
            words.extend(p for p in w.split("-") if p)
    return words


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) >= 4 and b.startswith(a) and len(b) - len(a) <= 3:
        return True  # Syria -> Syrian, Iraq -> Iraqi
    if min(len(a), len(b)) < 4:
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


_AR_PREFIX = re.compile(r"^(?:al|el|ad|an|ar|as|ash|at|az)-")


def _name_forms(token: str) -> set[str]:
    t = _fold(token)
    forms = {t}
    if t.endswith("s") and len(t) > 3:
        forms.add(t[:-1])
    for f in list(forms):
        forms.add(_AR_PREFIX.sub("", f))
    return forms


def name_present(name: str, translation: str) -> bool:
    """Is the Norwegian name ``name`` (value or surface) in the English ``translation``?"""
    folded = _fold(name)
    folded_text = _fold(translation)
    for key in {folded, folded.rstrip("s")}:
        for english in EXONYMS.get(key, ()):
            if re.search(r"(?<!\w)" + re.escape(english) + r"(?!\w)", folded_text):
                return True
    if folded in folded_text:
        return True
    words = _en_words(translation)
    parts = [p for p in re.split(r"\s+", name) if p and p.lower() not in ("for", "of", "de", "van", "von")]
    if not parts:
        return True
    hits = 0
    for part in parts:
        forms = _name_forms(part)
        sub = set()
        if "-" in part and not _AR_PREFIX.match(_fold(part)):
            sub = {p for p in _fold(part).split("-") if len(p) >= 3}
        if any(_similar(f, w) for f in forms for w in words if w[:1] == f[:1]) or (
            sub and all(any(_similar(s, w) for w in words) for s in sub)
        ):
            hits += 1
    # A multi-word name counts when most of it is there ("President Bashar al-Assad").
    return hits * 2 >= len(parts) if len(parts) > 1 else hits == 1


def _checkable_name(value: str) -> bool:
    low = value.lower()
    if " " not in value and any(low.endswith(suf) for suf in _INSTITUTION_SUFFIXES):
        return False
    return len(value) >= 2


def _number_key(f: RawFact) -> tuple[str, Any]:
    if isinstance(f.value, str):
        return ("date", f.value)
    return ("num", f.value)


def _same_number(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def _compare_numbers(src: Sequence[RawFact], tgt: Sequence[RawFact]) -> tuple[list[str], list[str]]:
    """(missing details, changed details) from the number and date facts of both sides."""
    left = [f for f in src if f.kind in ("number", "date")]
    right = [f for f in tgt if f.kind in ("number", "date")]
    unmatched_src: list[RawFact] = []
    pool = list(right)
    for f in left:
        k = _number_key(f)
        hit = next((g for g in pool if _number_key(g)[0] == k[0] and _same_number(g.value, f.value)), None)
        if hit is None:
            unmatched_src.append(f)
        else:
            pool.remove(hit)
    missing: list[str] = []
    changed: list[str] = []
    for f in unmatched_src:
        kind = _number_key(f)[0]
        swap = next((g for g in pool if _number_key(g)[0] == kind), None)
        what = "date" if f.kind == "date" else "number"
        if swap is not None:
            pool.remove(swap)
            changed.append(f"{what} '{f.text}' became '{swap.text}'")
        else:
            missing.append(f"{what} '{f.text}' is missing")
    for g in pool:
        what = "date" if g.kind == "date" else "number"
        changed.append(f"{what} '{g.text}' is not in the original")
    return missing, changed


def _repetition(text: str) -> str | None:
    """A phrase of 1-6 words repeated back to back (3x, or 4x for one word), or a 4-gram 3 times."""
    toks = [w.lower() for w in _WORD.findall(text)]
    for n in range(1, 7):
        need = 4 if n == 1 else 3
        for i in range(len(toks) - n * need + 1):
            unit = toks[i : i + n]
            if all(toks[i + k * n : i + (k + 1) * n] == unit for k in range(1, need)):
                return f"'{' '.join(unit)}' repeats {need} times in a row"
    grams = Counter(tuple(toks[i : i + 4]) for i in range(len(toks) - 3))
    if grams:
        gram, count = grams.most_common(1)[0]
        if count >= 3:
            return f"'{' '.join(gram)}' occurs {count} times"
    return None


def _copied(source: str, translation: str, names: Iterable[str]) -> str | None:
    name_words = {w.lower() for n in names for w in _LOWER_WORD.findall(n)}
    src = [w.lower() for w in _LOWER_WORD.findall(source) if len(w) >= 2]
    src = [w for w in src if w not in name_words]
    if not src:
        return None
    tgt = {w.lower() for w in _LOWER_WORD.findall(translation)}
    shared = sum(1 for w in src if w in tgt)
    if (len(src) >= 3 and shared / len(src) >= 0.7) or (
        _fold(source).strip() == _fold(translation).strip() and shared == len(src)
    ):
        return f"the English repeats {shared} of the original's {len(src)} Norwegian words untranslated"
    return None


def _length_ratio(source: str, translation: str) -> str | None:
    ls, lt = len(source.strip()), len(translation.strip())
    if ls == 0:
        return None
    if lt == 0:
        return "the translation is empty"
    ratio = lt / ls
    # English runs 0.75-1.3x Norwegian in characters on the seed translation; long texts vary
    # less, so their bounds are tighter (this also exposes a sentence added in a 1-2 merge).
    if ls >= 40 and not 0.6 <= ratio <= 1.5:
        return f"the translation is {ratio:.1f}x the original's length (expected about 0.8-1.3x)"
    if 25 <= ls < 40 and not 0.5 <= ratio <= 2.0:
        return f"the translation is {ratio:.1f}x the original's length (expected about 0.8-1.3x)"
    if ls < 25 and lt > 3 * ls + 20:
        return f"the translation is {ratio:.1f}x the original's length"
    return None


def check_pair(source: str, translation: str, known: set[str] | None = None) -> list[FlagDetail]:
    """Flags (with details, in ``FLAGS`` order) for one Norwegian text and its English."""
    if known is None:
        known = known_name_words([source])
    src_facts = extract_from_text(source, "nb", known)
    tgt_facts = extract_from_text(translation, "en", known_name_words([translation]))
    found: dict[str, list[str]] = {}
    names = [str(f.value) for f in src_facts if f.kind == "name" and isinstance(f.value, str)]
    copied = _copied(source, translation, names)
    if copied:
        # Untranslated text: number/name/length comparisons would only repeat the same problem.
        return [FlagDetail("copied_input", copied)]
    missing, changed = _compare_numbers(src_facts, tgt_facts)
    if missing:
        found["number_missing"] = missing
    if changed:
        found["number_changed"] = changed
    absent: list[str] = []
    for name in dict.fromkeys(names):
        if not _checkable_name(name):
            continue
        if not name_present(name, translation):
            absent.append(f"name '{name}' is missing")
    if absent:
        found["name_missing"] = absent
    rep = _repetition(translation)
    if rep and not _repetition(source):
        found["repetition"] = [rep]
    ratio = _length_ratio(source, translation)
    if ratio:
        found["length_ratio"] = [ratio]
    return [FlagDetail(flag, "; ".join(found[flag])) for flag in FLAGS if flag in found]


def _blocks_of(article: Article) -> list[list[int]]:
    """Sentence indices per paragraph (sentences outside any paragraph form their own)."""
    paras = [list(p.sentences) for p in article.paragraphs if p.sentences]
    if not paras and article.sentences:
        paras = [[s.index for s in article.sentences]]
    return paras


def check_aligned(original: Article, translation_text: str) -> CheckResult:
    """Align paragraphs, then sentences within paragraphs, and fact-check every pair."""
    from models.text.segment import segment

    english = segment(translation_text)
    known = known_name_words(s.text for s in original.sentences)
    src_paras = _blocks_of(original)
    tgt_paras = _blocks_of(english)

    def plen(article: Article, idx: list[int]) -> int:
        return sum(len(article.sentences[i].text) for i in idx)

    para_blocks = align_lengths([plen(original, p) for p in src_paras], [plen(english, p) for p in tgt_paras])
    result = CheckResult()
    last_para = 0
    for src_ids, tgt_ids in para_blocks:
        src_sents = [i for p in src_ids for i in src_paras[p]]
        tgt_sents = [i for p in tgt_ids for i in tgt_paras[p]]
        if src_sents:
            last_para = original.sentences[src_sents[0]].paragraph
        blocks = align_lengths(
            [len(original.sentences[i].text) for i in src_sents],
            [len(english.sentences[i].text) for i in tgt_sents],
        )
        for bs, bt in blocks:
            s_idx = [src_sents[i] for i in bs]
            t_idx = [tgt_sents[i] for i in bt]
            para = original.sentences[s_idx[0]].paragraph if s_idx else last_para
            s_text = " ".join(original.sentences[i].text for i in s_idx)
            t_text = " ".join(english.sentences[i].text for i in t_idx)
            pair = PairResult(para, s_idx, t_idx, s_text, t_text)
            if not s_idx or not t_idx:
                detail = (
                    "no English sentence corresponds to this Norwegian text"
                    if s_idx
                    else "this English sentence has no counterpart in the original"
                )
                pair.flag_details = [FlagDetail("unaligned", detail)]
            else:
                pair.flag_details = check_pair(s_text, t_text, known)
            pair.flags = [d.flag for d in pair.flag_details]
            result.pairs.append(pair)
    return result
