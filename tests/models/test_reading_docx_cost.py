"""The cost of reading a .docx (issue 14, item 8): style names looked up once, not per paragraph,
and a "docx bomb" (a small file that inflates to hundreds of MB of XML) refused from the ZIP
directory, before python-docx parses it, with bounded memory.

On main's code: ``Paragraph.style`` was read twice per paragraph (each a scan of every style;
100,000 paragraphs took 85 s), and the bomb was parsed (over 3 GB, or a MemoryError under a cap).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from models.errors import InputError
from models.reading.docx import MAX_DOCX_XML_BYTES, extract_docx


def _docx(paragraphs: int) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Brann i Bergen sentrum", level=0)  # the "Title" style
    for i in range(paragraphs):
        if i % 50 == 0:
            document.add_heading(f"Del {i // 50 + 1}", level=1)
        document.add_paragraph(f"Avsnitt {i}: det brant i et bolighus i Bergen natt til fredag.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_paragraph_style_is_never_read_per_paragraph(monkeypatch: pytest.MonkeyPatch) -> None:
    """Untimed stand-in for the 100,000-paragraph figure: count ``Paragraph.style`` reads."""
    from docx.text.paragraph import Paragraph

    reads = 0
    real = Paragraph.style

    def counted(self: Paragraph):  # type: ignore[no-untyped-def]
        nonlocal reads
        reads += 1
        return real.fget(self)  # type: ignore[attr-defined]

    data = _docx(500)
    monkeypatch.setattr(Paragraph, "style", property(counted, real.fset))  # type: ignore[attr-defined]
    imp = extract_docx(data, "big.docx")
    assert reads == 0
    assert imp.source.title == "Brann i Bergen sentrum"
    assert "Del 10" in imp.text and "Avsnitt 499:" in imp.text


def test_style_names_follow_python_docx_rules() -> None:
    """Headings by style name (Heading n, Title, a Norwegian "Overskrift" style), an unknown style
    id falls back to the default paragraph style, as ``Paragraph.style`` does."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    document.styles.add_style("Overskrift 1", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Hovedsaken", style="Title")
    document.add_paragraph("Første avsnitt med tekst som er lang nok til å telle.")
    document.add_paragraph("Mellomtittel", style="Overskrift 1")
    odd = document.add_paragraph("Avsnitt med en stil som ikke finnes i dokumentet.")
    odd._p.get_or_add_pPr().style = "NoSuchStyle"
    document.add_paragraph("Liste", style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    imp = extract_docx(out.getvalue(), "styles.docx")
    # python-docx's own answer for the unknown id: the default paragraph style.
    reread = docx.Document(io.BytesIO(out.getvalue())).paragraphs
    assert reread[3].style is not None and reread[3].style.name == "Normal"
    assert imp.source.title == "Hovedsaken"
    blocks = imp.text.split("\n\n")
    assert "Mellomtittel" in blocks  # a heading is a block of its own
    assert "Avsnitt med en stil som ikke finnes i dokumentet." in blocks


def _bomb(path: Path, xml_megabytes: int) -> None:
    """A real .docx whose document.xml is padded with one repeated paragraph (deflates ~1000x)."""
    base = zipfile.ZipFile(io.BytesIO(_docx(1)))
    paragraph = b"<w:p><w:r><w:t>" + b"a" * 1000 + b"</w:t></w:r></w:p>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in base.infolist():
            data = base.read(info.filename)
            if info.filename != "word/document.xml":
                out.writestr(info.filename, data)
                continue
            head, _, tail = data.partition(b"<w:body>")
            with out.open("word/document.xml", "w", force_zip64=True) as fh:
                fh.write(head + b"<w:body>")
                chunk = paragraph * 1000
                for _ in range(xml_megabytes * 1024 * 1024 // len(chunk)):
                    fh.write(chunk)
                fh.write(tail)


CAPPED = r"""
import json, resource, sys
def peak_rss_mb():
    # VmHWM: unlike ru_maxrss, not inherited from the parent (pytest) across exec
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:")) / 1024
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
from models.errors import InputError
from models.reading.files import import_file
try:
    import_file(sys.argv[1])
    result = {"ok": True}
except InputError as exc:
    result = {"ok": False, "message": exc.message}
except MemoryError:
    result = {"ok": False, "message": "MemoryError"}
result["maxrss_mb"] = peak_rss_mb()
print(json.dumps(result))
"""


@pytest.mark.timeout(300)
def test_docx_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    """400 MB of XML in a 1 MB file: refused from the ZIP directory, under a 1.5 GB address-space
    cap, peak RSS far below what parsing it would take."""
    bomb = tmp_path / "bomb.docx"
    _bomb(bomb, 400)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    proc = subprocess.run(
        [sys.executable, "-c", CAPPED, str(bomb), str(1536 * 1024 * 1024)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["ok"] is False
    assert "docx bomb" in result["message"], result["message"]
    assert result["maxrss_mb"] < 300, result


def test_ratio_cap_catches_a_bomb_under_the_size_cap(tmp_path: Path) -> None:
    bomb = tmp_path / "small-bomb.docx"
    _bomb(bomb, 20)
    assert MAX_DOCX_XML_BYTES > 20 * 1024 * 1024
    with pytest.raises(InputError, match="inflates"):
        extract_docx(bomb.read_bytes(), "small-bomb.docx")


def test_a_real_sized_docx_still_reads() -> None:
    imp = extract_docx(_docx(3000), "long.docx")
    assert imp.text.count("Avsnitt") == 3000


@pytest.mark.parametrize(("style", "is_title"), [("Overskrift 1", True), ("Heading 2", True), (None, False)])
def test_first_heading_becomes_the_title(style: str | None, is_title: bool) -> None:
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    document.styles.add_style("Overskrift 1", WD_STYLE_TYPE.PARAGRAPH)
    first = document.add_paragraph("Ferja innstilt i tre dager", style=style)
    if style is None:
        first._p.get_or_add_pPr().style = "NoSuchStyle"  # unknown id -> the default style
    document.add_paragraph("Ferja mellom Hareid og Sulesund er innstilt etter et motorhavari.")
    out = io.BytesIO()
    document.save(out)
    imp = extract_docx(out.getvalue(), "t.docx")
    assert (imp.source.title == "Ferja innstilt i tre dager") is is_title


def test_fast_paragraph_text_equals_python_docx(tmp_path: Path) -> None:
    """The XPath-free text and style id give exactly what python-docx gives, on a newsroom
    document plus tabs, line/page breaks, carriage returns, non-breaking hyphens, a hyperlink."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from models.reading.docx import _fast_text_tools
    from tests.models.test_import import make_news_docx

    path = tmp_path / "news.docx"
    make_news_docx(path)
    document = docx.Document(str(path))
    p = document.add_paragraph("Før tab\tetter tab", style="Heading 2")
    p.add_run("linje").add_break()
    p.add_run("side").add_break(WD_BREAK.PAGE)
    p.add_run("slutt")
    p._p.append(
        parse_xml(
            f"<w:hyperlink {nsdecls('w')}><w:r><w:t>lenke</w:t><w:noBreakHyphen/><w:cr/>"
            "<w:ptab w:relativeTo='margin' w:alignment='left' w:leader='none'/></w:r></w:hyperlink>"
        )
    )
    p._p.append(parse_xml(f"<w:ins {nsdecls('w')}><w:r><w:t>sporet endring</w:t></w:r></w:ins>"))
    para_text, style_id = _fast_text_tools()
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    assert len(paragraphs) > 8
    for para in paragraphs:
        assert para_text(para._p) == para.text
        assert style_id(para._p) == para._p.style
