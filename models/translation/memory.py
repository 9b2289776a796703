"""The translation memory: finished sentence translations, in memory only (never on disk: articles
are confidential), so re-translating an edited article sends only the changed sentences to
CTranslate2. One memory is shared by every translator in the process, so reloading the same model
keeps it; the key includes the model's identity and every decoding option."""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from typing import Any


class TranslationMemory:
    """A thread-safe LRU of finished sentence translations, in memory only (never on disk)."""

    def __init__(self, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> str | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: str) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)


# Shared by every Translator in the process, so reloading the same model keeps its memory.
DEFAULT_MEMORY = TranslationMemory()


def normalise_sentence(text: str) -> str:
    """NFC and collapsed whitespace: the form that is translated and used as the memory key."""
    return " ".join(unicodedata.normalize("NFC", text).split())
