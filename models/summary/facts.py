"""Fact extraction: numbers, dates and names per sentence, with offsets into the article text.

Facts serve two jobs: the summarizer counts them (news bullets should carry the key figures and
actors), and the fact checker compares them between a Norwegian sentence and its English
translation. So the same extractor reads both languages (``lang="nb"`` or ``"en"``) and
normalises values (370.000 -> 370000, "12 millioner" -> 12000000, "torsdag" -> "thursday") so
the two sides can be compared directly.

Names rely on a property of Norwegian: only proper nouns are capitalised inside a sentence. A
capitalised word at the start of a sentence counts as a name only when it is an acronym or the
same word also occurs capitalised inside a sentence elsewhere in the article.

Extraction never raises on any text: all patterns are plain regexes without nested repetition,
and values that do not fit a float (a 5,000-digit number) become ``None``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from models.article import Article, Fact

# --- vocabularies -------------------------------------------------------------------------------

WEEKDAYS_NB = {
    "mandag": "monday",
    "tirsdag": "tuesday",
    "onsdag": "wednesday",
    "torsdag": "thursday",
    "fredag": "friday",
    "lørdag": "saturday",
    "søndag": "sunday",
}
WEEKDAYS_EN = {v: v for v in WEEKDAYS_NB.values()}

MONTHS_NB = {
    "januar": "january",
    "februar": "february",
    "mars": "march",
    "april": "april",
    "mai": "may",
    "juni": "june",
    "juli": "july",
    "august": "august",
    "september": "september",
    "oktober": "october",
    "november": "november",
    "desember": "december",
}
MONTHS_EN = {v: v for v in MONTHS_NB.values()}

# Relative dates a translation must keep ("i fjor" -> "last year").
RELATIVE_NB = {
    "i fjor": "last_year",
    "i går": "yesterday",
    "i morgen": "tomorrow",
    "i forfjor": "two_years_ago",
}
RELATIVE_EN = {"last year": "last_year", "yesterday": "yesterday", "tomorrow": "tomorrow"}

# Number words. "en/ett/ei" and "one" are left out on purpose: they are mostly articles
# ("et av de siste angrepene" = "one of the latest attacks"), and counting them would make
# the checker cry wolf.
NUMBER_WORDS_NB = {
    "to": 2,
    "tre": 3,
    "fire": 4,
    "fem": 5,
    "seks": 6,
    "sju": 7,
    "syv": 7,
    "åtte": 8,
    "ni": 9,
    "ti": 10,
    "elleve": 11,
    "tolv": 12,
    "tretten": 13,
    "fjorten": 14,
    "femten": 15,
    "seksten": 16,
    "sytten": 17,
    "atten": 18,
    "nitten": 19,
    "tjue": 20,
    "tyve": 20,
    "tretti": 30,
    "tredve": 30,
    "førti": 40,
    "femti": 50,
    "seksti": 60,
    "sytti": 70,
    "åtti": 80,
    "nitti": 90,
    "hundre": 100,
    "tusen": 1000,
}
NUMBER_WORDS_EN = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
}

SCALES_NB = {
    "hundre": 100,
    "tusen": 1_000,
    "million": 1_000_000,
    "millioner": 1_000_000,
    "mill": 1_000_000,
    "mill.": 1_000_000,
    "mln": 1_000_000,
    "mln.": 1_000_000,
    "milliard": 1_000_000_000,
    "milliarder": 1_000_000_000,
    "mrd": 1_000_000_000,
    "mrd.": 1_000_000_000,
}
SCALES_EN = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "mln": 1_000_000,
    "m": 1_000_000,
    "billion": 1_000_000_000,
    "billions": 1_000_000_000,
    "bn": 1_000_000_000,
}

# Attribution verbs/phrases: a sentence saying who said it is a checkable, quotable fact.
ATTRIBUTION_NB = (
    "ifølge",
    "sier",
    "sa",
    "opplyser",
    "opplyste",
    "melder",
    "meldte",
    "forteller",
    "fortalte",
    "bekrefter",
    "bekreftet",
    "uttaler",
    "uttalte",
    "skriver",
    "skrev",
    "fastslår",
    "mener",
    "hevder",
)

# Lowercase particles allowed inside a multi-word name ("Syrian Observatory for Human Rights").
_NAME_JOINERS = {"for", "of", "de", "van", "von", "der", "den", "bin", "ibn", "da", "del", "la", "le", "al"}
# Arabic-style lowercase prefixes of names: "al-Sham", "el-Sisi", "bin-Salman".
_NAME_PREFIX = re.compile(r"^(?:al|el|ad|an|ar|as|ash|at|az|ibn|bin|abu|abd|ben)-(?=[A-ZÆØÅÄÖÜ])")

_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")
_UPPER = re.compile(r"^[A-ZÆØÅÄÖÜÉÈ]")

# Digits with optional thousands groups and decimals; the group/decimal marks differ by language
# and are resolved in ``_parse_number``.
_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:(?:[.,]|[ \u00a0\u202f])\d{3}(?!\d))+(?:[.,]\d+)?(?![\w])|(?<![\w])\d+(?:[.,]\d+)?"
)
_ORDINAL_EN = re.compile(r"(?<![\w])(\d+)(?:st|nd|rd|th)\b")
_START_GAP = re.compile(r"[:«\"“”!?]\s*$|(?:^|\s)[-–—]\s*$")
_YEAR = re.compile(r"^(?:1[5-9]\d\d|20\d\d)$")


def _lang_tables(
    lang: str,
) -> tuple[dict[str, int], dict[str, int], dict[str, str], dict[str, str], dict[str, str]]:
    if lang == "en":
        return NUMBER_WORDS_EN, SCALES_EN, WEEKDAYS_EN, MONTHS_EN, RELATIVE_EN
    return NUMBER_WORDS_NB, SCALES_NB, WEEKDAYS_NB, MONTHS_NB, RELATIVE_NB


def _finite(value: float) -> float | int | None:
    """JSON-safe numeric value: ints stay ints, overflow becomes None."""
    if not math.isfinite(value):
        return None
    if value == int(value) and abs(value) < 1e15:
        return int(value)
    return round(value, 6)


def _parse_number(raw: str, lang: str) -> float | None:
    """Norwegian: ``.``/space group thousands, ``,`` is the decimal mark; English the reverse.

    A group mark counts as one only before exactly three digits ("370.000" nb, "370,000" en);
    otherwise either mark is read as a decimal ("2.5" in a Norwegian text is still 2.5).
    """
    s = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    group = "," if lang == "en" else "."
    parts = re.split(r"([.,])", s)
    digits = ""
    for i, part in enumerate(parts):
        if part in ".,":
            nxt = parts[i + 1] if i + 1 < len(parts) else ""
            after = parts[i + 2] if i + 2 < len(parts) else ""
            if part == group and len(nxt) == 3 and after in ("", group, "." if group == "," else ","):
                continue
            digits += "."
        else:
            digits += part
    if digits.count(".") > 1:
        digits = digits.split(".", 1)[0]
    try:
        return float(digits)
    except ValueError:
        return None


@dataclass
class RawFact:
    """A fact found in a plain string (offsets relative to that string)."""

    kind: str
    text: str
    value: float | int | str | None
    start: int
    end: int


class _Taken:
    """Character spans already claimed by a fact.

    A mask rather than a list of spans: one 5,000-word sentence with no full stop holds thousands
    of facts, and scanning every earlier span per token made extraction quadratic.
    """

    def __init__(self, length: int) -> None:
        self._mask = bytearray(length)

    def overlaps(self, start: int, end: int) -> bool:
        return 1 in self._mask[start:end]

    def add(self, start: int, end: int) -> None:
        self._mask[start:end] = b"\x01" * (end - start)


def _dates(text: str, lang: str) -> list[RawFact]:
    _nw, _sc, weekdays, months, relative = _lang_tables(lang)
    out: list[RawFact] = []
    for phrase, value in relative.items():
        # Match case-insensitively on the text itself: text.lower() can change the length ("İ" ->
        # "i̇"), which shifted every later offset (fuzz seed 1, index 7341).
        for m in re.finditer(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text, re.I):
            out.append(RawFact("date", text[m.start() : m.end()], value, m.start(), m.end()))
    # "19. august 2019", "august 19, 2019", "March 2019", "mars".
    month_alt = "|".join(months)
    if lang == "en":
        pat = re.compile(
            r"(?<!\w)(" + month_alt + r")(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?(?:,?\s+(\d{4}))?(?!\w)", re.I
        )
        for m in pat.finditer(text):
            if m.group(1)[0].islower() and m.group(1).lower() == "may":
                continue  # the modal verb "may"
            month = months[m.group(1).lower()]
            out.append(RawFact("date", m.group(0), _date_value(month, m.group(2), m.group(3)), *m.span()))
    else:
        pat = re.compile(r"(?<!\w)(?:(\d{1,2})\.\s*)?(" + month_alt + r")(?:\s+(\d{4}))?(?!\w)", re.I)
        for m in pat.finditer(text):
            month = months[m.group(2).lower()]
            out.append(RawFact("date", m.group(0), _date_value(month, m.group(1), m.group(3)), *m.span()))
    day_alt = "|".join(weekdays)
    for m in re.finditer(r"(?<!\w)(" + day_alt + r")(?:en|ens|er|s)?(?!\w)", text, re.I):
        out.append(RawFact("date", m.group(0), weekdays[m.group(1).lower()], *m.span()))
    return out


def _date_value(month: str, day: str | None, year: str | None) -> str:
    value = month
    if day:
        value = f"{month} {int(day)}"
    if year:
        value = f"{value} {year}"
    return value


# Matched in place (``pattern.match(text, pos)``): slicing ``text[end:]`` per number was quadratic.
_SCALE_WORD = re.compile(r"[ \u00a0]+([A-Za-zæøåÆØÅ]+\.?)")
_UNIT_TAIL = re.compile(r"\s?(%|prosent|percent|per cent|kroner|kr\b|NOK|dollar|dollars|euro|euros)")


def _numbers(text: str, lang: str, taken: _Taken) -> list[RawFact]:
    number_words, scales, _wd, _mo, _rel = _lang_tables(lang)
    out: list[RawFact] = []
    found: list[tuple[int, int, float | None]] = []
    for m in _NUMBER.finditer(text):
        if taken.overlaps(*m.span()):
            continue
        found.append((m.start(), m.end(), _parse_number(m.group(0), lang)))
    if lang == "en":
        for m in _ORDINAL_EN.finditer(text):
            if not any(s <= m.start(1) < e for s, e, _ in found):
                found.append((m.start(), m.end(), float(m.group(1))))
    for m in _TOKEN.finditer(text):
        word = m.group(0).lower()
        if word in number_words and not taken.overlaps(*m.span()):
            found.append((m.start(), m.end(), float(number_words[word])))
    found.sort()
    i = 0
    while i < len(found):
        start, end, value = found[i]
        # Multiply by a following scale word: "12 millioner", "2,5 mill.", "tre hundre".
        while True:
            m = _SCALE_WORD.match(text, end)
            if not m:
                break
            word = m.group(1).lower()
            scale = scales.get(word) or scales.get(word.rstrip("."))
            if not scale:
                break
            # "mill." keeps its dot; a full stop after "millioner." ends the sentence instead.
            trailing_dot = word.endswith(".") and word not in scales
            word_end = m.end() - (1 if trailing_dot else 0)
            value = value * scale if value is not None else None
            # Skip a number-word scale that we already listed separately ("tre hundre").
            if i + 1 < len(found) and found[i + 1][0] < word_end:
                i += 1
            end = word_end
        raw = text[start:end]
        kind = "number"
        if _YEAR.match(raw) and value is not None:
            kind = "date"  # a bare year such as 2011
        fact_value: float | int | str | None = _finite(value) if value is not None else None
        # Percent / currency words stay in the fact text so a reader sees what the number counts.
        tail = _UNIT_TAIL.match(text, end)
        if tail:
            end = tail.end()
            raw = text[start:end]
        head = re.search(r"(kr\.?|NOK|\$|€|USD)\s?$", text[max(0, start - 5) : start])
        if head:
            start -= len(head.group(0))
            raw = text[start:end]
        out.append(RawFact(kind, raw, fact_value, start, end))
        i += 1
    return out


def _strip_genitive(word: str, known: set[str]) -> str:
    """'Assads' -> 'Assad' when 'Assad' is also known; acronyms lose their genitive 's'."""
    if re.fullmatch(r"[A-ZÆØÅ]{2,}s", word):
        return word[:-1]
    if word.endswith("s") and len(word) > 3:
        base = word[:-1]
        if base in known or _NAME_PREFIX.sub("", base) in known:
            return base
    return word


def _name_tokens(text: str) -> list[tuple[int, int, str, bool]]:
    """Tokens that look like parts of names: (start, end, token, at_sentence_start)."""
    toks: list[tuple[int, int, str, bool]] = []
    prev_end = 0
    first = True
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        start, end = m.span()
        gap = text[prev_end:start]
        # A new sentence-like start: the very first token, or after a colon, quote or dash.
        at_start = first or bool(_START_GAP.search(gap))
        first = False
        prev_end = end
        toks.append((start, end, tok, at_start))
    return toks


def _is_namey(tok: str) -> bool:
    if _NAME_PREFIX.match(tok):
        return True
    return bool(_UPPER.match(tok)) and not tok.isdigit()


def _is_acronym(tok: str) -> bool:
    head = tok.split("-", 1)[0]
    return bool(re.fullmatch(r"[A-ZÆØÅ]{2,}s?", head))


def _trim_compound(tok: str) -> str:
    """'USA-ledede' -> 'USA', 'Assad-regimets' -> 'Assad'; 'Nord-Korea', 'Jong-il' stay whole."""
    if _NAME_PREFIX.match(tok):
        return tok
    parts = tok.split("-")
    keep = [parts[0]]
    for part in parts[1:]:
        if part[:1].isupper() or len(part) <= 3:
            keep.append(part)
        else:
            break
    return "-".join(keep)


def known_name_words(sentences: Iterable[str]) -> set[str]:
    """Capitalised words seen inside sentences (not at their start): evidence they are names."""
    known: set[str] = set()
    for text in sentences:
        for _s, _e, tok, at_start in _name_tokens(text):
            if not at_start and _is_namey(tok):
                trimmed = _trim_compound(tok)
                known.add(trimmed)
    return known


def _names(text: str, taken: _Taken, known: set[str]) -> list[RawFact]:
    toks = _name_tokens(text)
    out: list[RawFact] = []
    i = 0
    while i < len(toks):
        start, end, tok, at_start = toks[i]
        if taken.overlaps(start, end) or not _is_namey(tok) or tok.isdigit():
            i += 1
            continue
        trimmed = _trim_compound(tok)
        ok = not at_start or _is_acronym(trimmed) or trimmed in known or trimmed.rstrip("s") in known
        if len(trimmed) < 2 or (len(trimmed) == 1 and not trimmed.isupper()):
            ok = False
        if not ok:
            i += 1
            continue
        parts = [trimmed]
        name_start, name_end = start, start + len(trimmed)
        j = i + 1
        # Grow a multi-word name over single spaces and a few lowercase joiners.
        while trimmed == tok and j < len(toks):
            s2, e2, t2, st2 = toks[j]
            gap = text[toks[j - 1][1] : s2]
            if gap != " " or st2 or taken.overlaps(s2, e2):
                break
            if _is_namey(t2):
                t2t = _trim_compound(t2)
                parts.append(t2t)
                name_end = s2 + len(t2t)
                j += 1
                if t2t != t2:
                    break
                continue
            if t2 in _NAME_JOINERS and j + 1 < len(toks) and _is_namey(toks[j + 1][2]):
                if text[e2 : toks[j + 1][0]] != " ":
                    break
                parts.append(t2)
                j += 1
                continue
            break
        # Drop a trailing joiner that found no name after it.
        while parts and parts[-1] in _NAME_JOINERS:
            parts.pop()
        surface = text[name_start:name_end]
        words = surface.split(" ")
        words[-1] = _strip_genitive(words[-1], known)
        value = " ".join(words)
        out.append(RawFact("name", surface, value, name_start, name_end))
        i = j
    return out


def extract_from_text(text: str, lang: str = "nb", known: set[str] | None = None) -> list[RawFact]:
    """All facts in one string, sorted by position; ``known`` holds names from the rest of the article."""
    if known is None:
        known = known_name_words([text])
    dates = _dates(text, lang)
    taken = _Taken(len(text))
    kept_dates: list[RawFact] = []
    for d in sorted(dates, key=lambda f: (f.start, -(f.end - f.start))):
        if not taken.overlaps(d.start, d.end):
            kept_dates.append(d)
            taken.add(d.start, d.end)
    numbers = _numbers(text, lang, taken)
    for n in numbers:
        taken.add(n.start, n.end)
    names = _names(text, taken, known)
    facts = kept_dates + numbers + names
    facts.sort(key=lambda f: (f.start, f.end))
    return facts


def extract_facts(article: Article, lang: str = "nb") -> list[Fact]:
    """Facts of every sentence of ``article`` with offsets into ``article.text``."""
    known = known_name_words(s.text for s in article.sentences)
    facts: list[Fact] = []
    for s in article.sentences:
        for f in extract_from_text(s.text, lang, known):
            facts.append(Fact(s.index, f.kind, f.text, f.value, s.start + f.start, s.start + f.end))
    return facts


def attribution_count(text: str) -> int:
    """How many attribution words ("ifølge", "sier" ...) a Norwegian sentence holds."""
    low = text.lower()
    return sum(1 for m in _TOKEN.finditer(low) if m.group(0) in ATTRIBUTION_NB)
