"""The main window: Original | Translation | Key facts, linked sentence by sentence.

The window keeps GUI state only and owns the article it shows: background jobs
(``desktop.workers``) read, analyse, load the model, translate, check and download through the
engine API, and their results are applied here, on the GUI thread. The pieces around it live in
their own modules: the actions and menus (``desktop.actions``), the linking of the panes
(``desktop.linking``) and the non-visual state machines (``desktop.state``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QPalette,
    QResizeEvent,
    QShowEvent,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QLabel,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop import dialogs, session, workers
from desktop import settings as S
from desktop.actions import Actions, icon
from desktop.aligned import RowAligner
from desktop.linking import PaneLinker
from desktop.plain import plain_label, plain_tooltip
from desktop.render import TranslationLayout, layout_translation
from desktop.state import AutosaveQueue, Generations, ModelState
from desktop.widgets import (
    FLAGGED_ROLE,
    SOURCE_ROLE,
    Banner,
    BulletList,
    OriginalEdit,
    Pane,
    SpanHighlighter,
    TranslationView,
    heading_format,
    is_dark,
    local_files,
    plain_text,
    scaled_font,
    tint,
)
from models import pipeline, store
from models.article import Article, FlagDetail, ModelInfo, Sentence, severity
from models.errors import NordbriefError, OutputError
from models.settings import EngineSettings
from models.store.hub import OFFLINE
from models.store.progress import DownloadProgress, format_size


def _flag_bullets(s: Sentence) -> str:
    """A sentence's flag details, one bullet each, led by what the flag is sure of."""
    return _flag_lines(s.flag_details or [FlagDetail(f, f.replace("_", " ")) for f in s.flags])


def _flag_lines(details: list[FlagDetail]) -> str:
    return "\n".join(f"• {d.severity}: {d.detail}" for d in details)


log = logging.getLogger(__name__)

ANALYSE_DELAY_MS = 500  # re-segment/summarize this long after the last keystroke
AUTOSAVE_DELAY_MS = 1500
# Linked-sentence and flag backgrounds must stand out from the pane's base colour (WCAG ratio),
# in light and dark themes alike, while the text on them stays readable (4.5:1).
MIN_HIGHLIGHT_CONTRAST = 1.5


class MainWindow(QMainWindow):
    def __init__(
        self,
        settings: S.Settings | None = None,
        *,
        model: str | None = None,
        restore_session: bool = True,
        autoload_model: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings or S.Settings()
        self.tasks = workers.TaskManager(self)
        self.model_arg = model  # a name or folder from the command line; None = store default
        self.article: Article | None = None  # analysed article matching the Original pane
        self.file: str | None = None
        self.translator: pipeline.Translator | None = None
        self.model_info: ModelInfo | None = None
        self.model_state = ModelState.UNKNOWN
        self.generations = Generations()
        self.autosaves = AutosaveQueue()
        self._translate_job: workers.Job[pipeline.ArticleCheck] | None = None
        self._download_job: workers.Job[store.InstalledModel] | None = None
        self._pending_translate = False
        self._setting_text = False
        self._t0 = 0.0
        self._translate_runs = 0  # which translation run the window is showing
        self._translating_article: Article | None = None
        self._cached_only = False  # every batch of this run came from the translation memory
        self._banner_offers_import = False  # the banner's button imports (offline) instead
        self._closing = False
        self._pending_sizes: list[int] = []
        self._built = False  # Qt sends palette events while the widgets are being made

        self.setWindowTitle("Nordbrief")
        self.setWindowIcon(icon("nordbrief"))
        self.setAcceptDrops(True)
        self._build_ui()
        self.linker = PaneLinker(
            self.original, self.translation, self.bullets, lambda: self.article, self._colors
        )
        self.aligner = RowAligner(self.original, self.translation, self._aligned_rows)
        self.commands = Actions(self, self)
        self.commands.sync_bullet_choice(*self._bullet_choice())
        self._apply_panes()
        self._built = True
        self._apply_font()
        self._restore_geometry()

        self._analyse_timer = QTimer(self, singleShot=True, interval=ANALYSE_DELAY_MS)
        self._analyse_timer.timeout.connect(self.analyse_now)
        self._autosave_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self.save_session)
        self.original.textChanged.connect(self._on_text_changed)
        self.original.fileDropped.connect(self.open_path)
        self.original.pagePasted.connect(self.paste_page)
        self.translation.tooltip_provider = self._translation_tooltip
        self.banner.actionClicked.connect(self._banner_action)
        self.banner.secondaryClicked.connect(self.show_models_dialog)
        self.banner.importClicked.connect(self.ask_import_model)
        self.banner.cancelClicked.connect(self.cancel_download)

        if restore_session:
            self._restore_session()
        self._update_actions()
        if autoload_model:
            # After the first paint: loading a model takes seconds and must not delay the window.
            QTimer.singleShot(0, self.load_model)
            QTimer.singleShot(0, self._warm_up)

    # ----- construction --------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.original = OriginalEdit()
        self.original.setAccessibleName("Original Norwegian text")
        self.translation = TranslationView()
        self.translation.setAccessibleName("English translation")
        self.bullets = BulletList()
        self.bullets.setAccessibleName("Key facts")
        self.bullets.setAccessibleDescription(
            "Key facts from the article; arrow keys move, Enter shows the source sentence"
        )
        # Headings styled by display formats only: the Original's text stays exactly as typed.
        self.original_headings = SpanHighlighter(self.original.document())
        self.translation_headings = SpanHighlighter(self.translation.document())
        self.original_pane = Pane("Original", self.original)
        self.translation_pane = Pane("Translation", self.translation)
        self.bullets_pane = Pane("Key facts", self.bullets)
        self.original_pane.header.note.setText("Norwegian")
        self.translation_pane.header.note.setText("English · machine translation")
        for pane in (self.original_pane, self.translation_pane, self.bullets_pane):
            pane.setAccessibleName(f"{pane.header.title.text()} pane")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(6)
        for pane in (self.original_pane, self.translation_pane, self.bullets_pane):
            self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setStretchFactor(2, 3)

        self.banner = Banner()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 4, 6, 0)
        layout.setSpacing(4)
        layout.addWidget(self.banner)
        # Narrow windows: Key facts move below the two language columns (``_fit_width``).
        self.outer = QSplitter(Qt.Orientation.Vertical)
        self.outer.setChildrenCollapsible(False)
        self.outer.setHandleWidth(6)
        self.outer.addWidget(self.splitter)
        self._narrow = False
        self._wide_sizes: list[int] = []
        # The three columns' widths just before each resize of their splitter (the filter runs
        # before the splitter rescales them): what a narrow window restores when it widens.
        self.splitter.installEventFilter(self)
        for pane in (self.original_pane, self.translation_pane, self.bullets_pane):
            pane.setMinimumWidth(220)
        layout.addWidget(self.outer, 1)
        self.setCentralWidget(central)

        bar = self.statusBar()
        self.status_label = plain_label(QLabel())  # error messages are shown here
        self.speed_label = QLabel()
        self.speed_label.setAccessibleName("Translation speed")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Translation progress")
        self.progress.setFixedWidth(200)
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.progress.hide()
        self.model_label = plain_label(QLabel())  # a model's name may come from an import
        self.model_label.setAccessibleName("Translation model")
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.speed_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.model_label)

        self.setTabOrder(self.original, self.translation)
        self.setTabOrder(self.translation, self.bullets)

    @property
    def recent_menu(self) -> QMenu:
        return self.commands.recent_menu.menu

    def open_recent(self, path: str) -> None:
        """Open a recent file; one that was moved or deleted leaves the list with a clear message."""
        if not Path(path).is_file():
            self.settings.remove_recent(path)
            self.commands.recent_menu.fill()
            self.set_status(f"{Path(path).name} is no longer there; removed from recent files")
            dialogs.show_error(
                self,
                "File not found",
                f"{path} no longer exists (moved or deleted). It was removed from the recent files.",
            )
            return
        self.open_path(path)

    # ----- settings, fonts, geometry -------------------------------------------------------
    def _restore_geometry(self) -> None:
        geo = self.settings.get(S.GEOMETRY)
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        else:
            self.resize(1280, 780)
        sizes = [int(x) for x in self.settings.get(S.SPLITTER) if str(x).isdigit() and len(str(x)) <= 6]
        # Applied on first show: before that the splitter has no width and would rescale them.
        self._pending_sizes = sizes if len(sizes) == 3 and all(s > 0 for s in sizes) else [440, 440, 360]
        self._wide_sizes = list(self._pending_sizes)
        self.splitter.setSizes(self._pending_sizes)

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        if self._pending_sizes:
            self.splitter.setSizes(self._pending_sizes)
            self._pending_sizes = []
        self._fit_width()

    NARROW_WIDTH = 1000  # below this Key facts go under the Original and the Translation

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if obj is self.splitter and e.type() == QEvent.Type.Resize and not self._narrow:
            sizes = self.splitter.sizes()
            if len(sizes) == 3 and all(x > 0 for x in sizes):
                self._wide_sizes = sizes
        return super().eventFilter(obj, e)

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        if self._built:
            self._fit_width()

    def _fit_width(self) -> None:
        """Three columns from ``NARROW_WIDTH`` up; below it the two languages stay side by side
        (down to 800 px) and Key facts take a row under them."""
        narrow = self.width() < self.NARROW_WIDTH
        if narrow == self._narrow:
            return
        self._narrow = narrow
        if narrow:
            self.outer.addWidget(self.bullets_pane)  # taken out of the three-column splitter
            h = max(self.outer.height(), 300)
            self.outer.setSizes([int(h * 0.66), h - int(h * 0.66)])
        else:
            self.splitter.insertWidget(2, self.bullets_pane)
            if len(self._wide_sizes) == 3:
                sizes = list(self._wide_sizes)
                self.splitter.setSizes(sizes)
                # Again once the layout has given the splitter its new width.
                QTimer.singleShot(0, lambda: self.splitter.setSizes(sizes))

    # ----- key facts: how many, in which order (remembered) -----------------------------------
    def _bullet_choice(self) -> tuple[int, str]:
        n = max(3, min(10, self.settings.get(S.BULLETS)))
        order = self.settings.get(S.BULLET_ORDER)
        return n, order if order in ("article", "importance") else "article"

    def set_bullets(self, count: int | None = None, order: str | None = None) -> None:
        """Key facts: ``count`` (3-10) and ``order`` ("article"/"importance") from the Key facts
        menu; remembered, and the shown article gets new key facts in the background."""
        if count is not None:
            self.settings.set(S.BULLETS, max(3, min(10, count)))
        if order in ("article", "importance"):
            self.settings.set(S.BULLET_ORDER, order)
        self.commands.sync_bullet_choice(*self._bullet_choice())
        art = self.article
        if art is None or not art.sentences:
            return
        self.tasks.run(
            "summarize",
            workers.resummarize(art, *self._bullet_choice()),
            on_success=lambda new: self._resummarized(art, new),
            on_error=self._job_error,
        )

    def _resummarized(self, art: Article, new: Article) -> None:
        if art is not self.article:
            return  # the text changed meanwhile: its own analysis uses the new choice
        art.facts, art.bullets = new.facts, new.bullets
        self._render_bullets()
        self.linker.highlight()
        self._schedule_autosave()
        if any(b.compressed and not b.translation for b in art.bullets) and self.model_state.usable:
            self.translate()  # a compressed bullet's own English (sentences come from memory)

    # ----- panes shown (View menu, remembered) ------------------------------------------------
    PANES = ("original", "translation", "facts")

    def _pane(self, name: str) -> QWidget:
        panes = {"original": self.original_pane, "translation": self.translation_pane}
        return panes.get(name, self.bullets_pane)

    def show_pane(self, name: str, visible: bool) -> None:
        """Hide or show a pane; at least one stays visible. Remembered across runs."""
        hidden = [p for p in self.settings.get(S.HIDDEN_PANES) if p in self.PANES and p != name]
        if not visible:
            hidden.append(name)
        if len(hidden) == len(self.PANES):
            hidden.remove(name)  # never hide the last one
        self.settings.set(S.HIDDEN_PANES, hidden)
        self._apply_panes()

    def _apply_panes(self) -> None:
        hidden: set[str] = {str(p) for p in self.settings.get(S.HIDDEN_PANES)}
        if len(hidden & set(self.PANES)) == len(self.PANES):
            hidden = set()
        for name in self.PANES:
            self._pane(name).setVisible(name not in hidden)
        self.commands.sync_panes(hidden)

    def save_settings(self) -> None:
        self.settings.set(S.GEOMETRY, self.saveGeometry())
        sizes = self._wide_sizes if self._narrow else self.splitter.sizes()
        if len(sizes) == 3:
            self.settings.set(S.SPLITTER, [str(size) for size in sizes])
        self.settings.sync()

    def change_font(self, delta: int) -> None:
        """+1/-1 point, 0 = back to the system size; applies to all three panes and persists."""
        new = 0 if delta == 0 else max(6, min(40, self.font_size() + delta))
        self.settings.set(S.FONT_SIZE, new)
        self._apply_font()

    def font_size(self) -> int:
        return self.original.font().pointSize()

    def _apply_font(self) -> None:
        size = self.settings.get(S.FONT_SIZE)
        base = QGuiApplication.font()
        if size <= 0:
            base.setPointSizeF(base.pointSizeF() * 1.1)
        for w in (self.original, self.translation, self.bullets):
            w.setFont(scaled_font(base, size))
        fmt = heading_format(self.original.font())
        self.original_headings.set_format(fmt)
        self.translation_headings.set_format(fmt)
        self.bullets.scheduleDelayedItemsLayout()
        if self._built:
            self.aligner.schedule()

    # ----- colours -------------------------------------------------------------------------
    def _colors(self) -> dict[str, QColor]:
        """Derived from the current palette so they read well in light and dark themes."""
        pal = self.original.palette()
        base = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.Text)
        hl = pal.color(QPalette.ColorRole.Highlight)
        warn = QColor(255, 170, 40) if is_dark(pal) else QColor(214, 120, 0)
        return {
            "current": tint(base, hl, text, start=0.30, min_ratio=MIN_HIGHLIGHT_CONTRAST),
            "flag_bg": tint(base, warn, text, start=0.14, min_ratio=MIN_HIGHLIGHT_CONTRAST),
            "flag_line": warn,
        }

    def changeEvent(self, e: QEvent) -> None:
        """A theme switch (light <-> dark) recomputes the tints derived from the palette; coming
        back to the window without a model looks again (``nordbrief models download`` or
        ``import`` in a terminal meanwhile), so no restart is needed."""
        super().changeEvent(e)
        if e.type() == QEvent.Type.PaletteChange and self._built:
            self.linker.highlight()
            self._render_bullets()
            self.banner.retint()
        if (
            e.type() == QEvent.Type.ActivationChange
            and self._built
            and self.isActiveWindow()
            and self.model_state == ModelState.MISSING
            and self._download_job is None
        ):
            self.model_state = ModelState.UNKNOWN
            self.load_model()

    # ----- input ---------------------------------------------------------------------------
    def open_file_dialog(self) -> None:
        path = dialogs.ask_open_file(self, self.settings.get(S.LAST_DIR))
        if path:
            self.open_path(path)

    def open_url_dialog(self) -> None:
        url = dialogs.ask_url(self)
        if url:
            self.open_url(url)

    def open_url(self, url: str) -> None:
        """Import a link in the background (Open URL, ``nordbrief gui LINK``, a second launch)."""
        self.set_status(f"Opening {url} …")
        self.tasks.run(
            "open-url",
            workers.open_url(url, *self._bullet_choice()),
            on_success=lambda a: self._set_loaded(a, None),
            on_error=self._job_error,
        )

    def open_path(self, path: str) -> None:
        """Read a file in the background (big files must not freeze the window)."""
        file = str(Path(path))
        self.set_status(f"Opening {Path(file).name} …")
        self.stop()
        self.tasks.run(
            "open",
            workers.open_file(file, *self._bullet_choice()),
            on_success=lambda a: self._set_loaded(a, file),
            on_error=lambda e: self._open_failed(e, file),
        )

    def paste_page(self, html: str, text: str = "") -> None:
        """A whole web page was pasted: extract its article in the background (like Open URL).

        Into an empty editor (or over all of its text) the page is loaded like an opened file:
        its title, author and date are kept for export, and translation starts. Into existing
        text the extracted article is inserted at the paste position (undoable) and analysed
        like typing. A page without article text and no plain text fails with a message.
        """
        doc_len = self.original.document().characterCount() - 1
        cursor = QTextCursor(self.original.textCursor())  # follows edits made meanwhile
        replace_all = doc_len == 0 or (cursor.selectionStart() == 0 and cursor.selectionEnd() == doc_len)
        gen = self.generations.current
        bullets = self.settings.get(S.BULLETS) if replace_all else None
        self.set_status("Extracting the article from the pasted page …")
        self.tasks.run(
            "paste-page",
            workers.paste_page(html, text, bullets, self._bullet_choice()[1]),
            on_success=lambda a: self._page_pasted(a, cursor, replace_all, gen),
            on_error=lambda e: self._page_paste_failed(e, text, cursor),
        )

    def _page_paste_failed(self, err: workers.JobError, text: str, cursor: QTextCursor) -> None:
        """Any failure of the HTML path (a broken extractor install, a page it cannot read)
        falls back to the clipboard's plain text; only with no plain text is it an error."""
        if self._closing:
            return
        if not text.strip():
            self._job_error(err, title="Cannot paste the page")
            return
        cursor.insertText(pipeline.normalise_newlines(text))
        self.original.setTextCursor(cursor)
        self.original.ensureCursorVisible()
        self.set_status(f"Pasted as plain text (the page itself could not be read: {err.message})")

    def _page_pasted(self, article: Article, cursor: QTextCursor, replace_all: bool, gen: int) -> None:
        if self._closing:
            return
        if replace_all and self.generations.is_current(gen):  # nothing typed while extracting
            self.stop()
            self._set_loaded(article, None, label="the pasted page")
            return
        cursor.insertText(article.text)  # an edit: analysis and autosave follow as for typing
        self.original.setTextCursor(cursor)
        self.original.ensureCursorVisible()
        self.set_status(f"Pasted the article from the page: {len(article.text.split())} words")

    def _open_failed(self, err: workers.JobError, path: str) -> None:
        if not Path(path).exists():
            self.settings.remove_recent(path)
        self._job_error(err, title="Cannot open the file")

    def _set_loaded(self, article: Article, path: str | None, label: str | None = None) -> None:
        if path:
            self.settings.add_recent(path)
            self.settings.set(S.LAST_DIR, str(Path(path).parent))
        self.file = path or article.source.url
        self.generations.bump()  # whatever analysis was pending is for the old text
        self._setting_text = True
        try:
            self.original.setPlainText(article.text)
        finally:
            self._setting_text = False
        self._show_article(article, reset_translation=True)
        name = Path(path).name if path else (label or article.source.url or "article")
        self._update_title()
        self.set_status(f"Opened {name}: {len(article.sentences)} sentences")
        for w in article.warnings:
            self.banner.show_message(w, kind="warning")
        self._schedule_autosave()
        if self.model_state.usable:
            self.translate()  # what the user opened an article for; waits for the model if needed

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if local_files(e.mimeData()):
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:
        files = local_files(e.mimeData())
        if files:
            e.acceptProposedAction()
            self.open_path(files[0])

    # ----- analysis (segment + summarize) --------------------------------------------------
    def _on_text_changed(self) -> None:
        if self._setting_text or self.original_headings.restyling or self.aligner.busy:
            return
        self.generations.bump()
        if self.translating:
            self.stop()  # translating outdated text is wasted; re-running reuses the memory
        if self.article is not None:
            self.article = None  # offsets no longer match the text: unlink until re-analysed
            self.linker.clear()
            self.translation_pane.header.note.setText("English · out of date, press Ctrl+Return")
        self._analyse_timer.start()
        self._schedule_autosave()
        self._update_actions()

    def analyse_now(self) -> None:
        self._analyse_timer.stop()
        text = plain_text(self.original)
        gen = self.generations.current
        if not text.strip():
            self._show_article(None, reset_translation=True)
            return
        self.tasks.run(
            "analyse",
            workers.analyse(text, self.file, *self._bullet_choice()),
            on_success=lambda a: self._analysis_done(a, gen),
            on_error=self._job_error,
        )

    def _analysis_done(self, article: Article, gen: int) -> None:
        if not self.generations.is_current(gen):
            return  # the user typed on; a newer analysis is coming
        self._show_article(article, reset_translation=False)
        self._schedule_autosave()
        if self._pending_translate:
            self._pending_translate = False
            self.translate()

    def _show_article(self, article: Article | None, *, reset_translation: bool) -> None:
        self.article = article
        self.linker.set_original(article.text if article else "")
        if reset_translation or (article and any(s.translation for s in article.sentences)):
            self._render_translation()
        if article is not None and any(s.translation for s in article.sentences):
            self._show_translation_note()
        self._render_bullets()
        self.original_headings.set_spans(self._heading_spans(self.linker.original_span))
        self.linker.highlight()
        self.aligner.schedule()
        self._update_actions()

    # ----- model ---------------------------------------------------------------------------
    def engine_settings(self) -> EngineSettings:
        """The window translates as ``nordbrief translate`` does with the same ``--model``."""
        return EngineSettings(model=self.model_arg)

    def load_model(self) -> None:
        if self.model_state is ModelState.LOADING or self._closing:
            return
        self.model_state = ModelState.LOADING
        self.model_label.setText("Loading model…")
        self.tasks.run(
            "load-model",
            workers.load_translator(self.engine_settings()),
            lane="translator",
            on_success=self._model_loaded,
            on_error=self._model_failed,
        )

    def _model_loaded(self, result: workers.LoadedModel) -> None:
        self.translator, info = result
        self.model_info = info
        self.translation.setPlaceholderText(TranslationView.PLACEHOLDER)
        self.model_state = ModelState.READY
        self.model_label.setText(f"Model: {info.name}")
        self.model_label.setToolTip(
            plain_tooltip(f"{info.name} · revision {info.revision or '—'} · license {info.license or '—'}")
        )
        if self._download_job is None:
            self.banner.hide()
        if self.translator.notice:  # e.g. an old install that runs without its shortlist; said once
            self.banner.show_message(self.translator.notice, kind="info")
        self._update_actions()
        if self._pending_translate:
            self._pending_translate = False
            self.translate()

    def _model_failed(self, err: workers.JobError) -> None:
        self.model_state = ModelState.MISSING if err.user_error else ModelState.ERROR
        self.translator = None
        self.model_label.setText("No model")
        self._pending_translate = False
        self.show_no_model_banner(None if err.no_model else err.message)
        self._update_actions()

    def show_no_model_banner(self, problem: str | None = None) -> None:
        """Offer the download; ``problem`` says why an installed model cannot be used."""
        lead = "No translation model installed."
        text = (
            "Key facts still work, in Norwegian. "
            "Download the English translation model once; after that everything runs offline."
        )
        if problem:
            lead, text = "The translation model cannot be used:", problem
        self.banner.show_message(
            text + " Or import a model you already have.",
            action="Download model",
            secondary="Models…",
            kind="warning",
            lead=lead,  # the window's words in bold; ``problem`` (error text) shown literally
            offer_import=True,
        )
        self.translation.setPlaceholderText(
            "No translation model yet: download it from the banner above (once), then press "
            "Ctrl+Return. The key facts already work, in Norwegian."
        )

    def _banner_action(self) -> None:
        if self._banner_offers_import:
            self._banner_offers_import = False
            self.ask_import_model()
        elif not self.model_state.usable:
            self.download_model(None)

    def download_model(self, name: str | None) -> None:
        if self._download_job is not None:
            return
        self.banner.show_progress("Downloading the translation model…", None)
        self._download_job = self.tasks.run(
            "download",
            workers.download(name),
            on_progress=self._download_progress,
            on_success=lambda _r: self._download_finished(True),
            on_error=self._download_failed,
            on_cancel=lambda: self._download_finished(False),
        )

    def _download_progress(self, p: DownloadProgress) -> None:
        if p.phase == "download":
            amount = f"{format_size(p.done)} of {format_size(p.total)}" if p.total else format_size(p.done)
        else:
            amount = p.label
        self.banner.show_progress(f"Downloading the translation model ({amount})…", p.fraction)

    def _download_finished(self, ok: bool) -> None:
        self._download_job = None
        if ok:
            self.banner.show_message("Model installed. Loading it…", kind="info")
            self.model_state = ModelState.UNKNOWN
            self.load_model()
        else:
            self.show_no_model_banner()
            self.set_status("Download cancelled; it resumes where it stopped next time.")

    def _download_failed(self, err: workers.JobError) -> None:
        self._download_job = None
        if err.message.startswith(OFFLINE):
            # No connection: say so in words and offer what works offline, no error box.
            self.banner.show_message(
                "Import a model you already have (a model folder or an "
                ".argosmodel package), or try the download again later.",
                lead=f"{OFFLINE}.",
                action="Import model…",
                secondary="Models…",
                kind="warning",
            )
            self._banner_offers_import = True
            self.set_status(err.message)
            return
        self.show_no_model_banner()
        self._job_error(err, title="Download failed")

    def cancel_download(self) -> None:
        if self._download_job is not None:
            self._download_job.cancel()
            self.banner.show_progress("Cancelling…", None)

    def ask_import_model(self) -> None:
        path = dialogs.ask_import_path(self, self.settings.get(S.LAST_DIR) or "")
        if path:
            self.import_model(path)

    def import_model(self, path: str) -> None:
        """Install a model from a folder or package, off the GUI thread (converting a checkpoint
        takes a while); the banner shows progress, a failure gets a message."""
        if self._download_job is not None:
            self.set_status("A model is being installed already; wait for it to finish.")
            return
        self.banner.show_progress("Importing the translation model…", None)
        self._download_job = self.tasks.run(
            "import-model",
            workers.import_model(path),
            on_progress=self._import_progress,
            on_success=self._import_finished,
            on_error=self._import_failed,
            on_cancel=lambda: self._download_finished(False),
        )

    def _import_progress(self, p: DownloadProgress) -> None:
        what = {
            "verify": f"checking {p.file}" if p.file else "checking its files",
            "convert": "converting it",
        }
        detail = f" ({what[p.phase]})" if p.phase in what else ""
        fraction = p.done / p.total if p.total and p.phase == "verify" else None
        self.banner.show_progress(f"Importing the translation model{detail}…", fraction)

    def _import_finished(self, installed: store.InstalledModel) -> None:
        self._download_job = None
        self.banner.show_message(f"Model {installed.name} installed. Loading it…", kind="info")
        self.model_state = ModelState.UNKNOWN
        self.load_model()

    def _import_failed(self, err: workers.JobError) -> None:
        self._download_job = None
        if not self.model_state.usable:
            self.show_no_model_banner()
        else:
            self.banner.hide()
        self._job_error(err, title="Import failed")

    def show_models_dialog(self) -> None:
        name = dialogs.open_models_dialog(self, self.tasks)
        if name:
            self.download_model(name)
        elif self.model_state is not ModelState.LOADING:
            # The default may have changed: load what the store now says.
            self.model_state = ModelState.UNKNOWN
            self.load_model()

    # ----- translation ---------------------------------------------------------------------
    def translate(self) -> None:
        if self._translate_job is not None:
            return
        if not self.model_state.usable:
            self.show_no_model_banner()
            return
        if self.article is None:
            if not plain_text(self.original).strip():
                self.set_status("Nothing to translate: paste or open an article first.")
                return
            self._pending_translate = True
            self.analyse_now()
            return
        if self.model_state is not ModelState.READY or self.translator is None:
            self._pending_translate = True
            self.set_status("Waiting for the model to load…")
            if self.model_state.needs_load:
                self.load_model()
            return
        article = self.article
        for s in article.sentences:  # a fresh run: the translation memory makes repeats cheap
            if s.edited:
                continue  # the journalist's own English is kept (and not translated again)
            s.translation = None
            s.flags = []
            s.flag_details = []
        for b in article.bullets:  # no bullet may keep another model's (or run's) English
            b.translation = None
            b.flags, b.flag_details = [], []
        article.model = self.model_info
        self._cached_only = True
        self._translating_article = article
        self._render_translation()
        self._render_bullets()
        self.progress.setValue(0)
        self.progress.show()
        self.speed_label.setText("")
        self._t0 = time.monotonic()
        self.set_status("Translating…")
        name = self.model_info.name if self.model_info else "the model"
        self.translation_pane.header.note.setText(f"English · translating with {name}…")
        run = self._translate_runs = self._translate_runs + 1

        def current() -> bool:  # a stopped run's late messages change nothing
            return run == self._translate_runs

        def progress(p: workers.TranslationProgress) -> None:
            if current():
                self._translate_progress(p, article)

        def finished(check: pipeline.ArticleCheck | None) -> None:
            if current():
                self._translate_finished(article, check)

        def failed(err: workers.JobError) -> None:
            if current():
                self._translate_failed(err)

        self._translate_job = self.tasks.run(
            "translate",
            workers.translate(article, self.translator),
            lane="translator",
            on_progress=progress,
            on_success=finished,
            on_cancel=lambda: finished(None),
            on_error=failed,
        )
        self._update_actions()

    def _translate_progress(self, p: workers.TranslationProgress, article: Article) -> None:
        pipeline.apply_translations(article, p.new)
        self._cached_only = self._cached_only and all(t.cached for t in p.new)
        if article is not self.article:
            return
        layout = self.linker.layout
        doc = self.translation.document()
        changed = {
            b
            for t in p.new
            if not t.bullet  # bullets are shown with the key facts when the run ends
            for b in [layout.set_english(t.index, article.sentences[t.index].translation)]
            if b is not None
        }
        # Each sentence's English goes into its own row's block, so the rows below keep their
        # places (and their alignment) while the translation streams in. Changing text moves the
        # pane's own caret; that is not the user moving it, so it must not re-link the panes.
        self.linker.busy = True
        try:
            if changed and doc.blockCount() != layout.block_count:
                self.translation.setPlainText(layout.text)  # the first English: all rows at once
            else:
                for b in sorted(changed):
                    cursor = QTextCursor(doc.findBlockByNumber(b))
                    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
                    cursor.insertText(layout.block_text(b))
        finally:
            self.linker.busy = False
        self.linker.layout_grew()
        if changed:
            self.translation_headings.set_spans(self._heading_spans(self.linker.translation_span))
            self.aligner.schedule()
        self.progress.setValue(round(100 * p.done / p.total) if p.total else 100)
        elapsed = max(time.monotonic() - self._t0, 1e-6)
        self.speed_label.setText("from memory" if self._cached_only else f"{p.words / elapsed:.0f} words/s")
        self.set_status(f"Translating… {p.done} of {p.total} sentences")

    def _translate_finished(self, article: Article, check: pipeline.ArticleCheck | None) -> None:
        """The job ended: ``check`` is the fact check of a finished run, None when stopped (the
        sentences translated so far are then checked in the background: a partial translation
        is checked for what it has)."""
        self._translate_job = None
        self._pending_translate = False
        if check is not None:
            pipeline.apply_check(article, check)
        elif any(s.translation for s in article.sentences):
            self.tasks.run(
                "check",
                workers.check(article),
                on_success=lambda c: self._partial_checked(article, c),
                on_error=self._job_error,
            )
        if article is self.article:
            self._render_translation()
            self._render_bullets()
            self.linker.highlight()
            done = sum(1 for s in article.sentences if s.translation is not None)
            total = len(article.sentences)
            elapsed = time.monotonic() - self._t0
            words = sum(len(s.text.split()) for s in article.sentences if s.translation is not None)
            cached = self._cached_only and done > 0
            if check is not None:
                self.progress.setValue(100)
                flagged = sum(1 for s in article.sentences if severity(s.flags) in ("alarm", "warning"))
                extra = f"; {flagged} sentence(s) flagged, hover for details" if flagged else ""
                when = "from memory" if cached else f"in {elapsed:.1f} s"
                self.set_status(f"Translated {total} sentences {when}{extra}")
            else:
                self.set_status(f"Stopped: {done} of {total} sentences translated")
            self._show_translation_note()
            if cached:
                self.speed_label.setText("from memory")
            elif elapsed > 0 and words:
                self.speed_label.setText(f"{words / elapsed:.0f} words/s")
            self._schedule_autosave()
        self._update_actions()

    def _partial_checked(self, article: Article, check: pipeline.ArticleCheck) -> None:
        pipeline.apply_check(article, check)
        if article is self.article:
            self._render_translation()
            self._render_bullets()
            self.linker.highlight()
            self._schedule_autosave()

    def _show_translation_note(self) -> None:
        """The English header says what the English is: which model made it, whether it is
        complete or stopped part-way (never "out of date" for a translation of this text)."""
        art = self.article
        note = "English · machine translation"
        if art is not None and art.model is not None:
            note += f" ({art.model.name})"
        if art is not None and art.sentences:
            done = sum(1 for s in art.sentences if s.translation is not None)
            if 0 < done < len(art.sentences):
                note += f" · stopped at {done} of {len(art.sentences)}, Ctrl+Return continues"
        self.translation_pane.header.note.setText(note)

    def _translate_failed(self, err: workers.JobError) -> None:
        self._translate_job = None
        self._pending_translate = False
        self._render_translation()
        self._update_actions()
        self._job_error(err, title="Translation failed")

    def stop(self) -> None:
        """Stop at once, as the user sees it: the run is cancelled and the window is "Stopped",
        keeping what was translated, ready for new work. The engine ends its call in flight
        (at beam > 1 CTranslate2 cannot be interrupted; calls are kept small) in the background;
        what that call finishes is dropped here but stays in the translation memory, and new
        work queues behind it in the translator lane."""
        job = self._translate_job
        self._pending_translate = False
        if job is None:
            return
        job.cancel()
        self._translate_runs += 1  # its late progress and outcome are ignored from now on
        article = self._translating_article
        if article is not None:
            self._translate_finished(article, None)

    # ----- post-editing ----------------------------------------------------------------------
    def edit_sentence(self) -> None:
        """Correct the English of the current sentence (the one linked in the panes): kept in
        the session and exports as edited by hand, never replaced by re-translating, and
        fact-checked as it is typed (debounced, in the background)."""
        art = self.article
        index = self.linker.current
        if art is None or index is None or not 0 <= index < len(art.sentences):
            self.set_status("Put the caret in a sentence (or pick a key fact) to edit its English.")
            return
        s = art.sentences[index]
        if s.translation is None:
            self.set_status("This sentence is not translated yet: translate first (Ctrl+Return).")
            return

        def check(text: str, done: Callable[[list[FlagDetail]], None]) -> None:
            self.tasks.run("check-edit", workers.check_sentence(art, index, text), on_success=done)

        answer = dialogs.edit_english(self, s.text, s.translation, s.edited, check)
        if answer is None or self.article is not art:
            return
        kind, text = answer
        if kind == "revert":
            pipeline.revert_translation(art, index)
            self._render_translation()
            self._render_bullets()
            self.set_status(f"Sentence {index + 1}: back to the machine translation…")
            self.translate()  # the memory still has it: instant
            return
        if text == s.translation:
            return
        pipeline.edit_translation(art, index, text or "")
        self._render_translation()
        self._render_bullets()
        self.linker.highlight()
        self._schedule_autosave()
        self.set_status(f"Sentence {index + 1}: your English is kept (marked as edited by hand).")
        self.tasks.run(
            "check-edit",
            workers.check_sentence(art, index, text or ""),
            on_success=lambda d: self._edit_checked(art, index, text or "", d),
        )

    def _edit_checked(self, art: Article, index: int, text: str, details: list[FlagDetail]) -> None:
        s = art.sentences[index] if 0 <= index < len(art.sentences) else None
        if s is None or s.translation != text:
            return  # edited again meanwhile
        pipeline.apply_sentence_check(art, index, details)
        if art is self.article:
            self._render_translation()
            self._render_bullets()
            self.linker.highlight()
            self._schedule_autosave()

    @property
    def translating(self) -> bool:
        return self._translate_job is not None

    # ----- rendering -----------------------------------------------------------------------
    def _render_translation(self) -> None:
        self.linker.set_layout(layout_translation(self.article) if self.article else TranslationLayout())
        self.linker.busy = True
        try:
            self.translation_headings.spans = []
            layout = self.linker.layout
            # Rows only once there is English: an empty pane shows its placeholder.
            self.translation.setPlainText(layout.text if layout.translated else "")
            self.translation_headings.set_spans(self._heading_spans(self.linker.translation_span))
        finally:
            self.linker.busy = False
        self.aligner.schedule()

    def _aligned_rows(self) -> tuple[list[int], list[int]] | None:
        """Row by row, the first block of each paragraph in the Original and in the Translation
        (for ``RowAligner``); None while the Original is not analysed."""
        art = self.article
        if art is None:
            return None
        doc = self.original.document()
        left = [
            doc.findBlock(
                self.linker.original_map.to_utf16(art.sentences[p.sentences[0]].start)
            ).blockNumber()
            for p in art.paragraphs
            if p.sentences
        ]
        layout = self.linker.layout
        right = layout.row_first_blocks() if layout.translated else []
        if len(left) != len(right) or self.translation.document().blockCount() != layout.block_count:
            right = []
        return left, right

    def _heading_spans(self, span_of: Callable[[int], tuple[int, int] | None]) -> list[tuple[int, int]]:
        if self.article is None:
            return []
        spans = (span_of(s.index) for s in self.article.sentences if s.heading)
        return [sp for sp in spans if sp is not None]

    def _render_bullets(self) -> None:
        """English on top, the Norwegian source beneath (muted, smaller); before translation only the
        Norwegian. A flagged source sentence gets the warning mark and the details as tooltip."""
        self.bullets.blockSignals(True)
        self.bullets.clear()
        art = self.article
        warn_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        info_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
        dot = icon("bullet")
        translated = 0
        if art:
            for i, b in enumerate(art.bullets):
                # The English shown and the very Norwegian it translates (a compressed bullet's
                # own text, or the whole sentence when its English was edited by hand).
                english = pipeline.bullet_english(art, i)
                s = art.sentences[b.sentence] if 0 <= b.sentence < len(art.sentences) else None
                norwegian = " ".join(pipeline.bullet_norwegian(art, i).split())
                main = " ".join(english.split()) if english else " ".join(b.text.split())
                translated += english is not None
                flag_details = pipeline.bullet_flag_details(art, i)
                item = QListWidgetItem(main)
                item.setData(Qt.ItemDataRole.UserRole, i)
                item.setData(SOURCE_ROLE, norwegian if english else "")
                level = severity([d.flag for d in flag_details])
                item.setData(FLAGGED_ROLE, level in ("alarm", "warning"))
                item.setIcon(dot)
                tips = (
                    [f"Norwegian: {norwegian}"]
                    if english
                    else ["Translate the article to see it in English."]
                )
                if b.compressed and s is not None and norwegian != " ".join(s.text.split()):
                    tips.append(f"Shortened from: {' '.join(s.text.split())}")
                spoken = f"{main}. Norwegian source: {norwegian}" if english else main
                if level in ("alarm", "warning"):
                    item.setIcon(warn_icon)
                    tips.append("Check this fact against the original:\n" + _flag_lines(flag_details))
                    spoken = f"Warning, check this fact. {spoken}"
                elif level == "info":
                    item.setIcon(info_icon)
                    tips.append("Note on the translation:\n" + _flag_lines(flag_details))
                item.setToolTip(plain_tooltip("\n\n".join(tips)))
                item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)
                self.bullets.addItem(item)
            current = self.linker.current
            if current is not None:
                row = next((r for r, b in enumerate(art.bullets) if b.sentence == current), -1)
                self.bullets.setCurrentRow(row)
        self.bullets.blockSignals(False)
        n = len(art.bullets) if art else 0
        note = f"{n} from the article" if n else ""
        if n and not translated:
            note += " · in Norwegian until translated"
        self.bullets_pane.header.note.setText(note)

    # ----- linking (desktop.linking) -------------------------------------------------------
    def select_sentence(self, index: int, origin: str = "api") -> None:
        """Highlight sentence ``index`` in both panes and scroll the other pane(s) to it."""
        self.linker.select(index, origin)

    def original_span(self, index: int) -> tuple[int, int] | None:
        """Sentence ``index`` in the Original pane, in Qt (UTF-16) positions."""
        return self.linker.original_span(index)

    def translation_span(self, index: int) -> tuple[int, int] | None:
        return self.linker.translation_span(index)

    def current_sentence(self) -> int | None:
        return self.linker.current

    def _translation_tooltip(self, pos: int) -> str | None:
        if self.article is None:
            return None
        idx = self.linker.translation_sentence_at(pos)
        if idx is None:
            return None
        s = self.article.sentences[idx]
        level = severity(s.flags)
        if level is None:
            return None
        head = "Note on this sentence:" if level == "info" else "Check this sentence:"
        return head + "\n" + _flag_bullets(s)

    # ----- export --------------------------------------------------------------------------
    def export_options(self) -> pipeline.ExportOptions:
        return pipeline.ExportOptions(
            include_source=self.commands.opt_source.isChecked(),
            include_translation=self.commands.opt_translation.isChecked(),
            include_original=self.commands.opt_original.isChecked(),
        )

    def export_dialog(self) -> None:
        if self.article is None or not self.article.sentences:
            self.set_status("Nothing to export yet.")
            return
        fmt = self.settings.get(S.EXPORT_FORMAT)
        fmt = fmt if fmt in pipeline.FORMATS else "markdown"
        # What goes in is asked every time, with the last choices (also in File › Export options).
        answer = dialogs.ask_export_options(self, self.export_options(), fmt)
        if answer is None:
            return
        options, fmt = answer
        self.commands.opt_source.setChecked(options.include_source)  # remembered in settings
        self.commands.opt_translation.setChecked(options.include_translation)
        self.commands.opt_original.setChecked(options.include_original)
        self.settings.set(S.EXPORT_FORMAT, fmt)
        suggested = pipeline.default_filename(self.article, fmt=fmt)
        folder = self.settings.get(S.LAST_DIR) or str(Path.home())
        path = dialogs.ask_save_file(self, str(Path(folder) / suggested), fmt)
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> bool:
        if self.article is None:
            return False
        try:
            written = pipeline.export_summary(self.article, path, self.export_options())
        except OutputError as exc:
            dialogs.show_error(self, "Export failed", exc.message)
            return False
        self.settings.set(S.EXPORT_FORMAT, pipeline.format_for_path(written))
        self.settings.set(S.LAST_DIR, str(written.parent))
        self.set_status(f"Summary exported to {written}")
        return True

    def copy_summary(self) -> None:
        if self.article is None:
            self.set_status("Nothing to copy yet.")
            return
        QGuiApplication.clipboard().setText(pipeline.render_text(self.article, self.export_options()))
        self.set_status("Summary copied to the clipboard")

    # ----- session -------------------------------------------------------------------------
    def _schedule_autosave(self) -> None:
        if not self._closing:
            self._autosave_timer.start()

    def _session_snapshot(self) -> str:
        text = plain_text(self.original)
        art = self.article if (self.article is not None and self.article.text == text) else None
        return session.snapshot(session.Session(text=text, article=art, file=self.file))

    def save_session(self) -> None:
        """Autosave: snapshot here (cheap), write in the ``io`` lane (an fsync can take seconds);
        ``AutosaveQueue`` keeps one write in flight and only the latest snapshot waiting."""
        self._autosave_timer.stop()
        data = self.autosaves.offer(self._session_snapshot())
        if data is not None:
            self._start_autosave(data)

    def _start_autosave(self, data: str) -> None:
        self.tasks.run(
            "autosave",
            workers.autosave(data),
            lane="io",
            on_error=self._autosave_failed,
            on_done=self._autosave_done,
        )

    def _autosave_done(self) -> None:
        data = self.autosaves.written(closing=self._closing)
        if data is not None:
            self._start_autosave(data)

    def _autosave_failed(self, err: workers.JobError) -> None:
        # Never a modal box for autosave (it retries on the next change); say it where it is seen.
        self.set_status(f"Autosave failed: {err.message}")

    @property
    def autosaving(self) -> bool:
        return self.autosaves.busy

    def _save_session_blocking(self) -> None:
        """The final save on quit, after the workers stopped: the window is going away anyway."""
        try:
            session.save_text(self._session_snapshot())
        except NordbriefError as exc:  # never lose the close over a failed save; log the reason only
            log.warning("final session save failed: %s", exc.message)

    def _update_title(self) -> None:
        """ "name — Nordbrief", so the window list and the task bar say which article is open."""
        name = (self.article.title if self.article is not None else None) or (
            Path(self.file).name if self.file else None
        )
        self.setWindowTitle(f"{name} — Nordbrief" if name else "Nordbrief")

    def _restore_session(self) -> None:
        restored = session.restore()  # never raises: a damaged file falls back, with a note
        saved = restored.session
        if restored.note:
            self.set_status(restored.note)
        if saved is None:
            return
        self.file = saved.file
        self._setting_text = True
        try:
            self.original.setPlainText(saved.text)
        finally:
            self._setting_text = False
        if saved.article is not None and saved.article.text == saved.text:
            self._show_article(saved.article, reset_translation=True)
            self._update_title()
            self.set_status(restored.note or "Restored your last article")
        elif saved.text.strip():
            self._analyse_timer.start()

    # ----- misc ----------------------------------------------------------------------------
    def _warm_up(self) -> None:
        """Pay the language identifier's loading cost now, in steps, not on the first article."""
        self.tasks.run(
            "warm-up",
            workers.warm_up(),
            on_error=lambda e: self.set_status(f"Language check unavailable: {e.message}"),
        )

    def set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def _job_error(self, err: workers.JobError, title: str = "Something went wrong") -> None:
        if self._closing:
            return
        self.set_status(err.message)
        dialogs.show_error(self, title, err.message, err.details)

    def _update_actions(self) -> None:
        acts = self.commands
        has_text = bool(self.original.document().characterCount() > 1)
        acts.translate.setEnabled(has_text and not self.translating)
        acts.stop.setEnabled(self.translating)
        has_article = self.article is not None and bool(self.article.sentences)
        acts.export.setEnabled(has_article)
        acts.copy.setEnabled(has_article)
        if not self.translating:
            self.progress.setVisible(self.progress.value() > 0 and self.progress.value() < 100)

    def about(self) -> None:
        from models import __version__

        dialogs.show_info(
            self,
            "About Nordbrief",
            f"Nordbrief {__version__}\n\nNorwegian news → English translation and key facts, "
            "offline on your own computer.",
        )

    def closeEvent(self, e: QCloseEvent) -> None:
        """Stop background work and wait for it, then save settings and the session."""
        self._closing = True
        self._analyse_timer.stop()
        self._autosave_timer.stop()
        self.tasks.shutdown()
        if self.translator is not None:
            self.translator.wait_abandoned()  # a stopped call finishing in CTranslate2's worker
        self.save_settings()
        self._save_session_blocking()
        super().closeEvent(e)


__all__ = ["MainWindow"]
