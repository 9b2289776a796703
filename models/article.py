"""The one data model for an article, shared by the CLI, the GUI and export.

Offsets are Python code points into ``Article.text`` (the text as read, BOM removed, line endings
normalised to ``\\n``), so ``text[start:end]`` is always the sentence. The GUI converts to Qt's
UTF-16 units itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The fact-check flag vocabulary; nothing else may appear in ``Sentence.flags``.
FLAGS: tuple[str, ...] = (
    "number_missing",
    "number_changed",
    "name_missing",
    "copied_input",
    "repetition",
    "length_ratio",
    "unaligned",
    "unit_converted",
)

# What each flag is sure of. An *alarm* says a fact of the original is wrong or missing in the
# English (or there is no real translation); a *warning* is a hint worth a look (an odd length);
# *info* reports a faithful change a reader should know about (a unit converted), never an error.
SEVERITY: dict[str, str] = {
    "number_missing": "alarm",
    "number_changed": "alarm",
    "name_missing": "alarm",
    "copied_input": "alarm",
    "repetition": "alarm",
    "unaligned": "alarm",
    "length_ratio": "warning",
    "unit_converted": "info",
}
SEVERITIES: tuple[str, ...] = ("alarm", "warning", "info")
ALARMS: frozenset[str] = frozenset(f for f, s in SEVERITY.items() if s == "alarm")


def severity(flags: list[str]) -> str | None:
    """The most serious severity among ``flags`` (None when there are none)."""
    found = {SEVERITY.get(f, "alarm") for f in flags}
    return next((s for s in SEVERITIES if s in found), None)


@dataclass
class FlagDetail:
    flag: str
    detail: str

    @property
    def severity(self) -> str:
        return SEVERITY.get(self.flag, "alarm")

    def to_json(self) -> dict[str, str]:
        return {"flag": self.flag, "severity": self.severity, "detail": self.detail}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FlagDetail:
        """``severity`` in the JSON is derived from ``flag`` (for readers of the file), not data."""
        return cls(data["flag"], data["detail"])


@dataclass
class Sentence:
    index: int
    paragraph: int
    start: int
    end: int
    text: str
    heading: bool = False
    translation: str | None = None
    flags: list[str] = field(default_factory=list)
    flag_details: list[FlagDetail] = field(default_factory=list)
    # The journalist edited ``translation`` by hand: it is theirs, and a bullet on this sentence
    # then shows it (the whole sentence) rather than the machine translation of its compression.
    edited: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "paragraph": self.paragraph,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "heading": self.heading,
            "translation": self.translation,
            "flags": list(self.flags),
            "flag_details": [d.to_json() for d in self.flag_details],
            "edited": self.edited,
        }


@dataclass
class Paragraph:
    index: int
    start: int
    end: int
    sentences: list[int]
    heading: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "sentences": list(self.sentences),
            "heading": self.heading,
        }


# What a fact can be (``Fact.kind``).
FACT_KINDS: tuple[str, ...] = ("number", "date", "name")


@dataclass
class Fact:
    sentence: int
    kind: str  # one of FACT_KINDS
    text: str
    value: float | int | str | None
    start: int  # offsets into Article.text
    end: int

    def to_json(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence,
            "kind": self.kind,
            "text": self.text,
            "value": self.value,
            "start": self.start,
            "end": self.end,
        }


@dataclass
class Bullet:
    """A key fact: a source sentence, shown compressed when that was safe.

    ``text`` is the Norwegian shown and ``translation`` its English: for a compressed bullet
    (``compressed``) a translation of exactly ``text`` as its own segment, else the sentence's.
    ``spans`` are the code-point ranges of ``Article.text`` that ``text`` is made of (in reading
    order); ``flags``/``flag_details`` are the fact check of ``text`` against ``translation``
    when that translation is the bullet's own.
    """

    sentence: int
    text: str
    score: float
    translation: str | None = None
    facts: list[int] = field(default_factory=list)  # indices into Article.facts
    compressed: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    flag_details: list[FlagDetail] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "sentence": self.sentence,
            "score": round(self.score, 6),
            "translation": self.translation,
            "facts": list(self.facts),
            "compressed": self.compressed,
            "spans": [[a, b] for a, b in self.spans],
            "flags": list(self.flags),
            "flag_details": [d.to_json() for d in self.flag_details],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Bullet:
        fields = {k: v for k, v in data.items() if k not in ("spans", "flag_details")}
        return cls(
            **fields,
            spans=[(int(a), int(b)) for a, b in data.get("spans", [])],
            flag_details=[FlagDetail.from_json(d) for d in data.get("flag_details", [])],
        )


@dataclass
class Source:
    """Provenance kept for export: where the article came from."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    file: str | None = None
    language: str | None = None
    site: str | None = None  # publication name (og:site_name), for the export's provenance line

    def to_json(self) -> dict[str, str | None]:
        return {
            "title": self.title,
            "author": self.author,
            "date": self.date,
            "url": self.url,
            "file": self.file,
            "language": self.language,
            "site": self.site,
        }


@dataclass
class ModelInfo:
    name: str
    path: str | None = None
    revision: str | None = None
    compute_type: str | None = None
    beam_size: int | None = None
    license: str | None = None
    attribution: str | None = None
    # "catalog" (a catalog model from its own Hub repo) or "imported" (anything else: exports
    # then say "imported model", never a folder); None in sessions saved before it was recorded.
    origin: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "revision": self.revision,
            "compute_type": self.compute_type,
            "beam_size": self.beam_size,
            "license": self.license,
            "attribution": self.attribution,
            "origin": self.origin,
        }


@dataclass
class Article:
    text: str
    title: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    bullets: list[Bullet] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    source: Source = field(default_factory=Source)
    model: ModelInfo | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def body_sentences(self) -> list[Sentence]:
        """Sentences that are not headlines or subheadings."""
        return [s for s in self.sentences if not s.heading]

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence whose span holds ``offset`` (code points), for caret linking."""
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "source": self.source.to_json(),
            "paragraphs": [p.to_json() for p in self.paragraphs],
            "sentences": [s.to_json() for s in self.sentences],
            "bullets": [b.to_json() for b in self.bullets],
            "facts": [f.to_json() for f in self.facts],
            "model": self.model.to_json() if self.model else None,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Article:
        """Rebuild an article from ``to_json`` output plus its ``text`` (used by autosave)."""
        art = cls(text=data["text"], title=data.get("title"))
        art.source = Source(**(data.get("source") or {}))
        art.paragraphs = [Paragraph(**p) for p in data.get("paragraphs", [])]
        for s in data.get("sentences", []):
            details = [FlagDetail.from_json(d) for d in s.get("flag_details", [])]
            art.sentences.append(
                Sentence(**{k: v for k, v in s.items() if k != "flag_details"}, flag_details=details)
            )
        art.bullets = [Bullet.from_json(b) for b in data.get("bullets", [])]
        art.facts = [Fact(**f) for f in data.get("facts", [])]
        if data.get("model"):
            art.model = ModelInfo(**data["model"])
        art.warnings = list(data.get("warnings", []))
        return art
