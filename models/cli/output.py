"""What every command does with its input and output: read an article (warnings to stderr),
print or atomically write the result, one-line warnings."""

from __future__ import annotations

import json
import sys
from typing import Any

from models import pipeline
from models.article import Article
from models.errors import OutputError
from models.files import write_output


def emit(text: str, output: str | None) -> None:
    """Print to stdout, or write ``output`` atomically (exit 5 when that fails)."""
    if output and output != "-":
        write_output(output, text if text.endswith("\n") else text + "\n")
        return
    try:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        raise OutputError("output pipe closed") from None


def to_json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def warn(message: str) -> None:
    print(f"nordbrief: warning: {message}", file=sys.stderr)


def load(path: str) -> Article:
    """Read and segment an article, echoing any reading warnings to stderr."""
    article = pipeline.load_article(path)
    for w in article.warnings:
        warn(w)
    return article
