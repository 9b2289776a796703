"""Article import from files: saved news pages, clipboard HTML, Word, Markdown, plain text.

The fixtures are realistic on purpose: the news page carries a cookie banner, navigation, ads, an
image caption, "Les også" links, a "Mest lest" box and a footer around the article, so the exact
expected paragraphs prove that all of it is removed and nothing of the article is lost.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.cli import main
from models.errors import InputError
from models.pipeline import article_from_html, article_from_text, load_article
from models.reading.compose import compose, headline_of
from models.reading.docx import extract_docx
from models.reading.files import import_file
from models.reading.html import extract_html
from models.reading.markdown import extract_markdown

FIXTURES = Path(__file__).parent / "fixtures"

NEWS_TITLE = "Ferja til Hareid innstilt i tre dager etter motorhavari"
NEWS_PARAGRAPHS = [
    NEWS_TITLE,
    "Over 4000 reisende må finne andre veier etter at ferja mellom Sulesund og Hareid fikk "
    "motorstopp mandag kveld.",
    "Fjord1 opplyser at ferja blir tatt ut av trafikk fram til torsdag. Mekanikere fra verftet i "
    "Ulsteinvik arbeider med å finne feilen i hovedmotoren.",
    "– Vi beklager sterkt ulempene dette gir de reisende. Sikkerheten må alltid komme først, sier "
    "kommunikasjonssjef Kari Bakke i Fjord1.",
    "Lange køer i morgenrushet",
    "Tirsdag morgen sto rundt 150 biler i kø ved fergeleiet. Mange pendlere rakk ikke jobben i "
    "Ålesund før klokken ni.",
    "Statens vegvesen anbefaler bilistene å kjøre om Eiksundtunnelen, noe som forlenger reisen med "
    "omtrent 45 minutter.",
    "Erstatningsferje fra onsdag",
    "Fjord1 setter inn en mindre erstatningsferje fra onsdag ettermiddag. Den har plass til 60 biler, "
    "mot 120 på den vanlige ferja.",
    "Ordfører Per Hansen i Hareid kommune mener hendelsen viser at sambandet er for sårbart.",
]
NEWS_URL = "https://www.vestlandsposten.example/nyheter/ferja-innstilt-hareid/a/81234"

CLIP_TITLE = "Rekordmange vil bli lærarar i Volda"
CLIP_PARAGRAPHS = [
    CLIP_TITLE,
    "Høgskulen i Volda har fått 40 prosent fleire søkjarar til lærarutdanninga enn i fjor.",
    "Totalt 1250 personar har søkt om studieplass til hausten, viser tal frå Samordna opptak.",
    "– Dette er svært gledeleg. Vi har jobba lenge for å gjere utdanninga meir kjend, seier rektor Siri Vik.",
    "Manglar lærarar i distrikta",
    "Mange kommunar på Sunnmøre slit med å rekruttere kvalifiserte lærarar, og fleire skular har "
    "tilsett folk utan godkjend utdanning.",
    "Fylkesdirektør Jon Aasen meiner auken kan bidra til å løyse problemet på sikt.",
]
CLIP_URL = "https://www.sunnmorsavisa.example/nyheiter/rekordmange-vil-bli-lararar/a/5523"

BOILERPLATE = [
    "informasjonskapsler",  # cookie banner
    "Godta alle",
    "Bli abonnent",  # navigation
    "Annonse",  # ads
    "0 % rente",
    "Spar 30 prosent",
    "MOTORSTOPP",  # image caption
    "Foto:",
    "Les også",  # related links
    "elferje",
    "Mest lest",
    "Aalesund vant",
    "Ansvarlig redaktør",  # footer
    "dataLayer",  # scripts
    "Publisert",  # byline line (kept as metadata, not as article text)
]


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


# ---------------------------------------------------------------- saved news page


def test_news_page_extracts_exactly_the_article_paragraphs() -> None:
    imp = import_file(str(FIXTURES / "news_page.html"))
    assert paragraphs(imp.text) == NEWS_PARAGRAPHS
    for junk in BOILERPLATE:
        assert junk not in imp.text, junk
    assert imp.warnings == []
    assert imp.kind == "html"


def test_news_page_metadata_from_meta_and_json_ld() -> None:
    imp = import_file(str(FIXTURES / "news_page.html"))
    src = imp.source
    assert src.title == NEWS_TITLE  # og:title, without the " – site" suffix of <title>
    assert src.author == "Ingrid Solheim"
    assert src.date == "2024-03-12T07:45:00+01:00"
    assert src.url == NEWS_URL  # canonical
    assert src.site == "Vestlandsposten"
    assert src.file == str(FIXTURES / "news_page.html")


def test_news_page_through_the_pipeline_headings_title_and_language() -> None:
    art = load_article(str(FIXTURES / "news_page.html"))
    assert art.title == NEWS_TITLE
    assert art.source.language == "nb"
    assert art.warnings == []
    assert [art.text[p.start : p.end] for p in art.paragraphs] == NEWS_PARAGRAPHS
    headings = [s.text for s in art.sentences if s.heading]
    assert headings == [NEWS_TITLE, "Lange køer i morgenrushet", "Erstatningsferje fra onsdag"]
    for s in art.sentences:
        assert art.text[s.start : s.end] == s.text


def test_cli_segment_json_carries_the_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["segment", str(FIXTURES / "news_page.html"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == NEWS_TITLE
    assert data["source"] == {
        "title": NEWS_TITLE,
        "author": "Ingrid Solheim",
        "date": "2024-03-12T07:45:00+01:00",
        "url": NEWS_URL,
        "file": str(FIXTURES / "news_page.html"),
        "language": "nb",
        "site": "Vestlandsposten",
    }


def test_page_without_h1_in_main_text_still_starts_with_headline() -> None:
    html = (
        "<html><head><meta property='og:title' content='Strømprisen stiger igjen'></head><body>"
        "<nav><a href='/'>Forside</a></nav><div class='content'>"
        "<p>Strømprisen i Sør-Norge stiger med 20 prosent neste uke, melder Nord Pool.</p>"
        "<p>Det skyldes lite vind og lav fyllingsgrad i magasinene.</p></div></body></html>"
    )
    imp = extract_html(html)
    assert paragraphs(imp.text) == [
        "Strømprisen stiger igjen",
        "Strømprisen i Sør-Norge stiger med 20 prosent neste uke, melder Nord Pool.",
        "Det skyldes lite vind og lav fyllingsgrad i magasinene.",
    ]
    assert imp.source.title == "Strømprisen stiger igjen"
    assert imp.source.author is None and imp.source.date is None


def test_html_never_runs_scripts_or_fetches_resources(monkeypatch: pytest.MonkeyPatch) -> None:
    """Extraction must not open a socket, whatever the page references."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access during HTML extraction")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    html = (FIXTURES / "news_page.html").read_text(encoding="utf-8")
    html = html.replace(
        "<head>",
        '<head><!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd"><base href="http://127.0.0.1:9/">'
        "<script>document.write('<p>INJECTED</p>')</script>",
        1,
    )
    imp = extract_html(html)
    assert "INJECTED" not in imp.text
    assert paragraphs(imp.text) == NEWS_PARAGRAPHS


def test_html_with_no_text_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="no article text"):
        extract_html("<html><body><script>var a = 1;</script></body></html>", name="empty.html")


# ---------------------------------------------------------------- clipboard


def test_windows_clipboard_html_cf_html_header_and_fragment() -> None:
    """CF_HTML as Chrome/Edge put it on the Windows clipboard (header with byte offsets, markers)."""
    raw = (FIXTURES / "clipboard_windows.html").read_bytes().decode("utf-8")
    assert raw.startswith("Version:0.9")
    art = article_from_html(raw)
    assert [art.text[p.start : p.end] for p in art.paragraphs] == CLIP_PARAGRAPHS
    # caption, byline and "Les òg" links inside the selection are not article text
    for junk in ("GLEDE", "Foto", "Les òg", "yrkesfag", "Kari Aasen", "alert"):
        assert junk not in art.text
    assert art.title == CLIP_TITLE
    assert art.source.url == CLIP_URL  # from the CF_HTML SourceURL line
    assert art.source.author == "Kari Aasen"
    assert art.source.language == "nn"  # Nynorsk is accepted without a warning
    assert art.warnings == []
    assert [s.text for s in art.sentences if s.heading] == [CLIP_TITLE, "Manglar lærarar i distrikta"]


def test_linux_clipboard_html_without_markers_keeps_paragraphs() -> None:
    """Chrome on Linux offers text/html as a bare fragment behind a <meta charset>."""
    html = (
        "<meta charset='utf-8'><h2 style=\"font-size: 24px;\">Bybanen får ny trasé</h2>"
        '<p style="margin: 0px;">Bystyret vedtok onsdag å legge traseen langs Sandviksveien.</p>'
        '<p style="margin: 0px;">Anleggsarbeidet starter i 2026 og skal vare i tre år.</p>'
    )
    art = article_from_html(html, url="https://www.bt.example/bybanen")
    assert [art.text[p.start : p.end] for p in art.paragraphs] == [
        "Bybanen får ny trasé",
        "Bystyret vedtok onsdag å legge traseen langs Sandviksveien.",
        "Anleggsarbeidet starter i 2026 og skal vare i tre år.",
    ]
    assert art.title == "Bybanen får ny trasé"
    assert art.source.url == "https://www.bt.example/bybanen"


def test_tiny_clipboard_fragment_falls_back_to_its_text() -> None:
    art = article_from_html("<b>Brann</b> i <i>Bergen</i> sentrum natt til søndag.")
    assert art.text == "Brann i Bergen sentrum natt til søndag."


# ---------------------------------------------------------------- Word


def make_news_docx(path: Path) -> None:
    """A newsroom-style .docx: Title, lead, Heading 1/2, a fact table, a soft line break."""
    import docx
    from docx.enum.text import WD_BREAK

    doc = docx.Document()
    doc.core_properties.title = "Kraftig uvær stengte E39"
    doc.core_properties.author = "Marte Lie"
    doc.add_paragraph("Kraftig uvær stengte E39", style="Title")
    lead = doc.add_paragraph()
    lead.add_run("Vind med orkan styrke stengte E39 over Hjelmeland natt til fredag.").bold = True
    doc.add_paragraph("")  # empty paragraphs are layout, not text
    body = doc.add_paragraph("Statens vegvesen stengte veien klokken 02.15 etter at flere trær ")
    body.add_run("hadde blåst over kjørebanen.")
    doc.add_heading("Hundrevis uten strøm", level=1)
    doc.add_paragraph("Rundt 800 kunder i Ryfylke var uten strøm fredag morgen.")
    table = doc.add_table(rows=3, cols=2)
    rows = [("Sted", "Vindkast"), ("Hjelmeland", "38 m/s"), ("Sauda", "31 m/s")]
    for row, (a, b) in zip(table.rows, rows, strict=True):
        row.cells[0].text = a
        row.cells[1].text = b
    doc.add_heading("Venter bedring", level=2)
    p = doc.add_paragraph("Meteorologene venter at vinden løyer utover dagen.")
    p.add_run().add_break(WD_BREAK.LINE)
    p.add_run("Veien kan åpne igjen i ettermiddag.")
    doc.save(str(path))


DOCX_PARAGRAPHS = [
    "Kraftig uvær stengte E39",
    "Vind med orkan styrke stengte E39 over Hjelmeland natt til fredag.",
    "Statens vegvesen stengte veien klokken 02.15 etter at flere trær hadde blåst over kjørebanen.",
    "Hundrevis uten strøm",
    "Rundt 800 kunder i Ryfylke var uten strøm fredag morgen.",
    "Sted | Vindkast",
    "Hjelmeland | 38 m/s",
    "Sauda | 31 m/s",
    "Venter bedring",
    "Meteorologene venter at vinden løyer utover dagen.\nVeien kan åpne igjen i ettermiddag.",
]


def test_docx_paragraphs_headings_and_table_in_order(tmp_path: Path) -> None:
    path = tmp_path / "uvær.docx"
    make_news_docx(path)
    imp = import_file(str(path))
    assert paragraphs(imp.text) == DOCX_PARAGRAPHS
    assert imp.source.title == "Kraftig uvær stengte E39"
    assert imp.source.author == "Marte Lie"
    assert imp.source.file == str(path)
    art = load_article(str(path))
    assert art.title == "Kraftig uvær stengte E39"
    headings = [s.text for s in art.sentences if s.heading]
    assert headings[:2] == ["Kraftig uvær stengte E39", "Hundrevis uten strøm"]
    assert "Venter bedring" in headings
    assert art.source.language == "nb"


def test_docx_without_title_property_takes_first_heading(tmp_path: Path) -> None:
    import docx

    doc = docx.Document()
    doc.add_heading("Nytt rådhus koster en milliard", level=1)
    doc.add_paragraph("Prisen for det nye rådhuset har doblet seg siden 2019.")
    path = tmp_path / "raadhus.docx"
    doc.save(str(path))
    imp = extract_docx(path.read_bytes(), "raadhus.docx")
    assert paragraphs(imp.text) == [
        "Nytt rådhus koster en milliard",
        "Prisen for det nye rådhuset har doblet seg siden 2019.",
    ]
    assert imp.source.title == "Nytt rådhus koster en milliard"
    assert imp.source.author is None  # python-docx's template author is not a byline


def test_docx_saved_as_txt_is_read_as_word_with_a_warning(tmp_path: Path) -> None:
    src = tmp_path / "a.docx"
    make_news_docx(src)
    renamed = tmp_path / "artikkel.txt"
    renamed.write_bytes(src.read_bytes())
    imp = import_file(str(renamed))
    assert paragraphs(imp.text) == DOCX_PARAGRAPHS
    assert imp.warnings == ["artikkel.txt is a Word document; read it as .docx"]


def test_broken_docx_and_old_doc_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "skadet.docx"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(InputError, match=r"skadet\.docx"):
        import_file(str(bad))
    old = tmp_path / "gammel.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(InputError, match=r"save it as \.docx"):
        import_file(str(old))
    assert main(["segment", str(bad)]) == 2


# ---------------------------------------------------------------- Markdown and text


def test_markdown_markup_removed_structure_kept() -> None:
    md = (
        "---\ntitle: Ny tunnel åpnet\nauthor: Per Dahl\ndate: 2024-05-02\n---\n\n"
        "# Ny tunnel åpnet\n\n"
        "Den **nye** tunnelen under *Oslofjorden* åpnet i dag, melder "
        "[Statens vegvesen](https://www.vegvesen.no/).\n"
        "Den er 7,2 km lang.\n\n"
        "![Tunnelåpningen](bilde.jpg)\n\n"
        "## Bompenger\n\n"
        "- Personbil: 95 kroner\n- Lastebil: 285 kroner\n\n"
        "> Dette er en viktig dag, sa samferdselsministeren.\n\n"
        "Trafikken_teller ble satt opp `i går`.\n"
    )
    imp = extract_markdown(md)
    assert paragraphs(imp.text) == [
        "Ny tunnel åpnet",
        "Den nye tunnelen under Oslofjorden åpnet i dag, melder Statens vegvesen. Den er 7,2 km lang.",
        "Bompenger",
        "Personbil: 95 kroner",
        "Lastebil: 285 kroner",
        "Dette er en viktig dag, sa samferdselsministeren.",
        "Trafikken_teller ble satt opp i går.",
    ]
    assert (imp.source.title, imp.source.author, imp.source.date) == (
        "Ny tunnel åpnet",
        "Per Dahl",
        "2024-05-02",
    )


def test_markdown_file_through_load_article(tmp_path: Path) -> None:
    path = tmp_path / "sak.md"
    path.write_text(
        "Setext-tittel om brannen\n========================\n\nBrannen startet i en garasje.\n",
        encoding="utf-8",
    )
    art = load_article(str(path))
    assert art.text == "Setext-tittel om brannen\n\nBrannen startet i en garasje."
    assert art.title == "Setext-tittel om brannen"
    assert art.sentences[0].heading


def test_txt_first_line_headline_becomes_title_and_text_is_untouched(tmp_path: Path) -> None:
    text = "Ny rekord på Holmenkollen\n\nOver 80 000 tilskuere så rennet søndag. Det er ny rekord.\n"
    path = tmp_path / "sak.txt"
    path.write_text(text, encoding="utf-8")
    art = load_article(str(path))
    assert art.text == text  # plain text keeps its exact characters (offsets point into the file)
    assert art.title == "Ny rekord på Holmenkollen"
    assert art.source.title == "Ny rekord på Holmenkollen"
    assert art.source.file == str(path)


def test_headline_rules() -> None:
    assert headline_of("Tittel her\n\nBrødtekst.") == "Tittel her"
    assert headline_of("Dette er en setning.\n\nMer tekst.") is None  # ends with a full stop
    assert headline_of("Linje en\nlinje to\n\nTekst.") is None  # not alone in its paragraph
    assert headline_of("Bare én linje") is None  # one paragraph: body, not a headline
    assert headline_of("") is None


def test_txt_containing_html_goes_through_extraction_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "lagret.txt"
    path.write_bytes((FIXTURES / "news_page.html").read_bytes())
    art = load_article(str(path))
    assert [art.text[p.start : p.end] for p in art.paragraphs] == NEWS_PARAGRAPHS
    assert art.warnings == ["lagret.txt contains HTML; extracted the article text from it"]
    assert art.source.author == "Ingrid Solheim"


def test_article_from_text_keeps_its_old_contract() -> None:
    art = article_from_text("Overskrift\n\nEn setning her. En til.", file="x.txt", warnings=["w"])
    assert art.source.file == "x.txt"
    assert art.warnings[0] == "w"
    assert art.title == "Overskrift"
    assert art.source.title == "Overskrift"


def test_compose_puts_metadata_title_first_once() -> None:
    assert compose([("para", "Tekst.")], "Tittel") == "Tittel\n\nTekst."
    assert compose([("heading", "Tittel "), ("para", " Tekst. ")], "Tittel") == "Tittel\n\nTekst."
    assert compose([("para", "  "), ("para", "A\n\n\nB")], None) == "A\nB"


def test_stdin_html_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    data = (FIXTURES / "news_page.html").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    art = load_article("-")
    assert art.title == NEWS_TITLE
    assert art.source.file is None
    assert art.warnings == ["standard input contains HTML; extracted the article text from it"]


@pytest.mark.parametrize(
    "html",
    [
        # Found by a random-markup run: trafilatura raised ValueError on this (now falls back).
        "<html><body><!--QTwWWDTKyewL\nOgwCshBXsYREBDjmY xMV<h1>kH\x00aOFYuE øåAlMvXsbcaRV&#0;&#0;"
        "<h1><table>eNzåuEPulK",
        "<html><body><p>Tekst med NUL\x00 og \x07 kontrolltegn i et avsnitt her.</p></body></html>",
        "<![CDATA[<p>]]><?xml version='1.0'?><!DOCTYPE html><p>Hei & hå</p",
        "Version:0.9\r\nStartHTML:abc\r\n<!--StartFragment--><p>Uten slutt",
    ],
)
def test_malformed_markup_gives_text_or_a_clear_error(html: str) -> None:
    try:
        imp = extract_html(html, name="rot.html")
    except InputError as exc:
        assert exc.message == "rot.html has no article text"
    else:
        assert imp.text.strip() and "\x00" not in imp.text


def test_html_file_without_charset_in_windows_1252(tmp_path: Path) -> None:
    page = "<html><body><h1>Været i Bodø</h1><p>Det blir sol og 18 grader i Bodø på lørdag.</p></body></html>"
    path = tmp_path / "side.htm"
    path.write_bytes(page.encode("cp1252"))
    imp = import_file(str(path))
    assert paragraphs(imp.text) == ["Været i Bodø", "Det blir sol og 18 grader i Bodø på lørdag."]
    assert imp.warnings == [
        "side.htm is not UTF-8; read it as windows-1252 (check that æ, ø and å look right)"
    ]


def test_clipboard_prefers_html_and_falls_back_to_plain_text() -> None:
    from models.pipeline import article_from_clipboard

    raw = (FIXTURES / "clipboard_windows.html").read_text(encoding="utf-8")
    plain = "Rekordmange vil bli lærarar i Volda\r\n\r\nGLEDE: bildetekst som følgde med."
    art = article_from_clipboard(raw, plain)
    assert [art.text[p.start : p.end] for p in art.paragraphs] == CLIP_PARAGRAPHS
    # HTML without text (an image copied with its markup): the plain text is used instead
    art = article_from_clipboard("<html><body><img src='x.png'></body></html>", plain)
    assert art.text == plain.replace("\r\n", "\n")
    assert article_from_clipboard(None, "Bare tekst her.").text == "Bare tekst her."
    with pytest.raises(InputError, match="clipboard holds no text"):
        article_from_clipboard("", "  ")
