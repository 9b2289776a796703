"""Fact extraction: numbers, dates and names per sentence, with offsets into the article text.

Facts serve two jobs: the summarizer counts them (news bullets should carry the key figures and
actors), and the fact checker compares them between a Norwegian sentence and its English
translation. So the same extractor reads both languages (``lang="nb"`` — Bokmål and Nynorsk —
or ``"en"``) and normalises values (370.000 -> 370000, "12 millioner" -> 12000000, "torsdag" ->
"thursday", "kl. 15.00" -> "15:00") so the two sides can be compared directly.

The vocabularies come from maintained data, not hand lists: month and weekday names (wide and
abbreviated, nb, nn and en) from CLDR through Babel, number words and ordinals from num2words.
Each fact says how sure it is: digits, dates and clock times are *hard*; number words, ordinal
words, quantity words ("hundreds", "a decade", "twice") and relative dates ("i går") are *soft*
(``RawFact.soft``): a translator may render them many ways, so they can match the other side but
are never reported missing on their own. Numbers keep their measurement unit (``RawFact.unit``)
so the checker can recognise a unit conversion (250 kg -> 550 pounds).

Names rely on a property of Norwegian: only proper nouns are capitalised inside a sentence. A
capitalised word at the start of a sentence counts as a name only when it is an acronym or the
same word also occurs capitalised inside a sentence elsewhere in the article; function words
("Det", "Han", "Jeg": the stop-words package's nb/nn list) are never names.

Extraction never raises on any text: all patterns are plain regexes without nested repetition,
and values that do not fit a float (a 5,000-digit number) become ``None``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise

from models.article import Article, Fact

# --- vocabularies (CLDR via Babel, num2words), built once on first use --------------------------


@cache
def _locale(code: str):  # type: ignore[no-untyped-def]
    from babel import Locale

    return Locale.parse(code)


_EN_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_EN_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@cache
def months(lang: str) -> dict[str, str]:
    """Month name or abbreviation (lowercase, no dot) -> English month name, from CLDR."""
    out: dict[str, str] = {}
    codes = ("en",) if lang == "en" else ("nb", "nn")
    for code in codes:
        data = _locale(code).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in data[context][width].items():
                    out[name.lower().rstrip(".")] = _EN_MONTHS[number - 1]
    if lang == "en":
        out["sept"] = "september"  # the AP style abbreviation, not in CLDR's English
    _ABBREVIATED[lang] = frozenset(
        k + "."
        for k in out
        if len(k) <= 4 and k not in ("mai", "may", "juni", "june", "juli", "july", "mars")
    )
    return out


_ABBREVIATED: dict[str, frozenset[str]] = {}


@cache
def weekdays(lang: str) -> dict[str, str]:
    """Weekday name (lowercase) -> English weekday name, from CLDR (nb and nn for Norwegian)."""
    out: dict[str, str] = {}
    for code in ("en",) if lang == "en" else ("nb", "nn"):
        for number, name in _locale(code).days["format"]["wide"].items():
            out[name.lower()] = _EN_WEEKDAYS[number]
    return out


@cache
def number_words(lang: str) -> dict[str, float]:
    """Cardinal and ordinal number words (2-99, hundreds, thousands) -> value, from num2words.

    "en/ett/ei/ein/eitt" and "one" are left out on purpose: they are mostly articles ("et av de
    siste angrepene" = "one of the latest attacks").
    """
    from num2words import num2words

    code = "en" if lang == "en" else "no"
    out: dict[str, float] = {}
    for n in range(2, 100):
        out[num2words(n, lang=code).replace(" ", "")] = n
    for n in range(1, 100):
        out[num2words(n, lang=code, to="ordinal").replace(" ", "")] = n
    if lang == "en":
        out.update({"hundred": 100, "thousand": 1000})
    else:
        # num2words writes Bokmål's "syv"; "sju" is the other official form and the only Nynorsk one,
        # "tyve"/"tredve" the older Bokmål tens.
        out.update({"sju": 7, "sjuende": 7, "tyve": 20, "tredve": 30, "hundre": 100, "tusen": 1000})
    return out


# Quantity words a translator uses for a number ("to ganger" -> "twice", "ti år" -> "a decade").
_QUANTITY_WORDS = {
    "en": {
        "twice": 2, "couple": 2, "pair": 2, "double": 2, "both": 2, "dozen": 12, "dozens": 12,
        "decade": 10, "decades": 10, "hundreds": 100, "thousands": 1000, "millions": 1e6,
        "half": 0.5, "quarter": 0.25,
    },
    "nb": {
        "dusin": 12, "dusinvis": 12, "tiår": 10, "tiåret": 10, "hundrevis": 100,
        "tusenvis": 1000, "millionvis": 1e6, "halv": 0.5, "halvparten": 0.5, "dobbelt": 2,
        "begge": 2, "båe": 2, "par": 2, "kvart": 0.25, "døgn": 24, "døgnet": 24,
    },
}  # fmt: skip

# Tails that make a Norwegian compound of a number word: "trettenåring" (13-year-old),
# "firepoengs" (four-point), "tomannsbolig" stays out (no tail listed for it).
_COMPOUND_TAIL = re.compile(
    r"(?:år|åring|åringen|åringer|åringar|årig|årige|dagers|døgn|ukers|vekers|måneders|månaders|"
    r"timers|minutters|poeng|poengs|mål|meter|meters|etasjes|sifret)$"
)

SCALES_NB = {
    "hundre": 100,
    "tusen": 1_000,
    "million": 1_000_000,
    "millioner": 1_000_000,
    "millionen": 1_000_000,
    "millionene": 1_000_000,
    "millionar": 1_000_000,
    "millionane": 1_000_000,
    "mill": 1_000_000,
    "mill.": 1_000_000,
    "mln": 1_000_000,
    "mln.": 1_000_000,
    "milliard": 1_000_000_000,
    "milliarder": 1_000_000_000,
    "milliarden": 1_000_000_000,
    "milliardene": 1_000_000_000,
    "milliardar": 1_000_000_000,
    "mrd": 1_000_000_000,
    "mrd.": 1_000_000_000,
    "billion": 1_000_000_000_000,
    "billioner": 1_000_000_000_000,
}
SCALES_EN = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "mln": 1_000_000,
    "mn": 1_000_000,
    "m": 1_000_000,
    "billion": 1_000_000_000,
    "billions": 1_000_000_000,
    "bn": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
# Scales written straight after the digits in English ("£125m", "$3bn", "£11million", "20k").
_ATTACHED_SCALE_EN = re.compile(r"(million|billion|trillion|bn|m|k)(?![\w])", re.I)
_ATTACHED_VALUE = {"million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6, "k": 1e3}

# Relative dates ("i fjor" -> "last year"). Soft: "i går" is "yesterday" or "last night".
RELATIVE_NB = {
    "i fjor": "last_year",
    "i går": "yesterday",
    "i går kveld": "yesterday",
    "i morgen": "tomorrow",
    "i morgon": "tomorrow",
    "i forfjor": "two_years_ago",
    "i dag": "today",
    "i kveld": "tonight",
    "i natt": "tonight",
}
RELATIVE_EN = {
    "last year": "last_year",
    "yesterday": "yesterday",
    "last night": "yesterday",
    "tomorrow": "tomorrow",
    "today": "today",
    "tonight": "tonight",
}

# Measurement units: surface (lowercase) -> unit key, and unit key -> (dimension, factor to SI).
_UNITS_NB = {
    "%": "%",
    "prosent": "%",
    "prosentpoeng": "pp",
    "km/t": "km/h",
    "km/h": "km/h",
    # Speed written out, as Nynorsk and careful Bokmål do: "135 kilometer i timen".
    "kilometer i timen": "km/h",
    "km i timen": "km/h",
    "kilometer per time": "km/h",
    "km per time": "km/h",
    "kilometer": "km",
    "kilometers": "km",
    "km": "km",
    "meter": "m",
    "meters": "m",
    "m": "m",
    "cm": "cm",
    "centimeter": "cm",
    "mm": "mm",
    "millimeter": "mm",
    "mil": "mil",
    "kg": "kg",
    "kilo": "kg",
    "kilogram": "kg",
    "gram": "g",
    "tonn": "t",
    "grader": "deg",
    "graders": "deg",
    "grad": "deg",
    "°c": "degC",
    "°": "deg",
    "liter": "l",
    "knop": "knot",
    "dekar": "daa",
    "mål": "daa",
    "hektar": "ha",
    "kvadratkilometer": "km2",
    "km²": "km2",
    "kroner": "NOK",
    "kr": "NOK",
    "nok": "NOK",
    "dollar": "USD",
    "euro": "EUR",
    "pund": "GBP",
}
_UNITS_EN = {
    "%": "%", "percent": "%", "per cent": "%", "percentage points": "pp", "percentage point": "pp",
    "km/h": "km/h", "kph": "km/h", "mph": "mph", "miles per hour": "mph", "km": "km",
    "kilometers": "km", "kilometres": "km", "kilometer": "km", "kilometre": "km", "miles": "mile",
    "mile": "mile", "meters": "m", "metres": "m", "meter": "m", "metre": "m", "m": "m", "cm": "cm",
    "centimeters": "cm", "centimetres": "cm", "mm": "mm", "inches": "inch", "inch": "inch",
    "in": "inch", "feet": "ft", "foot": "ft", "ft": "ft", "yards": "yd", "yard": "yd", "kg": "kg",
    "kilograms": "kg", "kilos": "kg", "kilo": "kg", "grams": "g", "pounds": "lb", "pound": "lb",
    "lb": "lb", "lbs": "lb", "stone": "st", "tons": "t", "tonnes": "t", "ton": "t", "tonne": "t",
    "degrees": "deg", "degree": "deg", "°f": "degF", "°c": "degC", "°": "deg", "gallons": "gal",
    "gallon": "gal", "liters": "l", "litres": "l", "acres": "acre", "acre": "acre",
    "hectares": "ha", "hectare": "ha", "knots": "knot", "square miles": "mi2", "dollars": "USD",
    "dollar": "USD", "euros": "EUR", "euro": "EUR",
}  # fmt: skip
UNIT_DIMENSION: dict[str, tuple[str, float]] = {
    "km": ("length", 1000.0), "m": ("length", 1.0), "cm": ("length", 0.01), "mm": ("length", 0.001),
    "mil": ("length", 10_000.0), "mile": ("length", 1609.344), "ft": ("length", 0.3048),
    "inch": ("length", 0.0254), "yd": ("length", 0.9144), "kg": ("mass", 1.0), "g": ("mass", 0.001),
    "t": ("mass", 1000.0), "lb": ("mass", 0.45359237), "st": ("mass", 6.35029318),
    "km/h": ("speed", 1 / 3.6), "mph": ("speed", 0.44704), "knot": ("speed", 0.514444),
    "l": ("volume", 1.0), "gal": ("volume", 3.785411784), "daa": ("area", 1000.0),
    "ha": ("area", 10_000.0), "acre": ("area", 4046.8564224), "km2": ("area", 1e6),
    "mi2": ("area", 2_589_988.11), "deg": ("temperature", 1.0), "degC": ("temperature", 1.0),
    "degF": ("temperature", 1.0),
}  # fmt: skip
_CURRENCY_HEAD = re.compile(r"(US\$|\$|€|£|¥|kr\.?|NOK|USD|EUR|GBP|SEK|DKK)\s?$")
_CURRENCY_KEY = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "kr": "NOK", "kr.": "NOK"}


def _unit_pattern(units: dict[str, str]) -> re.Pattern[str]:
    alt = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    return re.compile(r"(?:\s|-|\u00a0)?(" + alt + r")(?![\w²])", re.I)


_UNIT_RE = {"nb": _unit_pattern(_UNITS_NB), "en": _unit_pattern(_UNITS_EN)}

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

_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")
_LETTERS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

# Digits with optional thousands groups and decimals; the group/decimal marks differ by language
# and are resolved in ``_parse_number``.
_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:(?:[.,]|[ \u00a0\u202f])\d{3}(?!\d))+(?:[.,]\d+)?(?![\w])|(?<![\w])\d+(?:[.,]\d+)?"
)
_ORDINAL_EN = re.compile(r"(?<![\w])(\d+)(?:st|nd|rd|th)\b")
_START_GAP = re.compile(r"[:«\"“”!?]\s*$|(?:^|\s)[-–—‘']\s*$")
_SENTENCE_GAP = re.compile(r"[.!?…][\"»”’)]*\s+[\"«“‘(]*$")
_YEAR = re.compile(r"^(?:1[5-9]\d\d|20\d\d)$")
_RANGE_GAP = re.compile(r"^\s*(?:[-–—]|til|og|to|and|or|eller|à)\s*$")


@cache
def _stop_words() -> frozenset[str]:
    """Norwegian (nb + nn) function words: "Det", "Han", "Jeg" at a sentence start are no names."""
    from stop_words import get_stop_words

    return frozenset(get_stop_words("norwegian")) | {"ifølge", "iflg", "slike", "sjølv", "også"}


def fold(text: str) -> str:
    """Lowercase, accents removed (ø and æ have none to remove), curly apostrophes straightened."""
    if text.isascii():
        return text.lower()  # the common case (English words, most names): nothing to decompose
    if len(text) <= 64:
        return _fold_short(text)
    return _fold(text)


def _fold(text: str) -> str:
    text = text.lower().replace("’", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


# Names and words repeat across an article's sentences: fold each short one once.
_fold_short = lru_cache(maxsize=16_384)(_fold)


@cache
def name_table() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """(Norwegian name -> English forms, acronyms that are common nouns) from CLDR + models/data."""
    table, common, _titles = _name_data()
    return table, common


@cache
def name_titles() -> frozenset[str]:
    """Titles and honorifics (folded) that stand inside a name run but are not the name: "Senator
    Elizabeth Warren" is "Sen. Elizabeth Warren", "Mr Bean" is "Bean" (models/data, "~" lines)."""
    return _name_data()[2]


@cache
def _name_data() -> tuple[dict[str, tuple[str, ...]], frozenset[str], frozenset[str]]:
    table: dict[str, set[str]] = {}
    en = _locale("en").territories
    for code in ("nb", "nn"):
        for key, name in _locale(code).territories.items():
            if key in en and not key.isdigit():
                table.setdefault(fold(name), set()).add(fold(en[key]))
    common: set[str] = set()
    titles: set[str] = set()
    raw = resources.files("models").joinpath("data/names_nb_en.tsv").read_text(encoding="utf-8")
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("!"):
            common.add(line[1:].strip())
            continue
        if line.startswith("~"):
            titles.update(fold(t.strip()) for t in line[1:].split("|") if t.strip())
            continue
        nb, _, forms = line.partition("\t")
        table.setdefault(fold(nb.strip()), set()).update(
            fold(f.strip()) for f in forms.split("|") if f.strip()
        )
    return {k: tuple(sorted(v)) for k, v in table.items()}, frozenset(common), frozenset(titles)


@cache
def _currency_codes() -> frozenset[str]:
    """ISO 4217 codes (CLDR): "GBP 125 millioner" is an amount, not a name."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def _finite(value: float) -> float | int | None:
    """JSON-safe numeric value: ints stay ints, overflow becomes None."""
    if not math.isfinite(value):
        return None
    if value == int(value) and abs(value) < 1e15:
        return int(value)
    return round(value, 6)


_MARK_SPLIT = re.compile(r"([.,])")


def _parse_number(raw: str, lang: str) -> float | None:
    """Norwegian: ``.``/space group thousands, ``,`` is the decimal mark; English the reverse.

    A group mark counts as one only before exactly three digits ("370.000" nb, "370,000" en);
    otherwise either mark is read as a decimal ("2.5" in a Norwegian text is still 2.5).
    """
    s = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    group = "," if lang == "en" else "."
    parts = _MARK_SPLIT.split(s)
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
    """A fact found in a plain string (offsets relative to that string).

    ``soft``: a word form a translator may render many ways; it can match but never alarms alone.
    ``unit``: a measurement/currency unit key (see ``UNIT_DIMENSION``). ``keys``: what the fact
    may equal on the other side (a clock time "kl. 7" is 07:00 or 19:00); empty means ``value``.
    """

    kind: str
    text: str
    value: float | int | str | None
    start: int
    end: int
    soft: bool = False
    unit: str | None = None
    keys: frozenset[tuple[str, object]] = field(default_factory=frozenset)

    def match_keys(self) -> frozenset[tuple[str, object]]:
        if self.keys:
            return self.keys
        if isinstance(self.value, str):
            return frozenset({("d", self.value)})
        if self.value is None:
            return frozenset({("x", self.text)})
        return frozenset({("n", _finite(float(self.value)))})


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


# --- dates and clock times ---------------------------------------------------------------------


@cache
def _date_patterns(lang: str) -> tuple[re.Pattern[str], ...]:
    month_alt = "|".join(re.escape(m) for m in sorted(months(lang), key=len, reverse=True))
    day_alt = "|".join(re.escape(d) for d in sorted(weekdays(lang), key=len, reverse=True))
    month = r"(?P<month>" + month_alt + r")\.?"
    if lang == "en":
        day_first = re.compile(
            r"(?<![\w.])(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
            + month
            + r"(?:,?\s+(?P<year>\d{4}))?(?!\w)",
            re.I,
        )
        month_first = re.compile(
            r"(?<![\w.])"
            + month
            + r"(?:\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?!\d))?(?:,?\s+(?P<year>\d{4}))?(?!\w)",
            re.I,
        )
        pats = [day_first, month_first]
    else:
        # A Norwegian month also takes a genitive ("februars seier") and opens compounds
        # ("novembervalet", "1. oktoberrøystinga"); only names of 4+ (genitive) or 5+ letters
        # (compound) do, so "mais" (maize), "marsjere" and "junior" stay words.
        tail = r"(?:(?P<mtail>(?<=[^\W\d_]{4})s|(?<=[^\W\d_]{5})[^\W\d_]{3,})|\.)?"
        pats = [
            re.compile(
                r"(?<![\w.])(?:(?P<day>\d{1,2})\.\s*)?(?P<month>"
                + month_alt
                + ")"
                + tail
                + r"(?:,?\s+(?P<year>\d{4}))?(?!\w)",
                re.I,
            )
        ]
    weekday = re.compile(r"(?<!\w)(?P<wd>" + day_alt + r")(?P<tail>\w*)", re.I)
    numeric = re.compile(r"(?<![\w.,/])(\d{1,2})([./])(\d{1,2})\2((?:19|20)\d\d|\d\d)(?![\w.,/]?\d)")
    return (*pats, weekday, numeric)


# "May" is a month only next to a day or year or after a word that introduces a time.
_MAY_CONTEXT = re.compile(
    r"(?:\b(?:in|on|of|since|until|till|by|from|to|last|next|this|early|late|mid|end|between|during|"
    r"before|after|through)[\s-]+)$",
    re.I,
)


# Norwegian "mars" alone is the month only after a word that introduces a time.
_MARS_CONTEXT = re.compile(
    r"(?:\b(?:i|fra|frå|til|innen|innan|siden|sidan|før|etter|medio|primo|ultimo|av|om|hele|heile|"
    r"tidlig|tidleg|sent|seint|neste|forrige|førre|sist|i slutten av|i begynnelsen av)\s+)$",
    re.I,
)


@cache
def _relative_pattern(lang: str) -> re.Pattern[str]:
    phrases = sorted(RELATIVE_EN if lang == "en" else RELATIVE_NB, key=len, reverse=True)
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(p).replace(r"\ ", " ") for p in phrases) + r")(?!\w)", re.I
    )


def _date_value(month: str, day: str | None, year: str | None) -> str:
    value = month
    if day:
        value = f"{month} {int(day)}"
    if year:
        value = f"{value} {year}"
    return value


_NEXT_WORD = re.compile(r" ([A-ZÆØÅ][\w'’]*)")
_LAST_YEAR_NB = re.compile(r"(?<!\w)fjorårets?|(?<!\w)fjorårs", re.I)
_WEEKDAY_TAIL_NB = re.compile(r"(?:en|ens|er|ene|s|s\w{3,})")
_WORD_BEFORE = re.compile(r"(?:^|(?P<lead>[.!?:\"“«(])\s*|\s)(?P<word>[A-ZÆØÅ][\w'’]*) $")


def _next_word(text: str, end: int) -> str:
    m = _NEXT_WORD.match(text, end, end + 40)
    return m.group(1) if m else ""


@cache
def _weekday_suffix(lang: str) -> str:
    """What every weekday name ends in ("dag", "day"): a sentence without it names no weekday."""
    names = list(weekdays(lang))
    n = 0
    while n < min(map(len, names)) and len({name[-1 - n] for name in names}) == 1:
        n += 1
    return names[0][len(names[0]) - n :]


def _dates(text: str, lang: str, digits: bool = True) -> list[RawFact]:
    out: list[RawFact] = []
    relative = RELATIVE_EN if lang == "en" else RELATIVE_NB
    # Match case-insensitively on the text itself: text.lower() can change the length ("İ" ->
    # "i̇"), which shifted every later offset (fuzz seed 1, index 7341).
    for m in _relative_pattern(lang).finditer(text):
        value = relative.get(" ".join(m.group(0).lower().split()))
        if value is None:  # a case-folding oddity ("İ går"): not worth a guess
            continue
        out.append(RawFact("date", m.group(0), value, m.start(), m.end(), soft=True))
    if lang != "en":
        for m in _LAST_YEAR_NB.finditer(text):
            out.append(RawFact("date", m.group(0), "last_year", m.start(), m.end(), soft=True))
    *month_pats, weekday_pat, numeric_pat = _date_patterns(lang)
    month_names = months(lang)
    if lang == "en" and not digits:
        month_pats = month_pats[1:]  # the day-first form starts with digits
    for pat in month_pats:
        for m in pat.finditer(text):
            surface = m.group("month")
            key = surface.lower()
            day, year = m.group("day"), m.group("year")
            if lang == "en":
                if (
                    key == "may"
                    and not (day or year)
                    and not _MAY_CONTEXT.search(text[max(0, m.start() - 40) : m.start()])
                ):
                    continue  # the modal verb "may" or the name "Theresa May"
                if surface[0].islower() and key in ("may", "march"):
                    continue
                # An abbreviation alone ("until Oct.") needs its capital and its dot: "Jan
                # Gelfand" is a name.
                alone = len(key) <= 4 and key not in ("may", "june", "july") and not (day or year)
                if alone and (not surface[0].isupper() or text[m.end() - 1 : m.end()] != "."):
                    continue
            elif len(key) <= 4 and key not in ("mai", "mars", "juni", "juli") and not (day or year):
                continue  # alone, "jan" is a name and "jul." is Christmas
            elif (
                key == "mars"
                and not (day or year)
                and not _MARS_CONTEXT.search(text[max(0, m.start() - 40) : m.start()])
            ):
                continue  # "demokratiets ubønnhørlige mars" is a march
            if day and not 1 <= int(day) <= 31:
                day = None
            value = _date_value(month_names[key], day, year)
            start, end = m.span()
            if not year and text[end - 1 : end] == "." and key + "." not in _ABBREVIATED[lang]:
                end -= 1  # "14. september." ends the sentence; only "okt." keeps its dot
            mtail = m.groupdict().get("mtail")
            # A compound ("novembervalet") names the month but not as a date a reader checks.
            soft = mtail is not None and mtail.lower() not in ("", "s")
            out.append(RawFact("date", text[start:end], value, start, end, soft=soft))
    names = weekdays(lang)
    for m in weekday_pat.finditer(text) if _weekday_suffix(lang) in text.lower() else ():
        tail = m.group("tail").lower()
        if tail and lang == "en" and tail not in ("s",):
            continue
        if tail and lang != "en" and not _WEEKDAY_TAIL_NB.fullmatch(tail):
            continue
        if lang != "en" and m.group("wd")[0].isupper():
            # A capitalised Norwegian weekday inside a name: "Supersøndag Live", "Fox News Søndag".
            nxt = _next_word(text, m.end())
            if nxt and nxt.lower() not in months(lang) and not nxt.isdigit():
                continue
            prev = _WORD_BEFORE.search(text[max(0, m.start() - 40) : m.start()])
            if prev and not prev.group("lead") and prev.start() > 0:
                continue
        # English weekdays are always capitalised, so capitals around one say nothing ("told the
        # General Assembly Saturday", "This Saturday New York"); one inside a title the Norwegian
        # keeps ("The Sunday Times") is matched by the checker as a word the original holds.
        out.append(RawFact("date", m.group(0), names[m.group("wd").lower()], *m.span()))
    for m in numeric_pat.finditer(text) if digits else ():
        a, b, year = int(m.group(1)), int(m.group(3)), m.group(4)
        if len(year) == 2:
            year = "20" + year
        keys: set[tuple[str, object]] = set()
        if 1 <= b <= 12 and 1 <= a <= 31:
            keys.add(("d", _date_value(_EN_MONTHS[b - 1], str(a), year)))
        if m.group(2) == "/" and 1 <= a <= 12 and 1 <= b <= 31:
            keys.add(("d", _date_value(_EN_MONTHS[a - 1], str(b), year)))  # US month/day/year
        if keys:
            first = sorted(keys)[0][1]
            out.append(RawFact("date", m.group(0), str(first), *m.span(), keys=frozenset(keys)))
    return out


_CLOCK_NB = re.compile(r"(?<!\w)(?:kl|klokka|klokken)\.?\s*(\d{1,2})(?:[.:](\d{2}))?(?!\d|[.,]\d)", re.I)
_CLOCK_BARE = re.compile(r"(?<![\w.,:])([01]?\d|2[0-3])[.:]([0-5]\d)(?![\d]|[.,]\d)")
_CLOCK_RANGE = re.compile(r"\s*(?:-|–|til|og|to)\s*(\d{1,2})(?:[.:](\d{2}))?(?![\d\w]|[.,]\d)")
_SCALE_AFTER = re.compile(
    r"[ \u00a0]+(?:hundre|tusen|mill|mln|mrd|milliard\w*|million\w*|billion\w*)(?!\w)", re.I
)
_CLOCK_EN = re.compile(r"(?<![\w.,:])(\d{1,2})(?:[:.](\d{2}))?\s?([ap])\.?\s?m\b\.?", re.I)
_CLOCK_EN_COLON = re.compile(r"(?<![\w.,:])([01]?\d|2[0-3]):([0-5]\d)(?!\d)")


def _clock(hour: int, minute: int, ampm: str | None, ambiguous: bool) -> frozenset[tuple[str, str]]:
    if ampm:
        hour = hour % 12 + (12 if ampm.lower() == "p" else 0)
    keys = {("t", f"{hour}:{minute:02d}")}
    if ambiguous and 1 <= hour <= 12:
        keys.add(("t", f"{(hour + 12) % 24}:{minute:02d}"))
    return frozenset(keys)


def _times(text: str, lang: str) -> list[RawFact]:
    out: list[RawFact] = []
    if lang == "en":
        for m in _CLOCK_EN.finditer(text):
            h, mi = int(m.group(1)), int(m.group(2) or 0)
            if h <= 12 and mi < 60:
                keys = _clock(h, mi, m.group(3), False)
                out.append(RawFact("date", m.group(0).rstrip(), sorted(keys)[0][1], *m.span(), keys=keys))
        for m in _CLOCK_EN_COLON.finditer(text):
            keys = _clock(int(m.group(1)), int(m.group(2)), None, True)
            out.append(RawFact("date", m.group(0), sorted(keys)[0][1], *m.span(), keys=keys))
        return out
    for m in _CLOCK_NB.finditer(text):
        h, mi = int(m.group(1)), int(m.group(2) or 0)
        if h <= 24 and mi < 60:
            keys = _clock(h % 24, mi, None, m.group(2) is None)
            out.append(RawFact("date", m.group(0), sorted(keys)[0][1], *m.span(), keys=keys))
            # "klokka 12 og 13", "kl. 10-12": the second end of the range is a clock time too.
            r = _CLOCK_RANGE.match(text, m.end())
            if r and int(r.group(1)) <= 24 and int(r.group(2) or 0) < 60:
                keys = _clock(int(r.group(1)) % 24, int(r.group(2) or 0), None, r.group(2) is None)
                end = r.end()
                out.append(
                    RawFact("date", text[r.start(1) : end], sorted(keys)[0][1], r.start(1), end, keys=keys)
                )
    for m in _CLOCK_BARE.finditer(text):
        after = text[m.end() : m.end() + 20]
        if _UNIT_RE["nb"].match(after) or _SCALE_AFTER.match(after):
            continue  # "1.05 millionar", "2.5 prosent": a decimal number, not a time of day
        clock = _clock(int(m.group(1)), int(m.group(2)), None, False)
        # Without "kl." a "2.53" may as well be a decimal ("ein 2.53 ERA"): both readings count.
        number: frozenset[tuple[str, object]] = frozenset(
            {("n", _finite(float(m.group(0).replace(":", ".").replace(",", "."))))}
        )
        out.append(RawFact("date", m.group(0), sorted(clock)[-1][1], *m.span(), keys=clock | number))
    return out


_CENTURY_NB = re.compile(r"(?<![\w.,])(\d{2,4})-(?:tal|talet|tallet|tallets|talls|åra|årene)(?!\w)", re.I)
_CENTURY_EN = re.compile(r"(?<![\w.,])(\d{1,2})(?:st|nd|rd|th)[\s-]century(?!\w)", re.I)
_DECADE_EN = re.compile(r"(?<![\w.,])'?(\d{2}|\d{4})s(?!\w)")


def _periods(text: str, lang: str) -> list[RawFact]:
    """Centuries and decades: "1800-tallet" = "the 19th century" = "the 1800s"; "80-tallet" = "80s"."""
    out: list[RawFact] = []
    if lang == "en":
        for m in _CENTURY_EN.finditer(text):
            n = int(m.group(1))
            keys = frozenset({("c", n), ("dec", (n - 1) * 100)})
            out.append(RawFact("date", m.group(0), f"century {n}", *m.span(), keys=keys))
        for m in _DECADE_EN.finditer(text):
            n = int(m.group(1))
            out.append(RawFact("date", m.group(0), f"{n}s", *m.span(), keys=_decade_keys(n)))
        return out
    for m in _CENTURY_NB.finditer(text):
        n = int(m.group(1))
        out.append(RawFact("date", m.group(0), f"{n}s", *m.span(), keys=_decade_keys(n)))
    return out


def _decade_keys(n: int) -> frozenset[tuple[str, int]]:
    """ "1880s" / "1880-tallet" (also the 80s), "80s" / "80-tallet"; a round hundred is a century too."""
    if n < 100:
        return frozenset({("dec2", n)})
    keys = {("dec", n), ("dec2", n % 100)}
    if n % 100 == 0:
        keys.add(("c", n // 100 + 1))
    return frozenset(keys)


# --- numbers -------------------------------------------------------------------------------------

_FEET_INCHES = re.compile(r"(?<![\w.,])(\d)-(?:foot|feet)-(\d{1,2})(?!\d)")
_SCALE_WORD = re.compile(r"[ \u00a0]+([A-Za-zæøåÆØÅ]+\.?)")


@cache
def _word_number_tables(lang: str) -> tuple[frozenset[str], re.Pattern[str]]:
    """(two-letter starts of the number/quantity words, a pattern for Norwegian compounds).

    Built once: most tokens start with no number word's first two letters and are skipped with
    one set look-up; a compound is one regex match instead of a loop over its prefixes, trying
    the longest number word first, as a reader splits "trettenåring".
    """
    words = number_words(lang)
    quantity = _QUANTITY_WORDS["en" if lang == "en" else "nb"]
    starts = frozenset(w[:2] for w in (*words, *quantity))
    heads = sorted((w for w in words if 2 <= len(w) <= 12), key=len, reverse=True)
    compound = re.compile(
        "(?P<head>" + "|".join(map(re.escape, heads)) + ")(?:" + _COMPOUND_TAIL.pattern.rstrip("$") + ")"
    )
    return starts, compound


def _word_numbers(text: str, lang: str, taken: _Taken) -> list[tuple[int, int, float]]:
    """Number words, also inside hyphenated ("six-point") and Norwegian compounds ("trettenåring")."""
    words = number_words(lang)
    quantity = _QUANTITY_WORDS["en" if lang == "en" else "nb"]
    starts, compound = _word_number_tables(lang)
    out: list[tuple[int, int, float]] = []
    pos = 0
    # Token strings rather than match objects: a token starts with a letter and the gap before
    # it holds none, so its first occurrence after the previous token is where it stands.
    for raw in _LETTERS.findall(text):
        start = text.find(raw, pos)
        pos = end = start + len(raw)
        if raw[:2].lower() not in starts and "-" not in raw:
            continue  # no number word can start it (nor, without a hyphen, any part of it)
        if taken.overlaps(start, end):
            continue
        token = raw.lower()
        if token in words or token in quantity:
            out.append((start, end, float(words.get(token) or quantity[token])))
            continue
        offset = start
        for part in token.split("-"):
            if part in words or (part in quantity and len(part) > 3):
                out.append((offset, offset + len(part), float(words.get(part) or quantity[part])))
            elif lang != "en" and len(part) > 5 and part[:2] in starts:
                c = compound.fullmatch(part)
                if c:
                    out.append((offset, offset + len(part), float(words[c.group("head")])))
            offset += len(part) + 1
    return out


_ORDINAL_NAME_NB = re.compile(r"\.\s*(?:verdenskrig|juledag|påskedag|pinsedag|nyttårsdag)\w*", re.I)
_OTHER_THOUSANDS = {"nb": re.compile(r"\d{1,3},\d{3}"), "en": re.compile(r"\d{1,3}\.\d{3}")}


def _numbers(text: str, lang: str, taken: _Taken, digits: bool = True) -> list[RawFact]:
    scales = SCALES_EN if lang == "en" else SCALES_NB
    out: list[RawFact] = []
    found: list[tuple[int, int, float | None, bool]] = []  # start, end, value, soft
    value: float | None
    m: re.Match[str] | None
    for m in _NUMBER.finditer(text) if digits else ():
        if taken.overlaps(*m.span()):
            continue
        found.append((m.start(), m.end(), _parse_number(m.group(0), lang), False))
    if lang == "en" and digits:
        for m in _ORDINAL_EN.finditer(text):
            if not taken.overlaps(*m.span()) and not any(s <= m.start(1) < e for s, e, _v, _s in found):
                found.append((m.start(), m.end(), float(m.group(1)), False))
    for start, end, value in _word_numbers(text, lang, taken):
        found.append((start, end, value, True))
    if lang == "en" and digits:
        # "a 6-foot-6 forward": feet and inches as one length.
        for m in _FEET_INCHES.finditer(text):
            found = [f for f in found if not m.start() <= f[0] < m.end()]
            found.append((m.start(), m.end(), int(m.group(1)) + int(m.group(2)) / 12, False))
    found.sort()
    if lang != "en":
        # "1. verdenskrig" (World War One, WWI), "1. juledag" (Christmas Day): an ordinal that is
        # part of a fixed name, which English writes without it; it may match, never alarm.
        found = [(s, e, v, soft or bool(_ORDINAL_NAME_NB.match(text, e))) for s, e, v, soft in found]
    # "two decades" = 20, "to dusin" = 24: a number word times a quantity word, as a word form.
    quantity = _QUANTITY_WORDS["en" if lang == "en" else "nb"]
    merged: list[tuple[int, int, float | None, bool]] = []
    for f in found:
        prev = merged[-1] if merged else None
        word = text[f[0] : f[1]].lower()
        if (
            prev is not None and prev[3] and f[3] and prev[2] is not None and word in quantity
            and quantity[word] >= 10 and text[prev[1] : f[0]] == " "
        ):  # fmt: skip
            merged[-1] = (prev[0], f[1], prev[2] * quantity[word], True)
        else:
            merged.append(f)
    found = merged
    units = _UNIT_RE["en" if lang == "en" else "nb"]
    unit_table = _UNITS_EN if lang == "en" else _UNITS_NB
    i = 0
    while i < len(found):
        start, end, value, soft = found[i]
        mantissa = value
        if lang == "en" and not soft:
            m = _ATTACHED_SCALE_EN.match(text, end)
            if m and value is not None:
                value *= _ATTACHED_VALUE[m.group(1).lower()]
                end = m.end()
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
        if not soft and _YEAR.match(raw) and value is not None:
            kind = "date"  # a bare year such as 2011
        fact_value: float | int | str | None = _finite(value) if value is not None else None
        unit: str | None = "ft" if lang == "en" and _FEET_INCHES.fullmatch(raw) else None
        tail = units.match(text, end) if unit is None else None
        if tail and not (tail.group(1) == "m" and lang == "en" and value is not None and value >= 1e6):
            unit = unit_table[tail.group(1).lower()]
            # Percent / currency / unit words stay in the fact text so a reader sees what it counts.
            end = tail.end()
            raw = text[start:end]
        head = _CURRENCY_HEAD.search(text[max(0, start - 5) : start])
        if head:
            unit = unit or _CURRENCY_KEY.get(head.group(1).lower(), head.group(1).upper())
            start -= len(head.group(0))
            raw = text[start:end]
        keys: frozenset[tuple[str, object]] = frozenset()
        if fact_value is not None and mantissa is not None and mantissa != value:
            keys = frozenset({("n", fact_value), ("n", _finite(mantissa))})
        written = text[found[i][0] : found[i][1]]
        other_mark = "," if lang != "en" else "."
        # "380,000" in a Norwegian text, "1.500" in an English one: the writer's other convention,
        # read as thousands too.
        other = _OTHER_THOUSANDS[lang].fullmatch(written)
        if other and not soft and fact_value is not None and value is not None and mantissa:
            alt = _finite(float(written.replace(other_mark, "")) * value / mantissa)
            keys = (keys or frozenset({("n", fact_value)})) | {("n", alt)}
        out.append(RawFact(kind, raw, fact_value, start, end, soft=soft, unit=unit, keys=keys))
        i += 1
    # "3 til 10 cm", "5–7 cm": the unit written once after a range belongs to both ends.
    for a, b in pairwise(out):
        if a.unit is None and b.unit in UNIT_DIMENSION and _RANGE_GAP.match(text[a.end : b.start]):
            a.unit = b.unit
    return out


_ACRONYM_GENITIVE = re.compile(r"[A-ZÆØÅ]{2,}s")
_ACRONYM = re.compile(r"[A-ZÆØÅ]{2,}s?")


@cache
def _lowercase_tails() -> dict[str, frozenset[str]]:
    """First word -> the rest, for the table's multi-word names ("kvite" -> {"hus"})."""
    out: dict[str, set[str]] = {}
    for key in name_table()[0]:
        head, _, rest = key.partition(" ")
        if rest:
            out.setdefault(head, set()).add(rest)
    return {k: frozenset(v) for k, v in out.items()}


def _strip_genitive(word: str, known: set[str]) -> str:
    """'Assads' -> 'Assad' when 'Assad' is also known; acronyms lose their genitive 's'."""
    if _ACRONYM_GENITIVE.fullmatch(word):
        return word[:-1]
    if word.endswith("s") and len(word) > 3:
        base = word[:-1]
        if base in known or _NAME_PREFIX.sub("", base) in known:
            return base
    return word


def _name_tokens(text: str) -> list[tuple[int, int, str, bool]]:
    """Tokens that look like parts of names: (start, end, token, at_sentence_start)."""
    toks: list[tuple[int, int, str, bool]] = []
    prev_tok = ""
    pos = 0
    # Token strings without a match object each: a token starts with a word character and the
    # gap before it has none, so its first occurrence after the previous token is where it stands.
    find = text.find
    for tok in _TOKEN.findall(text):
        start = find(tok, pos)
        end = start + len(tok)
        gap = text[pos:start]
        # A new sentence-like start: the very first token, after a colon, quote or dash, or after
        # a full stop that does not end an abbreviation or initial ("St. Louis", "George W. Bush").
        # Most gaps are one space, which starts nothing: no pattern is needed for them.
        if gap == " " and toks:
            at_start = False
        else:
            at_start = not toks or bool(_START_GAP.search(gap))
            if not at_start and _SENTENCE_GAP.search(gap):
                at_start = not (prev_tok[:1].isupper() and len(prev_tok) <= 3)
        pos = end
        prev_tok = tok
        toks.append((start, end, tok, at_start))
    return toks


_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅÄÖÜÉÈ")


def _is_namey(tok: str) -> bool:
    """A capitalised token, or an Arabic-style prefixed one ("al-Sham")."""
    head = tok[:1]
    if head in _CAPITALS:
        return True
    return head in "aeib" and head != "" and _NAME_PREFIX.match(tok) is not None


def _is_acronym(tok: str) -> bool:
    head = tok.split("-", 1)[0]
    return bool(_ACRONYM.fullmatch(head))


_INFLECTIONS = frozenset(["en", "et", "er", "ene", "ens", "ar", "ane", "a", "s", "e"])


def _trim_compound(tok: str) -> str:
    """'USA-ledede' -> 'USA', 'Assad-regimets' -> 'Assad'; 'Nord-Korea', 'Jong-il' stay whole."""
    if _NAME_PREFIX.match(tok):
        return tok
    parts = tok.split("-")
    keep = [parts[0]]
    acronym = len(parts[0]) >= 2 and parts[0].isupper()
    for part in parts[1:]:
        if part in _INFLECTIONS:
            break  # "MP-er", "TV-en": a Norwegian ending, not part of the name
        if part[:1].isupper() or (len(part) <= 3 and not acronym):
            # A short lower-case part joins a name ("Jong-il"), not an acronym: "MAGA-lue" is a
            # Norwegian compound (a MAGA cap), as "USA-basert" is.
            keep.append(part)
        else:
            break
    return "-".join(keep)


def _not_a_name(tok: str) -> bool:
    """Function words, currency codes and common-noun acronyms ("TV-er") are never names."""
    if tok.lower() in _stop_words():
        return True
    head = tok.split("-", 1)[0]
    return head in _currency_codes() or head in name_table()[1]


def known_name_words(sentences: Iterable[str]) -> set[str]:
    """Capitalised words seen inside sentences (not at their start): evidence they are names."""
    known: set[str] = set()
    for text in sentences:
        for _s, _e, tok, at_start in _name_tokens(text):
            if not at_start and _is_namey(tok):
                trimmed = _trim_compound(tok)
                known.add(trimmed)
    return known


def _shouting(toks: list[tuple[int, int, str, bool]], i: int) -> bool:
    """Inside a run of all-capital words ("TAKK FOR AT DU STÅR", "VI REKNAR"): shouted text, not
    acronyms. Three words make a run; two do when one is a function word."""
    lo = hi = i
    while lo > 0 and toks[lo - 1][2].isupper():
        lo -= 1
    while hi + 1 < len(toks) and toks[hi + 1][2].isupper():
        hi += 1
    if hi - lo >= 2:
        return True
    return hi > lo and any(toks[k][2].lower() in _stop_words() for k in range(lo, hi + 1))


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
        if len(trimmed) < 2 or _not_a_name(trimmed) or (tok.isupper() and _shouting(toks, i)):
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
            prev = toks[j - 1][2]
            if prev.endswith("s") and (prev[:-1] in known or prev[:-1].endswith("'")) and len(parts) >= 1:
                break  # "Manchester Citys Sergio Aguero": a genitive ends the name
            if _is_namey(t2) and not _not_a_name(t2):
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
        # A name the table knows with lower-case words after the capital: "Kvite hus",
        # "Representantenes hus" (Nynorsk and Bokmål write only the first word capitalised).
        tails = _lowercase_tails().get(fold(text[name_start:name_end]))
        if tails and j == i + len(parts):
            for n in range(min(3, len(toks) - j), 0, -1):
                seq = toks[j : j + n]
                if all(text[a[1] : b[0]] == " " for a, b in pairwise([toks[j - 1], *seq])) and (
                    " ".join(fold(t[2]) for t in seq) in tails
                ):
                    name_end, j = seq[-1][1], j + n
                    break
        surface = text[name_start:name_end]
        words = surface.split(" ")
        words[-1] = _strip_genitive(words[-1], known)
        value = " ".join(words)
        out.append(RawFact("name", surface, value, name_start, name_end))
        i = j
    return out


def extract_from_text(
    text: str, lang: str = "nb", known: set[str] | None = None, *, names: bool = True
) -> list[RawFact]:
    """All facts in one string, sorted by position; ``known`` holds names from the rest of the
    article. ``names=False`` skips names (the checker needs only the English numbers)."""
    lang = "en" if lang == "en" else "nb"
    if known is None and names:
        known = known_name_words([text])
    # Most patterns need a digit; a sentence without one (most of them) skips them all.
    digits = _DIGIT.search(text) is not None
    dates = _dates(text, lang, digits)
    if digits:
        dates += _periods(text, lang) + _times(text, lang)
    taken = _Taken(len(text))
    kept_dates: list[RawFact] = []
    for d in sorted(dates, key=lambda f: (f.start, -(f.end - f.start))):
        if not taken.overlaps(d.start, d.end):
            kept_dates.append(d)
            taken.add(d.start, d.end)
    numbers = _numbers(text, lang, taken, digits)
    for n in numbers:
        taken.add(n.start, n.end)
    found = _names(text, taken, known or set()) if names else []
    facts = kept_dates + numbers + found
    facts.sort(key=lambda f: (f.start, f.end))
    return facts


def _shown(f: RawFact, lang: str) -> bool:
    """Facts a reader sees (and the summarizer counts): not ordinal or quantity words such as
    "andre" (second, or "other") or "par" — they only help the checker match the other side."""
    if not (f.soft and f.kind == "number"):
        return True
    return f.text.lower() in cardinal_words(lang)


@cache
def cardinal_words(lang: str) -> frozenset[str]:
    from num2words import num2words

    code = "en" if lang == "en" else "no"
    words = {num2words(n, lang=code).replace(" ", "") for n in range(2, 100)}
    words |= {"hundred", "thousand"} if lang == "en" else {"sju", "tyve", "tredve", "hundre", "tusen"}
    return frozenset(words)


def extract_facts(article: Article, lang: str = "nb") -> list[Fact]:
    """Facts of every sentence of ``article`` with offsets into ``article.text``."""
    known = known_name_words(s.text for s in article.sentences)
    facts: list[Fact] = []
    for s in article.sentences:
        for f in extract_from_text(s.text, lang, known):
            if not _shown(f, lang):
                continue
            facts.append(Fact(s.index, f.kind, f.text, f.value, s.start + f.start, s.start + f.end))
    return facts


def attribution_count(text: str) -> int:
    """How many attribution words ("ifølge", "sier" ...) a Norwegian sentence holds."""
    low = text.lower()
    return sum(1 for m in _TOKEN.finditer(low) if m.group(0) in ATTRIBUTION_NB)
