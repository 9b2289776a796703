"""A hand-edited or damaged ``desktop.ini`` never stops the window or its analysis (issue 14:
the window always starts). Each case is written into the real settings file before the window
is built; the window must come up and analyse an article with sane values."""

from __future__ import annotations

from typing import Any

import pytest

from desktop import settings as S

ARTICLE = "Oslo fikk 12 nye busser i 2023. Det kostet 40 millioner kroner. Bussene er elektriske."

CASES = {
    "splitter-5000-digits": "[window]\nsplitter=%s, 1, 1\n" % ("9" * 5000),
    "font-size-huge": "[view]\nfont_size=100000\n",
    "font-size-5000-digits": "[view]\nfont_size=%s\n" % ("9" * 5000),
    "bullets-huge": "[summary]\nbullets=1000000000\n",
    "bullets-negative": "[summary]\nbullets=-3\n",
    "bullets-not-a-number": "[summary]\nbullets=many\n",
    "geometry-garbage": "[window]\ngeometry=@ByteArray(\\x1\\xd9\\xd0\\xcb\\0\\x3\\0\\0\\x7f)\n",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_window_starts_and_analyses_with_a_hostile_settings_file(
    case: str, make_window: Any, qtbot: Any, recorded_errors: list
) -> None:
    path = S.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CASES[case], encoding="utf-8")
    window = make_window(autoload_model=False)
    assert 6 <= window.font_size() <= 40
    window.original.setPlainText(ARTICLE)
    window.analyse_now()
    qtbot.waitUntil(lambda: window.article is not None, timeout=20_000)
    assert 0 < window.bullets.count() <= 5
    assert recorded_errors == []


def test_int_settings_outside_their_limits_read_as_the_default(tmp_path: Any) -> None:
    s = S.Settings(tmp_path / "a.ini")
    s.set(S.BULLETS, 10**9)
    assert s.get(S.BULLETS) == S.BULLETS.default
    s.set(S.BULLETS, 7)
    assert s.get(S.BULLETS) == 7
