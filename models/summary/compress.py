"""Sentence compression for key-fact bullets: drop attribution boilerplate, keep every fact.

A bullet should carry facts, not who passed them on. Each rule removes one kind of span from a
chosen Norwegian sentence, and only when it is safe:

* a source-attribution tail: "…, fastslår Syrian Observatory for Human Rights (SOHR).",
  "…, ifølge SOHR.", "…, opplyser den London-baserte eksilgruppen lørdag." — reporting verbs that
  name where a fact came from (``SOURCE_VERBS``), never speech verbs ("sier", "mener", "hevder"):
  dropping the speaker of a claim would turn an opinion or a quote into a bare statement;
* an inline "ifølge NAME" ("har IS-krigere ifølge SOHR drept …");
* a parenthetical that adds no fact: an acronym restating the name before it ("(SOHR)" after
  "Syrian Observatory for Human Rights") or a lower-case aside ("(også i plast)");
* a leading connective ("Men", "Og", "Samtidig", "I tillegg") and, when another bullet already
  carries it, a leading time phrase ("Lørdag", "I går"); after a fronted phrase Norwegian puts the
  verb second, so the phrase is only dropped when a personal pronoun follows the verb and the two
  can be swapped back ("Samtidig har hun en drøm" -> "Hun har en drøm").

Never dropped: a number (any digit), a negation, anything inside or after a quotation (a quote's
speaker), the subject (nothing before the main verb is touched except the listed openers), and
nothing at all when the rest would be under four words. The result keeps the source spans it was
built from, so a bullet still points at exactly the characters of its sentence it shows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


def _wordset(words: str) -> frozenset[str]:
    """A word list written as prose (as in ``models.text.segment``)."""
    return frozenset(words.split())


# Reporting verbs that name a source (present and past); "ifølge" is handled with them. Speech and
# opinion verbs are left out on purpose (see the module docstring).
SOURCE_VERBS = _wordset(
    "opplyser opplyste melder meldte fastslår fastslo skriver skrev rapporterer rapporterte "
    "bekrefter bekreftet kunngjør kunngjorde informerer informerte"
)
NEGATIONS = _wordset("ikke aldri ingen intet ingenting verken hverken neppe knapt uten")
# Openers with no content of their own in a list of bullets.
CONNECTIVES = ("I tillegg", "Samtidig", "Dessuten", "Deretter", "Etterpå", "Senere", "Også")
CONJUNCTIONS = ("Men", "Og")
_WEEKDAYS = "mandag tirsdag onsdag torsdag fredag lørdag søndag"
TIME_WORDS = _wordset(_WEEKDAYS + " dag går morgen kveld natt helgen formiddag ettermiddag")
_TIME_PHRASE = re.compile(
    rf"(?:(?:{_WEEKDAYS.replace(' ', '|')})(?:\s+(?:morgen|kveld|natt|formiddag|ettermiddag))?"
    r"|i\s+(?:dag|går|morgen|kveld|natt|helgen)(?:\s+(?:morgen|kveld|natt))?)",
    re.IGNORECASE,
)
# Only pronouns that cannot be determiners ("de to landene", "det nye bygget" could be).
PRONOUNS = _wordset("han hun jeg vi du dere")
MIN_WORDS = 4  # never compress a sentence below this many words

_WORD = re.compile(r"\w+")
_QUOTE_CHARS = '«»"“”„'
_DIALOGUE = re.compile(r"^[-–—]\s")
_END = re.compile(r"[.!?…]+[»\"”’')\]]*\s*$")
# A name as it follows "ifølge": capitalised words or acronyms, with name particles between.
_NAME = r"[A-ZÆØÅ][\w.-]*(?:\s+(?:(?:for|of|de|al|i)\s+)?[A-ZÆØÅ][\w.-]*){0,5}"
_INLINE_IFOLGE = re.compile(rf"\s+ifølge\s+{_NAME}(?=\s+[a-zæøå])")


@dataclass
class Compressed:
    """The shown text and the source pieces (offsets into the input) it is made of, in order."""

    text: str
    spans: list[tuple[int, int]]
    cuts: list[str] = field(default_factory=list)  # which rules fired

    @property
    def changed(self) -> bool:
        return bool(self.cuts)


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _unsafe(piece: str) -> bool:
    """A piece that must stay: it holds a number, a negation or a quotation mark."""
    if any(ch.isdigit() for ch in piece) or any(ch in _QUOTE_CHARS for ch in piece):
        return True
    return any(w in NEGATIONS for w in _WORD.findall(piece.lower()))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _restates_name(acronym: str, before: str) -> bool:
    """'SOHR' after 'Syrian Observatory for Human Rights': its letters are, in order, initials of
    the words just before it, ending with the last one (a party label such as '(Frp)' after a
    person's name is not, and stays)."""
    if not re.fullmatch(r"[A-ZÆØÅ][A-Za-zæøåÆØÅ]{1,7}", acronym) or sum(c.isupper() for c in acronym) < 2:
        return False
    letters = _fold(acronym)
    parts = re.findall(r"[^\W\d_]+", before)[-(len(letters) + 2) :]
    initials = "".join(_fold(p)[:1] for p in parts)
    return bool(initials) and initials[-1] == letters[-1] and _is_subsequence(letters, initials)


def _source_tail(text: str, end: int) -> int | None:
    """Start of a ", <source verb> …" / ", ifølge …" tail ending at ``end``, if safe to drop."""
    head = text[:end]
    comma = head.rfind(",")
    if comma < 0:
        return None
    tail = head[comma + 1 :]
    words = _WORD.findall(tail.lower())
    if not words or len(words) > 10:
        return None
    if words[0] != "ifølge" and words[0] not in SOURCE_VERBS:
        return None
    # A tail holding a further clause ("…, skriver NTB, som legger til at …") carries content.
    if re.search(r"[,;:]", tail) or re.search(r"\b(?:at|som|men|fordi|da|når)\b", tail.lower()):
        return None
    if _unsafe(tail):
        return None
    # A quotation before the tail means the tail names its speaker.
    if any(ch in _QUOTE_CHARS for ch in head[:comma]) or _DIALOGUE.match(text):
        return None
    return comma


def compress(text: str) -> Compressed:
    """Drop the safe spans of one Norwegian sentence (see the module docstring)."""
    drops: list[tuple[int, int]] = []
    cuts: list[str] = []
    m_end = _END.search(text)
    body_end = m_end.start() if m_end else len(text.rstrip())
    # 1. Source-attribution tail before the final punctuation.
    tail = _source_tail(text, body_end) if "," in text else None
    if tail is not None and _words(text[:tail]) >= MIN_WORDS:
        drops.append((tail, body_end))
        cuts.append("attribution")
        body_end = tail
    # 2. Inline "ifølge NAME" (no quotation in the sentence: then it may name a speaker).
    if "ifølge" in text and not any(ch in _QUOTE_CHARS for ch in text) and not _DIALOGUE.match(text):
        for m in _INLINE_IFOLGE.finditer(text, 0, body_end):
            if m.start() > 0 and not _unsafe(m.group(0)):
                drops.append(m.span())
                cuts.append("attribution")
    # 3. Parentheticals that add no fact.
    if "(" in text:
        for m in re.finditer(r"\s*\(([^()]{1,80})\)", text[:body_end]):
            inner = m.group(1).strip()
            if _unsafe(inner) or m.start() == 0:
                continue
            lower_aside = not re.search(r"[A-ZÆØÅ]", inner) and _words(inner) >= 1
            if lower_aside or _restates_name(inner, text[: m.start()]):
                drops.append(m.span())
                cuts.append("parenthetical")
    if not drops:
        return Compressed(text, [(0, len(text))] if text else [])
    spans: list[tuple[int, int]] = []
    pos = 0
    for start, end in sorted(drops):
        if start > pos:
            spans.append((pos, start))
        pos = max(pos, end)
    if pos < len(text):
        spans.append((pos, len(text)))
    shown = "".join(text[a:b] for a, b in spans)
    if _words(shown) < MIN_WORDS:
        return Compressed(text, [(0, len(text))])
    return Compressed(shown, spans, cuts)


def _opener(text: str, others: str) -> tuple[int, str] | None:
    """(length of a droppable opener including its space, rule) for ``text``, else None."""
    for word in CONJUNCTIONS:
        if text.startswith(word + " ") and len(text) > len(word) + 1 and text[len(word) + 1].isalpha():
            return len(word) + 1, "connective"
    for phrase in CONNECTIVES:
        if text.startswith(phrase + " "):
            return len(phrase) + 1, "connective"
    m = _TIME_PHRASE.match(text)
    if m and text[m.end() : m.end() + 1] == " ":
        words = m.group(0).lower().split()
        # Only when another bullet already says when (the same weekday or "i dag" …).
        key = [w for w in words if w in TIME_WORDS]
        other_words = set(_WORD.findall(others.lower()))
        if key and all(w in other_words for w in key):
            return m.end() + 1, "time"
    return None


def drop_opener(shown: Compressed, others: str) -> Compressed:
    """Drop a leading connective, or a leading time phrase another bullet (``others``) carries.

    Conjunctions ("Men", "Og") go as they are; after any other fronted phrase the verb comes
    second, so the phrase goes only when "VERB PRONOUN" follows and can be turned back into
    "PRONOUN VERB" (the pronoun then starts the sentence). Anything else stays.
    """
    text = shown.text
    found = _opener(text, others)
    if found is None:
        return shown
    length, rule = found
    rest = text[length:]
    m = re.match(r"(\w+)(\s+)(\w+)(\s)", rest)
    pieces: list[tuple[int, int]]
    if rule == "connective" and text.split(" ", 1)[0] in CONJUNCTIONS:
        new = rest[:1].upper() + rest[1:]
        pieces = _remap(shown, [(length, len(text))])
    elif m and m.group(3).lower() in PRONOUNS and not _unsafe(text[:length]):
        verb, pronoun = m.group(1), m.group(3)
        after = rest[m.end() :]
        new = f"{pronoun[:1].upper()}{pronoun[1:]} {verb} {after}"
        v0, p0, a0 = length, length + m.start(3), length + m.end()
        pieces = _remap(shown, [(p0, p0 + len(pronoun)), (v0, v0 + len(verb)), (a0, len(text))])
    else:
        return shown
    if _words(new) < MIN_WORDS or _unsafe(text[:length]):
        return shown
    return Compressed(new, pieces, [*shown.cuts, rule])


def _remap(shown: Compressed, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges in ``shown.text`` -> the source spans they come from (``shown.spans`` coordinates)."""
    # Position k of shown.text comes from source offset base[k].
    base: list[int] = []
    for a, b in shown.spans:
        base.extend(range(a, b))
    out: list[tuple[int, int]] = []
    for start, end in ranges:
        k = start
        while k < end:
            j = k
            while j + 1 < end and base[j + 1] == base[j] + 1:
                j += 1
            out.append((base[k], base[j] + 1))
            k = j + 1
    return out
