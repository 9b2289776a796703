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
import operator
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

from models.article import FLAGS, Article, FlagDetail
from models.check.align import align_lengths
from models.summary.facts import (
    UNIT_DIMENSION,
    RawFact,
    extract_from_text,
    known_name_words,
    name_table,
    name_titles,
)
from models.summary.facts import fold as _fold

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


_COMPASS = re.compile(
    r"^(?:nord|sør|øst|aust|vest|nordøst|nordaust|nordvest|sørøst|søraust|sørvest|midt)-(?=\w)"
)
_JOINERS = {"for", "of", "de", "van", "von", "der", "den", "og", "and", "i", "av", "al"}
# Fuzzy matching is bounded: a 140 KB "name" must not cost minutes (issue 14, item 3).
_MAX_FUZZY_WORD = 40
_MAX_NAME_WORDS = 12
# A capitalised English word, or one of the joiners inside a name ("Fish and Wildlife Commission").
_RUN_JOINERS = {"of", "and", "for", "the", "&", "de", "la", "on"}
# An English acronym may carry a plural or genitive: "AMs", "MPs", "LSU's".
_ACRONYM_TAIL = re.compile(r"(?:['’]s|s)$")


@dataclass
class English:
    """The English side, prepared once per pair for name look-ups."""

    folded: str
    caps: frozenset[str]  # folded capitalised words and acronyms, genitive-less, with hyphen parts
    by_initial: dict[str, tuple[str, ...]]
    acronyms: frozenset[str]
    initials: tuple[str, ...] = ()  # initials of each run of capitalised words ("rnc", "ffwc")

    @classmethod
    def of(cls, text: str) -> English:
        caps: set[str] = set()
        acronyms: set[str] = set()
        initials: list[str] = []
        run = ""
        for token in _WORD.findall(text):
            if token.islower():
                # Neither an acronym nor capitalised (most words); a joiner keeps a run going.
                if token not in _RUN_JOINERS and run:
                    initials.append(run)
                    run = ""
                continue
            raw = token.rstrip(".")
            core = _ACRONYM_TAIL.sub("", raw).replace(".", "")
            if len(core) >= 2 and core.isupper() and core.isalpha():
                acronyms.add(core.lower())
            parts = [p for p in raw.split("-") if p]
            if not any(p[:1].isupper() for p in parts):
                if run:
                    initials.append(run)
                    run = ""
                continue
            run += raw[:1].lower()
            w = _fold(raw)
            if w.endswith("'s"):
                w = w[:-2]
            elif w.endswith("'"):
                w = w[:-1]
            caps.add(w)
            if "." in w:
                caps.add(w.replace(".", ""))  # U.N. -> un, F.B.I. -> fbi
            for raw_part, part in zip(parts, w.split("-"), strict=False):
                if raw_part[:1].isupper() and part:
                    caps.add(part)
        if run:
            initials.append(run)
        by_initial: dict[str, list[str]] = {}
        for w in caps:
            by_initial.setdefault(w[:1], []).append(w)
        return cls(
            _fold(text),
            frozenset(caps),
            {k: tuple(v) for k, v in by_initial.items()},
            frozenset(acronyms),
            tuple(i for i in initials if len(i) >= 2),
        )

    def has_phrase(self, phrase: str, inflected: bool = False) -> bool:
        """``phrase`` as whole words; ``inflected`` lets a long last word take an ending
        ("congress" -> "Congressional", "tweet" -> "tweeted")."""
        return _phrase_pattern(phrase, inflected and len(phrase) >= 5).search(self.folded) is not None

    def has_word_like(self, form: str) -> bool:
        if form in self.caps or form + "s" in self.caps or form + "es" in self.caps:
            return True
        if len(form) > _MAX_FUZZY_WORD:
            return False
        if any(_similar(form, w) for w in self.by_initial.get(form[:1], ())):
            return True
        cognate = _cognate(form)
        return cognate != form and any(_similar(cognate, w) for w in self.by_initial.get(cognate[:1], ()))

    def has_word_starting(self, head: str) -> bool:
        return any(w.startswith(head) for w in self.by_initial.get(head[:1], ()))

    def has_expansion(self, acronym: str) -> bool:
        """A Norwegian acronym spelt out in the English: "RNC" = "Republican National Committee",
        "FWC" = "(Florida) Fish and Wildlife Commission" (its initials within a capitalised run)."""
        a = acronym.lower()
        return any(a == i or (len(a) >= 3 and a in i) for i in self.initials)


@lru_cache(maxsize=8192)
def _phrase_pattern(phrase: str, inflected: bool) -> re.Pattern[str]:
    """Compiled once per phrase: the same table forms and names recur in every pair."""
    tail = r"\w{0,4}" if inflected else ""
    return re.compile(r"(?<!\w)" + re.escape(phrase) + tail + r"(?!\w)")


# Regular spelling correspondences of Norwegian and English cognates, applied to a Norwegian
# word before the fuzzy comparison: "Demokratiske" ~ "Democratic", "Republikanske" ~
# "Republican", "Teknologi" ~ "Technology", "nasjonal" ~ "national".
_COGNATE_RULES = (
    (re.compile(r"sjon"), "tion"),
    (re.compile(r"(?:iske|isk)$"), "ic"),
    (re.compile(r"(?:anske|ansk)$"), "an"),
    (re.compile(r"k"), "c"),
    (re.compile(r"ø"), "o"),
    (re.compile(r"æ"), "a"),
)


def _cognate(form: str) -> str:
    for pattern, repl in _COGNATE_RULES:
        form = pattern.sub(repl, form)
    return form


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) >= 4 and b.startswith(a) and len(b) - len(a) <= 3:
        return True  # Syria -> Syrian, Iraq -> Iraqi
    shorter, longer = sorted((len(a), len(b)))
    # ratio = 2 * matches / (len(a) + len(b)) cannot reach 0.75 when the lengths differ too much.
    if shorter < 4 or shorter < 0.6 * longer:
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


_AR_PREFIX = re.compile(r"^(?:al|el|ad|an|ar|as|ash|at|az)-")
# Norwegian plural endings on a foreign name: "Ryder Cupar" (Ryder Cups), "Oscarane".
_PLURAL_NB = re.compile(r"(?:ane|ene|ar)$")


def _name_forms(token: str) -> list[str]:
    t = _fold(token)
    forms = [t]
    if t.endswith("'s"):
        forms.append(t[:-2])
    elif t.endswith("s") and len(t) >= 3:
        forms.append(t[:-1])  # genitive, also of a short name: "Ris tale" = "Ri's speech"
    if len(t) >= 5 and _PLURAL_NB.search(t):
        forms.append(_PLURAL_NB.sub("", t))
    for f in list(forms):
        bare = _AR_PREFIX.sub("", f)
        if bare != f:
            forms.append(bare)
    return forms


def _in_table(forms: Iterable[str], english: English) -> bool | None:
    """True/False when the name table knows one of ``forms``; None when it knows none."""
    table = name_table()[0]
    known = False
    for form in forms:
        # Norwegian definite and genitive endings: "Kongressen", "Senatets", "Vesten".
        bare = _DEFINITE.sub("", form) if len(form) >= 6 else form
        for key in dict.fromkeys((form, bare)):
            for en in table.get(key, ()):
                known = True
                if english.has_phrase(en, inflected=True):
                    return True
    return False if known else None


_DEFINITE = re.compile(r"(?:ene|ane|ets|ens|et|en|a)$")


def _word_present(word: str, english: English) -> bool:
    forms = _name_forms(word)
    listed = _in_table(forms, english)
    if listed:
        return True
    if any(english.has_word_like(f) for f in forms):
        return True
    folded = forms[0]
    compass = _COMPASS.match(folded)
    if compass:  # Sør-California -> Southern California, Aust-Europa -> eastern Europe
        return _in_table([folded[: compass.end() - 1]], english) is not False and _word_present(
            word[compass.end() :], english
        )
    if "-" in folded and not _AR_PREFIX.match(folded):
        parts = [p for p in folded.split("-") if len(p) >= 3][:_MAX_NAME_WORDS]
        if parts and all(english.has_word_like(p) for p in parts):
            return True
    if "-" not in folded and 7 <= len(folded) <= _MAX_FUZZY_WORD:
        # A Norwegian compound whose first part is the name: Koreakrigen (Korean War),
        # Europaligaen (Europa League), Asialekene (Asian Games).
        for k in range(len(folded) - 3, 3, -1):
            head, tail = folded[:k], folded[k:]
            if not tail.isalpha():
                continue
            if _in_table([head], english) or english.has_word_starting(head):
                return True
    return False


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def name_present(name: str, translation: str | English) -> bool:
    """Is the Norwegian name ``name`` (value or surface) in the English ``translation``?

    Every distinctive word of a multi-word name must be there (a capitalised English word of a
    close spelling or a regular cognate, a form from the name table, or its initials as an
    acronym: "LSU"); a leftover "beach" does not stand for "Ponto Beach", nor "Manchester" for
    "Manchester City". Titles inside the run ("Senator", "Mr") are not the name; a sub-phrase
    the table knows counts as one ("United States Drought Monitor" = "U.S. Drought Monitor"); the
    generic last word of coordinated names may be plural ("Lee and Collier counties").
    """
    english = translation if isinstance(translation, English) else English.of(translation)
    folded = _fold(name)
    if _in_table(_name_forms(name), english) or english.has_phrase(folded):
        return True
    if " " not in name and 2 <= len(name) <= 6 and name.isupper() and english.has_expansion(name):
        return True
    titles = name_titles()
    words = [p for p in name.split() if p and p.lower() not in _JOINERS]
    parts = [p for p in words if _fold(p).rstrip(".") not in titles] or words
    if not parts:
        return True
    if len(parts) > _MAX_NAME_WORDS or len(name) > 400:
        return False  # not a name anyone writes; only the verbatim match above counts
    if len(parts) >= 2:
        # Its initials as an English acronym: "New York" -> "NY"/"NYC", "Louisiana State
        # University" -> "LSU".
        initials = "".join(_fold(p)[0] for p in parts)
        if any(w.startswith(initials) and len(w) <= len(initials) + 1 for w in english.acronyms):
            return True
    covered = [False] * len(parts)
    if len(parts) >= 2:
        table = name_table()[0]
        for n in range(len(parts), 1, -1):
            for i in range(len(parts) - n + 1):
                key = " ".join(_fold(p) for p in parts[i : i + n])
                if key in table and _in_table([key], english):
                    covered[i : i + n] = [True] * n
    last = len(parts) - 1
    for i, p in enumerate(parts):
        if covered[i] or _word_present(p, english):
            continue
        if i == last and i > 0 and english.has_phrase(_plural(_fold(p))):
            continue  # "Collier County" in "Lee and Collier counties"
        return False
    return True


def _checkable_name(value: str) -> bool:
    low = value.lower()
    if " " not in value and any(low.endswith(suf) for suf in _INSTITUTION_SUFFIXES):
        return False
    return len(value) >= 2


def _what(f: RawFact) -> str:
    return "date" if f.kind == "date" else "number"


def _converted(a: RawFact, b: RawFact) -> bool:
    """Is ``b`` the same quantity as ``a`` in another unit (250 kg ~ 550 pounds, 25 cm ~ 10 inches)?"""
    if a.unit not in UNIT_DIMENSION or b.unit not in UNIT_DIMENSION:
        return False
    if a.unit == b.unit and UNIT_DIMENSION[a.unit][0] != "temperature":
        return False  # "grader" and "degrees" may be Celsius and Fahrenheit
    dim_a, fa = UNIT_DIMENSION[a.unit]
    dim_b, fb = UNIT_DIMENSION[b.unit]
    if dim_a != dim_b or not isinstance(a.value, int | float) or not isinstance(b.value, int | float):
        return False
    va, vb = float(a.value), float(b.value)
    if dim_a == "temperature":
        # Celsius <-> Fahrenheit, as a reading (26.5 -> 80) or as a difference (5.5 -> 10).
        candidates = [va * 1.8 + 32, va * 1.8, (va - 32) / 1.8, va / 1.8]
    else:
        candidates = [va * fa / fb]
    # Translators round conversions ("250 kg" -> "550 pound" is 551; "7 cm" -> "3 inches" is 2.76).
    return any(abs(vb - c) <= max(0.12 * abs(c), 0.6) for c in candidates)


@dataclass
class _Numbers:
    """The number/date comparison of one pair: what is left unmatched on each side (hard facts
    only) and the unit conversions found."""

    left: list[RawFact]
    right: list[RawFact]
    converted: list[str]


def _match_numbers(
    src: Sequence[RawFact], tgt: Sequence[RawFact], translation: str | None = None, source: str | None = None
) -> _Numbers:
    """Pair the number and date facts of both sides.

    Hard facts (digits, dates, clock times) match first among themselves, then word forms among
    themselves; then a leftover pair in related units is a unit conversion (info), before word
    forms may take hard facts (the "andre" of "Andre områder" must not take the "2" of "2 inches"
    that "5 cm" converts to). Last, an English date word the original holds verbatim ("Sunday"
    of "The Sunday Times", kept in English in the Norwegian) is there.
    """
    left = [f for f in src if f.kind in ("number", "date")]
    right = [f for f in tgt if f.kind in ("number", "date")]
    used_l = [False] * len(left)
    used_r = [False] * len(right)
    keys_l = [f.match_keys() for f in left]
    keys_r = [g.match_keys() for g in right]

    def match(want_l: bool, want_r: bool) -> None:
        for i, f in enumerate(left):
            if used_l[i] or f.soft != want_l:
                continue
            for j, g in enumerate(right):
                if not used_r[j] and g.soft == want_r and keys_l[i] & keys_r[j]:
                    used_l[i] = used_r[j] = True
                    break

    match(False, False)
    match(True, True)
    converted: list[str] = []
    for j, g in enumerate(right):
        if used_r[j] or (g.soft and g.unit is None):
            continue
        # Unmatched source first (the translator converted), then matched ones (the English adds
        # the conversion in brackets: "72 km (45 miles)"). A bracketed figure only restates: it
        # never stands in for a figure the English left out ("speeds of kph (497 mph)").
        bracketed = translation is not None and translation[max(0, g.start - 3) : g.start].rstrip().endswith(
            "("
        )
        unmatched = [] if bracketed else [i for i in range(len(left)) if not used_l[i]]
        order = unmatched + [i for i in range(len(left)) if used_l[i]]
        for i in order:
            if _converted(left[i], g):
                converted.append(f"'{left[i].text}' is given as '{g.text}' (a unit conversion)")
                used_l[i] = used_r[j] = True
                break
    # Word forms with hard facts: a "to" must not take the "2" that another "2" needed.
    match(True, False)
    match(False, True)
    if source is not None:
        for j, g in enumerate(right):
            if not used_r[j] and not g.soft and any(c.isalpha() for c in g.text):
                used_r[j] = _phrase_pattern(g.text, False).search(source) is not None
    return _Numbers(
        [f for i, f in enumerate(left) if not used_l[i] and not f.soft],
        [g for j, g in enumerate(right) if not used_r[j] and not g.soft],
        converted,
    )


def _number_details(numbers: _Numbers) -> tuple[list[str], list[str]]:
    """(missing, changed) details: a leftover of the original with a leftover of the same kind
    in the English is a change, alone it is missing; an English leftover alone was added."""
    missing: list[str] = []
    changed: list[str] = []
    pool = list(numbers.right)
    for f in numbers.left:
        swap = next((g for g in pool if _what(g) == _what(f)), None)
        if swap is not None:
            pool.remove(swap)
            changed.append(f"{_what(f)} '{f.text}' became '{swap.text}'")
        else:
            missing.append(f"{_what(f)} '{f.text}' is missing")
    for g in pool:
        changed.append(f"{_what(g)} '{g.text}' is not in the original")
    return missing, changed


def _compare_numbers(
    src: Sequence[RawFact], tgt: Sequence[RawFact], translation: str | None = None, source: str | None = None
) -> tuple[list[str], list[str], list[str]]:
    """(missing, changed, converted) details from the number and date facts of both sides."""
    numbers = _match_numbers(src, tgt, translation, source)
    missing, changed = _number_details(numbers)
    return missing, changed, numbers.converted


def _repetition(text: str) -> str | None:
    """A phrase of 1-6 words repeated back to back (3x, or 4x for one word), or a 4-gram 3 times."""
    toks = [w.lower() for w in _WORD.findall(text)]
    # Every loop below spans 4+ consecutive words that each occur 3+ times in the text; without
    # such a stretch (almost every sentence: "the" thrice is not a stretch) there is none.
    frequent = {w for w, c in Counter(toks).items() if c >= 3}
    run = longest = 0
    for w in toks:
        run = run + 1 if w in frequent else 0
        if run > longest:
            longest = run
    if longest < 4:
        return None
    for n in range(1, 7):
        need = 4 if n == 1 else 3
        # A phrase of n words repeated `need` times from i is a run of n x (need - 1) positions p
        # with toks[p] == toks[p + n]: one linear pass per n (a byte string searched for a run of
        # ones), not a slice comparison per position.
        same = bytes(map(operator.eq, toks, toks[n:]))
        i = same.find(b"\x01" * (n * (need - 1)))
        if i >= 0:
            return f"'{' '.join(toks[i : i + n])}' repeats {need} times in a row"
    four = list(zip(toks, toks[1:], toks[2:], toks[3:], strict=False))
    if len(four) - len(set(four)) < 2:
        return None  # no 4-gram can occur three times (most sentences repeat none)
    gram, count = Counter(four).most_common(1)[0]
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
        shared == len(src) and _fold(source).strip() == _fold(translation).strip()
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


_GLOSS_OPEN = re.compile(r"\s*\(\s*")
_GLOSS_CLOSE = re.compile(r"^\s*\)")


@dataclass
class _Pair:
    """One pair analysed, before its flags are written: kept so that neighbouring pairs of one
    paragraph can settle facts that moved across a sentence boundary."""

    source: str
    translation: str
    copied: str | None = None
    numbers: _Numbers | None = None
    absent: list[str] = field(default_factory=list)
    english: English | None = None
    names: list[str] = field(default_factory=list)


def _glossed(names: list[RawFact], source: str) -> dict[int, int]:
    """Bracketed name -> the name it restates, right before it: "RNC (Republican National
    Committee)", "American Civil Liberties Union (Amerikansk Sivil Frihets Union)". Only the
    bracketed one is excused: the name before it must be there in its own right."""
    out: dict[int, int] = {}
    for i, (a, b) in enumerate(pairwise(names)):
        if _GLOSS_OPEN.fullmatch(source[a.end : b.start]) and _GLOSS_CLOSE.match(source[b.end : b.end + 3]):
            out[i + 1] = i
    return out


def _analyse(source: str, translation: str, known: set[str]) -> _Pair:
    src_facts = extract_from_text(source, "nb", known)
    tgt_facts = extract_from_text(translation, "en", names=False)
    name_facts = [f for f in src_facts if f.kind == "name" and isinstance(f.value, str)]
    names = [str(f.value) for f in name_facts]
    pair = _Pair(source, translation, names=names)
    pair.copied = _copied(source, translation, names)
    if pair.copied:
        return pair
    pair.numbers = _match_numbers(src_facts, tgt_facts, translation, source)
    english = pair.english = English.of(translation)
    present = {i: name_present(n, english) for i, n in enumerate(names) if _checkable_name(n)}
    # A bracketed restatement is there when what it restates is.
    for i, j in _glossed(name_facts, source).items():
        if i in present and not present[i] and present.get(j):
            present[i] = True
    pair.absent = list(dict.fromkeys(names[i] for i, ok in present.items() if not ok))
    return pair


def _details(pair: _Pair) -> list[FlagDetail]:
    if pair.copied:
        # Untranslated text: number/name/length comparisons would only repeat the same problem.
        return [FlagDetail("copied_input", pair.copied)]
    found: dict[str, list[str]] = {}
    if pair.numbers is not None:
        missing, changed = _number_details(pair.numbers)
        if missing:
            found["number_missing"] = missing
        if changed:
            found["number_changed"] = changed
        if pair.numbers.converted:
            found["unit_converted"] = pair.numbers.converted
    if pair.absent:
        found["name_missing"] = [f"name '{name}' is missing" for name in pair.absent]
    rep = _repetition(pair.translation)
    if rep and not _repetition(pair.source):
        found["repetition"] = [rep]
    ratio = _length_ratio(pair.source, pair.translation)
    if ratio:
        found["length_ratio"] = [ratio]
    return [FlagDetail(flag, "; ".join(found[flag])) for flag in FLAGS if flag in found]


def _settle_neighbours(pairs: Sequence[_Pair]) -> None:
    """Within one paragraph, a fact the sentence alignment put in the neighbouring pair is there:
    a leftover number of one pair equal to a leftover of the next pair's other side (a sentence
    split at "U.N." moved "Thursday" along), a name missing from one pair's English that the
    next pair's English holds while the next pair's Norwegian does not name it."""
    for a, b in pairwise(pairs):
        for x, y in ((a, b), (b, a)):
            if x.numbers is None or y.numbers is None:
                continue
            for f in list(x.numbers.left):
                keys = f.match_keys()
                g = next((g for g in y.numbers.right if keys & g.match_keys()), None)
                if g is not None:
                    x.numbers.left.remove(f)
                    y.numbers.right.remove(g)
            if x.absent and y.english is not None:
                x.absent = [n for n in x.absent if n in y.names or not name_present(n, y.english)]


def check_pair(source: str, translation: str, known: set[str] | None = None) -> list[FlagDetail]:
    """Flags (with details, in ``FLAGS`` order) for one Norwegian text and its English."""
    if known is None:
        known = known_name_words([source])
    return _details(_analyse(source, translation, known))


def _blocks_of(article: Article) -> list[list[int]]:
    """Sentence indices per paragraph (sentences outside any paragraph form their own)."""
    paras = [list(p.sentences) for p in article.paragraphs if p.sentences]
    if not paras and article.sentences:
        paras = [[s.index for s in article.sentences]]
    return paras


def check_aligned(original: Article, translation_text: str) -> CheckResult:
    """Align paragraphs, then sentences within paragraphs, and fact-check every pair."""
    from models.text.segment import segment

    english = segment(translation_text, glued_headlines=False)
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
        if len(src_sents) == 1 or len(tgt_sents) == 1:
            # One sentence on a side of an aligned paragraph pair: there is nothing to align.
            blocks = [(list(range(len(src_sents))), list(range(len(tgt_sents))))]
        else:
            blocks = align_lengths(
                [len(original.sentences[i].text) for i in src_sents],
                [len(english.sentences[i].text) for i in tgt_sents],
            )
        analysed: list[tuple[PairResult, _Pair]] = []
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
                pair.flags = ["unaligned"]
                result.pairs.append(pair)
                continue
            analysed.append((pair, _analyse(s_text, t_text, known)))
            result.pairs.append(pair)
        _settle_neighbours([a for _p, a in analysed])
        for pair, a in analysed:
            pair.flag_details = _details(a)
            pair.flags = [d.flag for d in pair.flag_details]
    return result
