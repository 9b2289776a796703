"""The fact checker on NTREX-128 news (Bokmål and Nynorsk), with the metric of ``../shared/README.md``.

One document = one article: its Norwegian lines, each its own paragraph (blank line between),
checked against the English lines laid out the same way through the CLI entry point
(``models.cli.main(["check", NB, EN, "--format", "json", "-o", OUT])``, the same code as
``nordbrief check``). Only ``number_missing``, ``number_changed`` and ``name_missing`` count.

* False alarms: lines of the clean professional translation whose pairs carry one of the three.
  Each such detail is classified with ``benchmarks/data/ntrex_false_alarms.tsv``: a hand-made
  verdict per (language, line, detail) after reading both sides — ``real`` when the professional
  translation really differs (the Norwegian translator left a name or number out, rounded, added
  one, or wrote a different figure), ``misreading`` when the checker misread something that is
  there. A detail with no verdict in the file counts as a misreading (the conservative side), so
  a change that adds new misreadings cannot hide among old real differences; ``--unjudged``
  lists them. A line is a real difference only when all its alarm details are.
* Recall, per corruption type, over the lines that hold the thing corrupted: every candidate line
  is corrupted once, ~10 % of a document's lines at a time (fixed seed), the rest left clean:
  (a) change one number (first digit + 1, 9 -> 8; a year - 1: 26 -> 36, 1.5 -> 2.5, 2019 -> 2018);
  (b) delete one number with its currency sign, scale word and unit word;
  (c1) delete one multi-word proper name; (c2) replace it with a multi-word name from another
  document; (d) drop a whole clause (between , ; : or dashes) that holds a number.
  Candidates are found without the checker: a number whose digits also stand in the Norwegian
  line, a run of >= 2 capitalised English words (leading function words dropped) whose every word
  also stands in the Norwegian line. A corruption is caught when its line's pairs get the matching
  family (``number_*`` for a, b, d; ``name_missing`` for c) with a detail the clean run lacked.
* Speed: facts + check per 1,000 Norwegian words (the seed article and the NTREX Bokmål
  documents), in process, best of 3, each pass with the per-text caches emptied.

Run: ``python -m benchmarks.factcheck`` (``--langs nb``, ``--json``, ``--show N`` prints the
remaining false alarms, ``--unjudged`` only the ones without a verdict).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, shared_dir

ALARMS = ("number_missing", "number_changed", "name_missing")
FAMILY = {"a": "number_", "b": "number_", "d": "number_", "c1": "name_missing", "c2": "name_missing"}
KINDS = {
    "a": "number changed",
    "b": "number deleted",
    "d": "clause with number dropped",
    "c1": "name deleted",
    "c2": "name swapped",
}
FILES = {"nb": "newstest2019-ref.nob.txt", "nn": "newstest2019-ref.nno.txt"}
# Targets of issue 15 (false alarms per 100 lines; recall in %).
TARGET_FALSE_ALARMS = {"nb": 6.5, "nn": 8.5}
TARGET_RECALL = {"a": 99.0, "b": 99.0, "d": 99.0, "c1": 97.0, "c2": 97.0}
# Figures before issue 15, quoted from ../shared/README.md (same metric).
BEFORE = {"nb": 14.9, "nn": 20.2}
# Facts + check per 1,000 words (issue 15's speed budget).
TARGET_MS_PER_1000_WORDS = 50
VERDICTS = REPO / "benchmarks" / "data" / "ntrex_false_alarms.tsv"
SEED = 15


@dataclass
class Doc:
    id: str
    lines: list[int]  # global line numbers (0-based)


def load_corpus() -> tuple[list[Doc], list[str], dict[str, list[str]]]:
    base = shared_dir() / "data" / "ntrex"
    ids = (base / "DOCUMENT_IDS.tsv").read_text("utf-8").splitlines()
    english = (base / "newstest2019-src.eng.txt").read_text("utf-8").splitlines()
    norwegian = {lang: (base / name).read_text("utf-8").splitlines() for lang, name in FILES.items()}
    docs: list[Doc] = []
    for i, doc_id in enumerate(ids):
        if not docs or docs[-1].id != doc_id:
            docs.append(Doc(doc_id, []))
        docs[-1].lines.append(i)
    return docs, english, norwegian


# --- running the CLI --------------------------------------------------------------------------


def run_check(work: Path, nb_lines: list[str], en_lines: list[str]) -> list[dict[str, Any]]:
    """``nordbrief check NB EN --format json`` on one document; the pairs."""
    from models.cli import main

    nb, en, out = work / "nb.txt", work / "en.txt", work / "out.json"
    nb.write_text("\n\n".join(nb_lines) + "\n", "utf-8")
    en.write_text("\n\n".join(en_lines) + "\n", "utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["check", str(nb), str(en), "--format", "json", "-o", str(out)])
    if code != 0:
        raise SystemExit(f"benchmarks.factcheck: check exited {code}: {err.getvalue().strip()}")
    return json.loads(out.read_text("utf-8"))["pairs"]


def _items(detail: str) -> list[str]:
    return [d.strip() for d in detail.split("; ") if d.strip()]


def line_alarms(pairs: list[dict[str, Any]], n_lines: int) -> list[Counter[tuple[str, str]]]:
    """Per line (= source paragraph): the (flag, detail item) alarms of its pairs, as a multiset
    (a second "number '50' is missing" is a new detail)."""
    out: list[Counter[tuple[str, str]]] = [Counter() for _ in range(n_lines)]
    for p in pairs:
        para = p["paragraph"]
        for d in p.get("flag_details", []):
            if d["flag"] in ALARMS and 0 <= para < n_lines:
                out[para].update((d["flag"], item) for item in _items(d["detail"]))
    return out


# --- corruptions (independent of the checker) -------------------------------------------------

_NUM = re.compile(r"(?<![\w.,])\d+(?:,\d{3})*(?:\.\d+)?(?!\d)")
_CURRENCY = re.compile(r"(?:US\$|[$£€¥]|Rs\.?\s?)$")
_SCALE = re.compile(r"\s?(?:%|(?:million|billion|trillion|thousand|hundred|m|bn|k)\b)", re.I)
_UNIT = re.compile(
    r"\s(?:per cent|percent|pounds?|lb|lbs|kg|kilograms?|grams?|g|tonnes?|tons?|km|kilometres?|"
    r"kilometers?|miles?|metres?|meters?|m|cm|mm|feet|foot|ft|inches?|mph|km/h|degrees?|°C|°F|"
    r"dollars?|euros?|pence|p|kroner|crowns?|points?|goals?|seconds?|minutes?|hours?|days?|weeks?|"
    r"months?|years?|people|percentage points?|acres?|hectares?|litres?|liters?|gallons?)\b",
    re.I,
)
_CAP = re.compile(r"[A-Z][\w'’.-]*")
_LEAD_WORDS = {
    "The", "A", "An", "In", "On", "At", "But", "And", "Or", "If", "When", "While", "As", "After",
    "Before", "This", "That", "These", "Those", "It", "He", "She", "They", "We", "I", "His", "Her",
    "Their", "Our", "My", "Its", "There", "For", "With", "From", "By", "To", "Of", "So", "Then",
    "Mr", "Mrs", "Ms", "Dr", "Sir", "Lord", "Lady", "St", "Saint",
}  # fmt: skip
_CLAUSE_SEP = re.compile(r",\s|;\s|:\s|\s[-–—]\s")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _in_norwegian(number: str, norwegian: str) -> bool:
    want = _digits(number)
    return any(_digits(m.group(0)) == want for m in re.finditer(r"\d[\d.,\s\u00a0]*\d|\d", norwegian))


def number_spans(en: str, nb: str) -> list[tuple[int, int]]:
    return [m.span() for m in _NUM.finditer(en) if _in_norwegian(m.group(0), nb)]


def change_number(raw: str) -> str:
    if re.fullmatch(r"(?:19|20)\d\d", raw):
        return str(int(raw) - 1)
    first = next(i for i, ch in enumerate(raw) if ch.isdigit())
    d = int(raw[first])
    return raw[:first] + str(d + 1 if d < 9 else 8) + raw[first + 1 :]


def _tidy(text: str) -> str:
    text = re.sub(r"\s{2,}", " ", text)
    text = re.sub(r"\s+([,.;:!?)])", r"\1", text)
    return re.sub(r"^[\s,;:]+", "", text).strip()


def delete_number(en: str, span: tuple[int, int]) -> str:
    start, end = span
    head = _CURRENCY.search(en[:start])
    if head:
        start = head.start()
    m = _SCALE.match(en, end)
    if m:
        end = m.end()
    m = _UNIT.match(en, end)
    if m:
        end = m.end()
    return _tidy(en[:start] + en[end:])


def drop_clause(en: str, span: tuple[int, int]) -> str | None:
    cuts = [0]
    for m in _CLAUSE_SEP.finditer(en):
        cuts += [m.start(), m.end()]
    cuts.append(len(en))
    clauses = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]
    if len(clauses) < 2:
        return None
    k = next(i for i, (s, e) in enumerate(clauses) if s <= span[0] < e)
    if k == 0:
        cut_from, cut_to = 0, clauses[1][0]
    else:
        cut_from, cut_to = clauses[k - 1][1], clauses[k][1]
    out = _tidy(en[:cut_from] + en[cut_to:])
    return out if out and any(ch.isalpha() for ch in out) else None


def name_spans(en: str, nb: str) -> list[tuple[int, int]]:
    """Runs of >= 2 capitalised words (single spaces) whose every word stands in the Norwegian."""
    spans: list[tuple[int, int]] = []
    toks = list(_CAP.finditer(en))
    i = 0
    while i < len(toks):
        run = [toks[i]]
        while i + 1 < len(toks) and en[run[-1].end() : toks[i + 1].start()] == " ":
            i += 1
            run.append(toks[i])
        i += 1
        while run and run[0].group(0) in _LEAD_WORDS:
            run.pop(0)
        words = [re.sub(r"(?:'s|’s|[.,'’])$", "", t.group(0)) for t in run]
        if len(run) < 2 or any(len(w) < 2 for w in words):
            continue
        if all(re.search(r"(?<!\w)" + re.escape(w), nb) for w in words):
            end = run[-1].start() + len(words[-1])
            spans.append((run[0].start(), end))
    return spans


@dataclass
class Corruption:
    kind: str
    line: int  # global line
    before: str
    after: str


def corruptions(kind: str, en: str, nb: str, rng: random.Random, pool: list[str]) -> Corruption | None:
    if kind in ("a", "b", "d"):
        spans = number_spans(en, nb)
        rng.shuffle(spans)
        for span in spans:
            if kind == "a":
                after = en[: span[0]] + change_number(en[span[0] : span[1]]) + en[span[1] :]
            elif kind == "b":
                after = delete_number(en, span)
            else:
                after = drop_clause(en, span)
            if after and after != en:
                return Corruption(kind, -1, en, after)
        return None
    spans = name_spans(en, nb)
    if not spans:
        return None
    s, e = rng.choice(spans)
    if kind == "c1":
        return Corruption(kind, -1, en, _tidy(en[:s] + en[e:]))
    name = en[s:e]
    words = set(name.split())
    others = [p for p in pool if not words & set(p.split()) and p not in nb and p not in en]
    return Corruption(kind, -1, en, en[:s] + rng.choice(others) + en[e:])


# --- the measurement --------------------------------------------------------------------------


@dataclass
class LangResult:
    lang: str
    lines: int = 0
    false_alarm_lines: list[int] = field(default_factory=list)
    real_lines: list[int] = field(default_factory=list)
    alarms: dict[int, Counter[tuple[str, str]]] = field(default_factory=dict)
    unjudged: list[tuple[int, str, str]] = field(default_factory=list)
    causes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (verdict, cause) -> details
    stale: int = 0  # verdicts in the file for details this run did not produce
    recall: dict[str, tuple[int, int]] = field(default_factory=dict)
    misses: dict[str, list[Corruption]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        n = self.lines
        fa = len(self.false_alarm_lines)
        real = len(self.real_lines)
        return {
            "lines": n,
            "false_alarms_per_100": round(100 * fa / n, 2),
            "real_differences_per_100": round(100 * real / n, 2),
            "misreadings_per_100": round(100 * (fa - real) / n, 2),
            "recall": {k: round(100 * c / t, 2) if t else None for k, (c, t) in self.recall.items()},
            "recall_counts": {k: list(v) for k, v in self.recall.items()},
            "real_difference_details": sum(n for (v, _c), n in self.causes.items() if v == "real"),
            "misreading_details": sum(n for (v, _c), n in self.causes.items() if v != "real"),
            "top_causes": [
                {"verdict": v, "cause": c, "details": n} for (v, c), n in self.causes.most_common(20)
            ],
            "stale_verdicts": self.stale,
        }


def load_verdicts() -> dict[tuple[str, int, str, str], tuple[str, str]]:
    """(lang, line, flag, detail) -> (verdict, cause) from the hand-made TSV."""
    out: dict[tuple[str, int, str, str], tuple[str, str]] = {}
    if not VERDICTS.exists():
        return out
    for row in VERDICTS.read_text("utf-8").splitlines():
        if not row.strip() or row.startswith("#"):
            continue
        lang, line, flag, detail, verdict, cause = row.split("\t")[:6]
        out[(lang, int(line), flag, detail)] = (verdict, cause)
    return out


def measure_lang(lang: str, docs: list[Doc], english: list[str], norwegian: list[str]) -> LangResult:
    res = LangResult(lang, lines=len(english))
    verdicts = load_verdicts()
    rng = random.Random(f"{SEED}-{lang}")
    pool = sorted(
        {english[i][s:e] for d in docs for i in d.lines for s, e in name_spans(english[i], norwegian[i])}
    )
    with tempfile.TemporaryDirectory(prefix="nordbrief-factcheck-") as tmp:
        work = Path(tmp)
        clean: dict[int, Counter[tuple[str, str]]] = {}
        for doc in docs:
            pairs = run_check(work, [norwegian[i] for i in doc.lines], [english[i] for i in doc.lines])
            for k, alarms in enumerate(line_alarms(pairs, len(doc.lines))):
                clean[doc.lines[k]] = alarms
        produced = {(lang, line, f, d) for line, alarms in clean.items() for f, d in alarms}
        res.stale = sum(1 for key in verdicts if key[0] == lang and key not in produced)
        for line, alarms in sorted(clean.items()):
            if not alarms:
                continue
            res.false_alarm_lines.append(line)
            res.alarms[line] = alarms
            judged = [(verdicts.get((lang, line, f, d)), f, d) for f, d in sorted(alarms)]
            for v, f, d in judged:
                if v is None:
                    res.unjudged.append((line, f, d))
                    res.causes[("misreading", "(not judged yet)")] += 1
                else:
                    res.causes[v] += 1
            if all(v is not None and v[0] == "real" for v, _f, _d in judged):
                res.real_lines.append(line)
        for kind in KINDS:
            caught = total = 0
            res.misses[kind] = []
            for doc in docs:
                per_round = max(1, round(0.1 * len(doc.lines)))
                cands: list[Corruption] = []
                for i in doc.lines:
                    c = corruptions(kind, english[i], norwegian[i], rng, pool)
                    if c is not None:
                        c.line = i
                        cands.append(c)
                rng.shuffle(cands)
                for r in range(0, len(cands), per_round):
                    chunk = {c.line: c for c in cands[r : r + per_round]}
                    en_lines = [chunk[i].after if i in chunk else english[i] for i in doc.lines]
                    pairs = run_check(work, [norwegian[i] for i in doc.lines], en_lines)
                    alarms = line_alarms(pairs, len(doc.lines))
                    for k, i in enumerate(doc.lines):
                        if i not in chunk:
                            continue
                        total += 1
                        new = [(f, d) for f, d in alarms[k] - clean[i] if f.startswith(FAMILY[kind])]
                        if new:
                            caught += 1
                        else:
                            res.misses[kind].append(chunk[i])
            res.recall[kind] = (caught, total)
    return res


def speed_documents(docs: list[Doc], english: list[str], norwegian: list[str]) -> list[tuple[str, str]]:
    """(Norwegian, English) article texts for the speed figure: the seed article with its human
    translation, then every NTREX document (lines as paragraphs, as in the metric)."""
    seed = shared_dir() / "articles"
    nb, en = (seed / "syria-is-attacks.txt"), (seed / "syria-is-attacks.en.txt")
    texts = [(nb.read_text("utf-8"), en.read_text("utf-8"))]
    texts += [
        ("\n\n".join(norwegian[i] for i in d.lines), "\n\n".join(english[i] for i in d.lines)) for d in docs
    ]
    return texts


def _clear_caches() -> None:
    """Forget what an earlier pass learnt about these texts' words (folded names, compiled name
    patterns), so every pass is timed as the first look at new articles; vocabularies built from
    Babel/num2words and the name table stay, as they do in the app after the first article."""
    from models.check import factcheck
    from models.summary import facts

    facts._fold_short.cache_clear()
    factcheck._phrase_pattern.cache_clear()


def measure_speed(texts: list[tuple[str, str]], reps: int = 3) -> dict[str, Any]:
    """Facts (``extract_facts``, as the summarizer runs it) + check (``check_translation``: align,
    then every pair) per 1,000 Norwegian words, in process; best of ``reps`` after a warm-up."""
    from models.pipeline import article_from_text, check_translation
    from models.summary.facts import extract_facts

    words = sum(len(re.findall(r"\w+", nb)) for nb, _ in texts)
    articles = [(article_from_text(nb), en) for nb, en in texts]

    def facts_pass() -> None:
        for art, _en in articles:
            extract_facts(art)

    def check_pass() -> None:
        for art, en in articles:
            check_translation(art, en)

    def best(fn: Callable[[], None]) -> float:
        fn()  # warm-up: imports, CLDR/num2words vocabularies, compiled patterns
        times = []
        for _ in range(reps):
            _clear_caches()
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    facts_s, check_s = best(facts_pass), best(check_pass)
    per = 1e6 / words
    return {
        "articles": len(texts),
        "words": words,
        "facts_ms_per_1000_words": round(facts_s * per, 2),
        "check_ms_per_1000_words": round(check_s * per, 2),
        "ms_per_1000_words": round((facts_s + check_s) * per, 2),
        "target_ms_per_1000_words": TARGET_MS_PER_1000_WORDS,
    }


def _report(results: list[LangResult], speed: dict[str, float] | None) -> Iterator[str]:
    name = {"nb": "NTREX Bokmål", "nn": "NTREX Nynorsk"}
    yield "| data | false alarms / 100 lines | real differences | checker's misreadings | target |"
    yield "|---|---|---|---|---|"
    for r in results:
        j = r.to_json()
        met = "met" if j["false_alarms_per_100"] <= TARGET_FALSE_ALARMS[r.lang] else "MISSED"
        yield (
            f"| {name[r.lang]} | {j['false_alarms_per_100']:.1f} (before: {BEFORE[r.lang]}) "
            f"| {j['real_differences_per_100']:.1f} | {j['misreadings_per_100']:.1f} "
            f"| <= {TARGET_FALSE_ALARMS[r.lang]} {met} |"
        )
    yield ""
    yield "| data | " + " | ".join(f"{KINDS[k]} ({k})" for k in KINDS) + " |"
    yield "|---|" + "---|" * len(KINDS)
    for r in results:
        cells = []
        for k in KINDS:
            c, t = r.recall[k]
            pct = 100 * c / t if t else float("nan")
            mark = "" if pct >= TARGET_RECALL[k] else " MISSED"
            cells.append(f"{pct:.1f} % ({c}/{t}){mark}")
        yield f"| {name[r.lang]} | " + " | ".join(cells) + " |"
    yield ""
    for r in results:
        for verdict, title in (("misreading", "the checker's misreadings"), ("real", "real differences")):
            causes = [(c, n) for (v, c), n in r.causes.most_common() if (v == "real") == (verdict == "real")]
            total = sum(n for _c, n in causes)
            yield f"Top causes, {name[r.lang]}, {title}: {total} alarm details (a line can hold several)"
            for cause, n in causes[:10]:
                yield f"  {n:4d}  {cause}"
        if r.stale:
            yield f"  ({r.stale} verdicts in {VERDICTS.name} match no {r.lang} alarm of this run)"
    if speed:
        met = "met" if speed["ms_per_1000_words"] <= TARGET_MS_PER_1000_WORDS else "MISSED"
        yield ""
        yield (
            f"Speed (in process, best of 3; seed article + {speed['articles'] - 1} NTREX Bokmål documents, "
            f"{speed['words']} Norwegian words): facts {speed['facts_ms_per_1000_words']} + check "
            f"{speed['check_ms_per_1000_words']} = {speed['ms_per_1000_words']} ms per 1,000 words "
            f"(target <= {TARGET_MS_PER_1000_WORDS}: {met})"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.factcheck", description=__doc__.splitlines()[0])
    ap.add_argument("--langs", default="nb,nn", help="comma list of nb,nn")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    ap.add_argument("--show", type=int, default=0, help="print up to N remaining false alarms per language")
    ap.add_argument("--unjudged", action="store_true", help="with --show: only alarms without a verdict")
    ap.add_argument("--misses", type=int, default=0, help="print up to N missed corruptions per type")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args(argv)
    docs, english, norwegian = load_corpus()
    results = [measure_lang(lang, docs, english, norwegian[lang]) for lang in args.langs.split(",")]
    speed = None if args.no_speed else measure_speed(speed_documents(docs, english, norwegian["nb"]))
    for line in _report(results, speed):
        print(line)
    for r in results:
        if args.show:
            print(f"\n--- false alarms ({r.lang}) ---")
            shown = 0
            verdicts = load_verdicts()
            for line in r.false_alarm_lines:
                for f, d in sorted(r.alarms[line]):
                    judged = verdicts.get((r.lang, line, f, d))
                    if args.unjudged and judged:
                        continue
                    if shown >= args.show:
                        break
                    shown += 1
                    print(f"{r.lang}\t{line}\t{f}\t{d}\t{judged[0] if judged else '?'}")
                    print(f"    NO: {norwegian[r.lang][line]}")
                    print(f"    EN: {english[line]}")
        if args.misses:
            print(f"\n--- missed corruptions ({r.lang}) ---")
            for kind, misses in r.misses.items():
                for c in misses[: args.misses]:
                    print(f"[{kind}] line {c.line}")
                    print(f"    NO: {norwegian[r.lang][c.line]}")
                    print(f"    EN: {c.after}")
    if args.json:
        print(json.dumps({"langs": {r.lang: r.to_json() for r in results}, "speed": speed}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
