"""Reading bad and unusual input files: decoded with a warning, or one clear error (exit 2)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from models.cli import main
from models.errors import InputError
from models.reading import decode as textio
from models.reading.decode import decode_bytes, decode_html_bytes, looks_like_html, read_input
from models.reading.files import import_file

NORSK = "Ærlig talt: «Søppelet» på Østlandet – 12 øre per kilo, sa Åse.\n"


def test_utf8_with_bom_is_silent() -> None:
    r = decode_bytes(b"\xef\xbb\xbf" + NORSK.encode("utf-8"), "a.txt")
    assert (r.text, r.encoding, r.warnings) == (NORSK, "utf-8", [])


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_decodes_with_a_warning(codec: str) -> None:
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    r = decode_bytes(bom + NORSK.encode(codec), "a.txt")
    assert r.text == NORSK
    assert r.warnings == ["a.txt is UTF-16 text; read it as UTF-16"]


def test_utf16_without_bom_is_recognised() -> None:
    r = decode_bytes(NORSK.encode("utf-16-le"), "a.txt")
    assert r.text == NORSK
    assert "UTF-16" in r.warnings[0]


def test_windows_1252_decodes_exactly_with_a_warning() -> None:
    text = "Både “sitater” og – tankestreker – og € i Bærum.\r\nNy linje.\r\n"
    r = decode_bytes(text.encode("cp1252"), "gammel.txt")
    assert r.text == text.replace("\r\n", "\n")
    assert r.encoding == "windows-1252"
    assert r.warnings == [
        "gammel.txt is not UTF-8; read it as windows-1252 (check that æ, ø and å look right)"
    ]


def test_mostly_utf8_with_a_corrupt_byte_keeps_the_rest() -> None:
    data = NORSK.encode("utf-8") * 3 + b"\xff" + "Slutt på saka.".encode()
    r = decode_bytes(data, "skadet.txt")
    assert r.text == NORSK * 3 + "\ufffdSlutt på saka."
    assert r.warnings == ["skadet.txt has 1 invalid UTF-8 byte(s); they are shown as \ufffd"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "a PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"\x1f\x8b\x08\x00" + os.urandom(200), "a gzip archive"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 300, "binary"),
    ],
)
def test_binary_input_is_refused_clearly(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_bytes(data, "x.txt")


def test_undecodable_bytes_are_an_input_error() -> None:
    # Bytes Windows-1252 leaves undefined, mixed with control codes: no encoding makes text of it.
    data = b"\x81\x8d\x8f\x90\x9d\x01\x02\x03\x04\x05" * 200
    with pytest.raises(InputError):
        decode_bytes(data, "x.txt")


def test_crlf_and_cr_are_normalised() -> None:
    assert decode_bytes(b"a\r\nb\rc\n").text == "a\nb\nc\n"


def test_html_declared_charset_is_trusted_without_warning() -> None:
    page = '<html><head><meta charset="windows-1252"></head><body><p>Blåbærsyltetøy</p></body></html>'
    r = decode_html_bytes(page.encode("cp1252"), "side.html")
    assert "Blåbærsyltetøy" in r.text
    assert r.warnings == []
    latin1 = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>“Ja”</p>'
    assert "“Ja”" in decode_html_bytes(latin1.encode("cp1252")).text  # WHATWG: latin-1 means cp1252


def test_looks_like_html() -> None:
    assert looks_like_html("<!DOCTYPE html><html><body><p>x</p></body></html>")
    assert looks_like_html("  <html lang='nb'>\n<head>")
    assert looks_like_html("<p>En</p><p>To</p><div>Tre</div>")
    assert not looks_like_html("Ein vanleg tekst om <b>-taggar i ein setning.")
    assert not looks_like_html("Prisen steg med 5 < 10 prosent.")


# ---------------------------------------------------------------- paths


def test_missing_file_folder_and_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_input(str(tmp_path / "finnes-ikke.txt"))
    with pytest.raises(InputError, match="is a folder"):
        read_input(str(tmp_path))
    assert main(["segment", str(tmp_path / "finnes-ikke.txt")]) == 2
    assert main(["segment", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("nordbrief: error: ") for line in err)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "hemmelig.txt"
    path.write_text("Hemmelig.", encoding="utf-8")
    if os.geteuid() == 0:  # root reads anything: simulate what chmod 000 does for a user
        real_open = Path.open

        def deny(self: Path, *args: object, **kwargs: object) -> object:
            if self == path:
                raise PermissionError(13, "Permission denied")
            return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "open", deny)
    path.chmod(0)
    try:
        with pytest.raises(InputError, match="permission denied"):
            read_input(str(path))
        assert main(["segment", str(path)]) == 2
    finally:
        path.chmod(0o600)


def test_too_large_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textio, "MAX_INPUT_BYTES", 1024)
    path = tmp_path / "stor.txt"
    path.write_bytes(b"a" * 1025)
    with pytest.raises(InputError, match="larger than"):
        read_input(str(path))


@pytest.mark.parametrize("content", [b"", b"  \n\t\n  ", b"\xef\xbb\xbf\n"])
def test_empty_and_whitespace_only_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "tom.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match="empty"):
        import_file(str(path))
    assert main(["segment", str(path)]) == 2


def test_bad_files_through_the_cli_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = {
        "bilde.txt": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)),
        "program.md": b"\x7fELF\x02\x01\x01" + b"\x00" * 64,
        "rot.html": bytes(range(256)) * 8,
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        assert main(["segment", str(tmp_path / name)]) == 2, name
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and not any("Traceback" in line for line in err)
    assert "bilde.txt is a JPEG image, not text" in err[0]


def test_unusual_encodings_through_the_cli_warn_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Strømmen gikk i Ålesund\n\nOver 2000 kunder var uten strøm i natt etter uværet.\n"
    (tmp_path / "u16.txt").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    (tmp_path / "w.txt").write_bytes(text.encode("cp1252"))
    for name in ("u16.txt", "w.txt"):
        assert main(["segment", str(tmp_path / name)]) == 0
        captured = capsys.readouterr()
        assert "Strømmen gikk i Ålesund" in captured.out
        assert captured.err.startswith(f"nordbrief: warning: {name} ")


def test_large_article_reads_quickly(tmp_path: Path) -> None:
    """A 5 MB article decodes (not refused, no quadratic step); generous bound catches hangs."""
    para = "Kommunestyret i Ørsta vedtok budsjettet for neste år etter en lang debatt om skolene. " * 10
    data = ("\n\n".join([para] * 6000)).encode("cp1252")
    assert len(data) > 5_000_000
    path = tmp_path / "stor.txt"
    path.write_bytes(data)
    start = time.monotonic()
    r = read_input(str(path))
    assert time.monotonic() - start < 20
    assert len(r.text) == len(data) and r.encoding == "windows-1252"


@pytest.mark.timeout(30)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_input(str(fifo))
