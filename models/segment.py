"""Norwegian article segmentation: text -> paragraphs -> sentences with exact offsets.

PLACEHOLDER: a naive splitter so other modules can be built against the interface; the real
segmenter replaces this file.
"""

from __future__ import annotations

import re

from models.article import Article, Paragraph, Sentence

_PARA = re.compile(r"\n[ \t]*\n")
_SENT_END = re.compile(r"[.!?]+[»\"”]?(?=\s+[A-ZÆØÅ«\"])")


def segment(text: str) -> Article:
    art = Article(text=text)
    pos = 0
    for chunk in _PARA.split(text):
        start = text.index(chunk, pos)
        pos = start + len(chunk)
        stripped = chunk.strip()
        if not stripped:
            continue
        p_start = start + chunk.index(stripped)
        para = Paragraph(index=len(art.paragraphs), start=p_start, end=p_start + len(stripped), sentences=[])
        cur = p_start
        bounds = [m.end() for m in _SENT_END.finditer(text, p_start, para.end)] + [para.end]
        for b in bounds:
            seg = text[cur:b]
            s = cur + (len(seg) - len(seg.lstrip()))
            e = b - (len(seg) - len(seg.rstrip()))
            if e > s:
                para.sentences.append(len(art.sentences))
                art.sentences.append(
                    Sentence(index=len(art.sentences), paragraph=para.index, start=s, end=e, text=text[s:e])
                )
            cur = b
        art.paragraphs.append(para)
    return art
