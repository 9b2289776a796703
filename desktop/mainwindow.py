"""The main window: Original | Translation | Key facts, linked sentence by sentence.

The window keeps GUI state only. Engine work (reading, segmenting, summarizing, loading the
model, translating, checking, downloading) runs through ``desktop.workers``; results come back
as signals and are shown here.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QSize, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QPalette,
    QShowEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QLabel,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QSplitter,
    QStyle,
    QTextEdit,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import dialogs, session, workers
from desktop import settings as S
from desktop.render import TranslationLayout, layout_translation
from desktop.textpos import OffsetMap, utf16_len
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
from models import export
from models.article import Article, FlagDetail, Sentence, severity


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
SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".html", ".htm", ".docx"}


def icon(name: str) -> QIcon:
    from models.paths import resources_dir

    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


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
        self.translator: Any = None
        self.installed: Any = None
        self.model_state = "unknown"  # unknown | loading | ready | missing | error
        self._analysis_job: workers.Job | None = None
        self._analysis_gen = 0
        self._translate_job: workers.Job | None = None
        self._download_job: workers.Job | None = None
        self._pending_translate = False
        self._setting_text = False
        self._linking = False
        self._layout = TranslationLayout()
        self._trans_map = OffsetMap("")
        self._orig_map = OffsetMap("")
        self._current: int | None = None
        self._t0 = 0.0
        self._closing = False
        self._autosave_job: workers.Job | None = None
        self._autosave_pending: str | None = None

        self.setWindowTitle("Nordbrief")
        self.setWindowIcon(icon("nordbrief"))
        self.setAcceptDrops(True)
        self._build_ui()
        self._build_actions()
        self._build_menus()
        self._apply_font()
        self._restore_geometry()

        self._analyse_timer = QTimer(self, singleShot=True, interval=ANALYSE_DELAY_MS)
        self._analyse_timer.timeout.connect(self.analyse_now)
        self._autosave_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self.save_session)
        self.original.textChanged.connect(self._on_text_changed)
        self.original.cursorPositionChanged.connect(self._on_original_caret)
        self.original.fileDropped.connect(self.open_path)
        self.original.pagePasted.connect(self.paste_page)
        self.translation.cursorPositionChanged.connect(self._on_translation_caret)
        self.translation.tooltip_provider = self._translation_tooltip
        self.bullets.currentRowChanged.connect(self._on_bullet_row)
        self.bullets.itemClicked.connect(lambda item: self._on_bullet_row(self.bullets.row(item)))
        self.bullets.itemActivated.connect(lambda item: self._on_bullet_row(self.bullets.row(item)))
        self.banner.actionClicked.connect(self._banner_action)
        self.banner.secondaryClicked.connect(self.show_models_dialog)
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
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        bar = self.statusBar()
        self.status_label = QLabel()
        self.speed_label = QLabel()
        self.speed_label.setAccessibleName("Translation speed")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Translation progress")
        self.progress.setFixedWidth(200)
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.progress.hide()
        self.model_label = QLabel()
        self.model_label.setAccessibleName("Translation model")
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.speed_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.model_label)

        self.setTabOrder(self.original, self.translation)
        self.setTabOrder(self.translation, self.bullets)

    def _action(
        self, text: str, slot: Any, shortcut: Any = None, tip: str = "", icon_name: str = ""
    ) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, list):
                # Standard keys may repeat an explicit one; a duplicate would make Qt treat the
                # key as ambiguous and fire nothing.
                seqs: list[QKeySequence] = []
                for k in shortcut:
                    for seq in (
                        QKeySequence.keyBindings(k) if isinstance(k, QKeySequence.StandardKey) else [k]
                    ):
                        if seq.toString() and seq not in seqs:
                            seqs.append(seq)
                act.setShortcuts(seqs)
            else:
                act.setShortcut(shortcut)
        if tip:
            act.setStatusTip(tip)
            act.setToolTip(f"{tip} ({act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
        if icon_name:
            act.setIcon(icon(icon_name))
        act.triggered.connect(slot)
        # Window-wide: the keys work whichever pane (or toolbar button) has the focus.
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(act)  # shortcuts work even with the menu bar hidden
        return act

    def _build_actions(self) -> None:
        K = QKeySequence
        self.act_open = self._action(
            "&Open…", self.open_file_dialog, K.StandardKey.Open, "Open an article file", "open"
        )
        self.act_open_url = self._action(
            "Open &URL…", self.open_url_dialog, K("Ctrl+Shift+O"), "Open a web page"
        )
        self.act_export = self._action(
            "&Export summary…", self.export_dialog, K("Ctrl+E"), "Export the summary to a file", "export"
        )
        self.act_copy = self._action(
            "&Copy summary", self.copy_summary, K("Ctrl+Shift+C"), "Copy the summary to the clipboard", "copy"
        )
        self.act_quit = self._action("&Quit", self.close, K.StandardKey.Quit)
        self.act_translate = self._action(
            "&Translate",
            self.translate,
            [K("Ctrl+Return"), K("Ctrl+Enter")],
            "Translate the article",
            "translate",
        )
        self.act_stop = self._action("&Stop", self.stop, K("Esc"), "Stop translating", "stop")
        self.act_models = self._action("&Models…", self.show_models_dialog, None, "Manage translation models")
        self.act_import_model = self._action(
            "&Import model…",
            self.ask_import_model,
            None,
            "Install a model folder or .argosmodel package you already have (no network needed)",
        )
        # Ctrl+Plus is typed with Shift on many layouts (US: Shift+=), so Qt may see Ctrl+Shift++;
        # Ctrl+= is the unshifted key and the keypad's +/- arrive as Ctrl++/Ctrl+-.
        self.act_zoom_in = self._action(
            "Zoom &in",
            lambda: self.change_font(+1),
            [K("Ctrl++"), K("Ctrl+="), K("Ctrl+Shift++"), K.StandardKey.ZoomIn],
            "Larger text in all three panes",
        )
        self.act_zoom_out = self._action(
            "Zoom &out",
            lambda: self.change_font(-1),
            [K("Ctrl+-"), K("Ctrl+Shift+_"), K.StandardKey.ZoomOut],
            "Smaller text in all three panes",
        )
        self.act_zoom_reset = self._action(
            "&Reset zoom", lambda: self.change_font(0), K("Ctrl+0"), "Text size back to normal"
        )
        self.act_focus_original = self._action("Go to &original", self.original.setFocus, K("Alt+1"))
        self.act_focus_translation = self._action("Go to &translation", self.translation.setFocus, K("Alt+2"))
        self.act_focus_bullets = self._action("Go to &key facts", self.bullets.setFocus, K("Alt+3"))
        self.act_about = self._action("&About Nordbrief", self.about)

        self.act_opt_source = self._toggle("&Norwegian source under each bullet", S.EXPORT_SOURCE)
        self.act_opt_translation = self._toggle("Include the full &translation", S.EXPORT_TRANSLATION)
        self.act_opt_original = self._toggle("Include the &original", S.EXPORT_ORIGINAL)

        tb = QToolBar("Main")
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setIconSize(QSize(18, 18))
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for act in (
            self.act_open,
            None,
            self.act_translate,
            self.act_stop,
            None,
            self.act_export,
            self.act_copy,
        ):
            if act is None:
                tb.addSeparator()
            else:
                tb.addAction(act)
                button = tb.widgetForAction(act)
                if button is not None:  # screen readers: the name without the mnemonic "&"
                    button.setAccessibleName(act.text().replace("&", "").rstrip("…"))
        self.addToolBar(tb)
        self.toolbar = tb

    def _toggle(self, text: str, key: S.Key) -> QAction:
        act = QAction(text, self)
        act.setCheckable(True)
        act.setChecked(bool(self.settings.get(key)))
        act.toggled.connect(lambda on, k=key: self.settings.set(k, on))
        return act

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.act_open)
        m.addAction(self.act_open_url)
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._fill_recent()
        m.addSeparator()
        m.addAction(self.act_export)
        m.addAction(self.act_copy)
        opts = m.addMenu("Export &options")
        for a in (self.act_opt_source, self.act_opt_translation, self.act_opt_original):
            opts.addAction(a)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu("&Translate")
        m.addAction(self.act_translate)
        m.addAction(self.act_stop)
        m.addSeparator()
        m.addAction(self.act_models)
        m.addAction(self.act_import_model)
        m = mb.addMenu("&View")
        for a in (self.act_zoom_in, self.act_zoom_out, self.act_zoom_reset):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_focus_original, self.act_focus_translation, self.act_focus_bullets):
            m.addAction(a)
        m = mb.addMenu("&Help")
        m.addAction(self.act_about)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.get(S.RECENT_FILES)
        for i, path in enumerate(recent):
            act = self.recent_menu.addAction(f"&{i + 1} {Path(path).name}" if i < 9 else Path(path).name)
            act.setToolTip(path)
            act.triggered.connect(lambda _=False, p=path: self.open_recent(p))
        if not recent:
            self.recent_menu.addAction("No recent files").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("&Clear list", lambda: self.settings.set(S.RECENT_FILES, []))

    def open_recent(self, path: str) -> None:
        """Open a recent file; one that was moved or deleted leaves the list with a clear message."""
        if not Path(path).is_file():
            self.settings.remove_recent(path)
            self._fill_recent()
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
        sizes = [int(x) for x in self.settings.get(S.SPLITTER) if str(x).isdigit()]
        # Applied on first show: before that the splitter has no width and would rescale them.
        self._pending_sizes = sizes if len(sizes) == 3 and all(s > 0 for s in sizes) else [440, 440, 360]
        self.splitter.setSizes(self._pending_sizes)

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        if self._pending_sizes:
            self.splitter.setSizes(self._pending_sizes)
            self._pending_sizes = []

    def save_settings(self) -> None:
        self.settings.set(S.GEOMETRY, self.saveGeometry())
        self.settings.set(S.SPLITTER, self.splitter.sizes())
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
        """A theme switch (light <-> dark) recomputes the tints derived from the palette."""
        super().changeEvent(e)
        if e.type() == QEvent.Type.PaletteChange and hasattr(self, "bullets"):
            self._highlight()
            self._render_bullets()
            self.banner.retint()

    # ----- input ---------------------------------------------------------------------------
    def open_file_dialog(self) -> None:
        path = dialogs.ask_open_file(self, self.settings.get(S.LAST_DIR))
        if path:
            self.open_path(path)

    def open_url_dialog(self) -> None:
        loader = _url_loader()
        if loader is None:
            dialogs.show_error(self, "Open URL", "Opening web pages is not available in this version.")
            return
        url = dialogs.ask_url(self)
        if not url:
            return
        bullets = self.settings.get(S.BULLETS)

        def job(token: workers.CancelToken) -> Article:
            article = loader(url)
            token.raise_if_cancelled()
            workers._summarize(article, bullets)
            return article

        self.set_status(f"Opening {url} …")
        self.tasks.run(
            "open-url", job, on_success=lambda a: self._set_loaded(a, None), on_error=self._job_error
        )

    def open_path(self, path: str) -> None:
        """Read a file in the background (big files must not freeze the window)."""
        p = Path(path)
        self.set_status(f"Opening {p.name} …")
        self.stop()
        job = workers.open_file(str(p), self.settings.get(S.BULLETS))
        self.tasks.run(
            "open",
            job,
            on_success=lambda a, path=str(p): self._set_loaded(a, path),
            on_error=lambda e, path=str(p): self._open_failed(e, path),
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
        gen = self._analysis_gen
        bullets = self.settings.get(S.BULLETS) if replace_all else None
        self.set_status("Extracting the article from the pasted page …")
        self.tasks.run(
            "paste-page",
            workers.paste_page(html, text, bullets),
            on_success=lambda a, c=cursor, r=replace_all, g=gen: self._page_pasted(a, c, r, g),
            on_error=lambda e: self._job_error(e, title="Cannot paste the page"),
        )

    def _page_pasted(self, article: Article, cursor: QTextCursor, replace_all: bool, gen: int) -> None:
        if self._closing:
            return
        if replace_all and gen == self._analysis_gen:  # nothing typed while extracting
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
        self._analysis_gen += 1  # whatever analysis was pending is for the old text
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
        if self.model_state not in ("missing", "error"):
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
        if self._setting_text or self.original_headings.restyling:
            return
        self._analysis_gen += 1
        if self.translating:
            self.stop()  # translating outdated text is wasted; re-running reuses the memory
        if self.article is not None:
            self.article = None  # offsets no longer match the text: unlink until re-analysed
            self._clear_highlights()
            self.translation_pane.header.note.setText("English · out of date, press Ctrl+Return")
        self._analyse_timer.start()
        self._schedule_autosave()
        self._update_actions()

    def analyse_now(self) -> None:
        self._analyse_timer.stop()
        text = plain_text(self.original)
        gen = self._analysis_gen
        if not text.strip():
            self._show_article(None, reset_translation=True)
            return
        self._analysis_job = self.tasks.run(
            "analyse",
            workers.analyse(text, self.file, self.settings.get(S.BULLETS)),
            on_success=lambda a, g=gen: self._analysis_done(a, g),
            on_error=self._job_error,
        )

    def _analysis_done(self, article: Article, gen: int) -> None:
        if gen != self._analysis_gen:
            return  # the user typed on; a newer analysis is coming
        self._show_article(article, reset_translation=False)
        self._schedule_autosave()
        if self._pending_translate:
            self._pending_translate = False
            self.translate()

    def _show_article(self, article: Article | None, *, reset_translation: bool) -> None:
        self.article = article
        self._orig_map = OffsetMap(article.text if article else "")
        self._current = None
        if reset_translation or (article and any(s.translation for s in article.sentences)):
            self._render_translation()
        self._render_bullets()
        self.original_headings.set_spans(self._heading_spans(self.original_span))
        self._highlight()
        self._update_actions()

    # ----- model ---------------------------------------------------------------------------
    def load_model(self) -> None:
        if self.model_state == "loading" or self._closing:
            return
        self.model_state = "loading"
        self.model_label.setText("Loading model…")
        self.tasks.run(
            "load-model",
            workers.load_translator(self.model_arg),
            lane="translator",
            on_success=self._model_loaded,
            on_error=self._model_failed,
        )

    def _model_loaded(self, result: tuple[Any, Any]) -> None:
        self.installed, self.translator = result
        self.translation.setPlaceholderText(TranslationView.PLACEHOLDER)
        self.model_state = "ready"
        self.model_label.setText(f"Model: {self.installed.name}")
        self.model_label.setToolTip(
            f"{self.installed.name} · revision {self.installed.revision or '—'} · "
            f"license {self.installed.license or '—'}"
        )
        if self._download_job is None:
            self.banner.hide()
        notice = getattr(self.translator, "notice", None)
        if notice:  # e.g. an old install that runs without its shortlist; said once per model
            self.banner.show_message(notice, kind="info")
        self._update_actions()
        if self._pending_translate:
            self._pending_translate = False
            self.translate()

    def _model_failed(self, err: workers.JobError) -> None:
        self.model_state = "missing" if err.user_error else "error"
        self.translator = None
        self.model_label.setText("No model")
        self._pending_translate = False
        self.show_no_model_banner(err.message)
        self._update_actions()

    def show_no_model_banner(self, reason: str = "") -> None:
        can_download = _store_has("download_model")
        text = (
            "<b>No translation model installed.</b> Key facts still work, in Norwegian. "
            "Download the English translation model once; after that everything runs offline."
        )
        if reason and "no translation model" not in reason.lower():
            text = f"<b>The translation model cannot be used:</b> {reason}"
        self.banner.show_message(
            text + " Or import a model you already have: Translate › Import model…",
            action="Download model" if can_download else None,
            secondary="Models…",
            kind="warning",
        )
        self.translation.setPlaceholderText(
            "No translation model yet: download it from the banner above (once), then press "
            "Ctrl+Return. The key facts on the right already work, in Norwegian."
        )

    def _banner_action(self) -> None:
        if self.model_state in ("missing", "error"):
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

    def _download_progress(self, item: Any) -> None:
        done, total, label = _progress_fields(item)
        frac = done / total if total else None
        mb = f"{done / 1e6:.0f} of {total / 1e6:.0f} MB" if total else f"{done / 1e6:.0f} MB"
        self.banner.show_progress(f"Downloading the translation model ({label or mb})…", frac)

    def _download_finished(self, ok: bool) -> None:
        self._download_job = None
        if ok:
            self.banner.show_message("Model installed. Loading it…", kind="info")
            self.model_state = "unknown"
            self.load_model()
        else:
            self.show_no_model_banner()
            self.set_status("Download cancelled; it resumes where it stopped next time.")

    def _download_failed(self, err: workers.JobError) -> None:
        self._download_job = None
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

    def _import_progress(self, item: Any) -> None:
        progress = item[0] if isinstance(item, tuple) and len(item) == 1 else item
        phase = getattr(progress, "phase", "")
        file = getattr(progress, "file", None)
        done, total, _label = _progress_fields(item)
        what = {"verify": f"checking {file}" if file else "checking its files", "convert": "converting it"}
        detail = f" ({what[phase]})" if phase in what else ""
        frac = done / total if total and phase == "verify" else None
        self.banner.show_progress(f"Importing the translation model{detail}…", frac)

    def _import_finished(self, installed: Any) -> None:
        self._download_job = None
        name = getattr(installed, "name", "the model")
        self.banner.show_message(f"Model {name} installed. Loading it…", kind="info")
        self.model_state = "unknown"
        self.load_model()

    def _import_failed(self, err: workers.JobError) -> None:
        self._download_job = None
        if self.model_state in ("missing", "error"):
            self.show_no_model_banner()
        else:
            self.banner.hide()
        self._job_error(err, title="Import failed")

    def show_models_dialog(self) -> None:
        name = dialogs.open_models_dialog(self)
        if name:
            self.download_model(name)
        elif self.model_state != "loading":
            # The default may have changed: load what the store now says.
            self.model_state = "unknown"
            self.load_model()

    # ----- translation ---------------------------------------------------------------------
    def translate(self) -> None:
        if self._translate_job is not None:
            return
        if self.model_state in ("missing", "error"):
            self.show_no_model_banner()
            return
        if self.article is None:
            if not plain_text(self.original).strip():
                self.set_status("Nothing to translate: paste or open an article first.")
                return
            self._pending_translate = True
            self.analyse_now()
            return
        if self.model_state != "ready":
            self._pending_translate = True
            self.set_status("Waiting for the model to load…")
            if self.model_state == "unknown":
                self.load_model()
            return
        article = self.article
        for s in article.sentences:  # a fresh run: the translation memory makes repeats cheap
            s.translation = None
            s.flags = []
            s.flag_details = []
        self._render_translation()
        self._render_bullets()
        self.progress.setValue(0)
        self.progress.show()
        self.speed_label.setText("")
        self._t0 = time.monotonic()
        self.set_status("Translating…")
        self._translate_job = self.tasks.run(
            "translate",
            workers.translate(article, self.translator, self.installed),
            lane="translator",
            on_progress=lambda p, a=article: self._translate_progress(p, a),
            on_success=lambda a: self._translate_finished(a, "done"),
            on_cancel=lambda a=article: self._translate_finished(a, "stopped"),
            on_error=self._translate_failed,
        )
        self._update_actions()

    def _translate_progress(self, p: workers.TranslationProgress, article: Article) -> None:
        if article is not self.article:
            return
        cursor = QTextCursor(self.translation.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        # Appending moves the pane's own caret when it sits at the end; that is not the user
        # moving it, so it must not re-link (and scroll) the panes on every batch.
        self._linking = True
        try:
            for idx, _text in p.new:
                sentence = article.sentences[idx]
                chunk = self._layout.append(sentence)
                if chunk:
                    if sentence.heading:
                        body = utf16_len(chunk.lstrip())
                        end = cursor.position() + utf16_len(chunk)
                        self.translation_headings.add_span((end - body, end))
                    cursor.insertText(chunk)
        finally:
            self._linking = False
        self._trans_map = OffsetMap(self._layout.text)
        self.progress.setValue(round(100 * p.done / p.total) if p.total else 100)
        elapsed = max(time.monotonic() - self._t0, 1e-6)
        self.speed_label.setText(f"{p.words / elapsed:.0f} words/s")
        self.set_status(f"Translating… {p.done} of {p.total} sentences")

    def _translate_finished(self, article: Article, how: str) -> None:
        self._translate_job = None
        self._pending_translate = False
        if article is self.article:
            self._render_translation()
            self._render_bullets()
            self._highlight()
            done = sum(1 for s in article.sentences if s.translation is not None)
            total = len(article.sentences)
            elapsed = time.monotonic() - self._t0
            words = sum(len(s.text.split()) for s in article.sentences if s.translation is not None)
            if how == "done":
                self.progress.setValue(100)
                flagged = sum(1 for s in article.sentences if severity(s.flags) in ("alarm", "warning"))
                extra = f"; {flagged} sentence(s) flagged, hover for details" if flagged else ""
                self.set_status(f"Translated {total} sentences in {elapsed:.1f} s{extra}")
                self.translation_pane.header.note.setText("English · machine translation")
            else:
                self.set_status(f"Stopped: {done} of {total} sentences translated")
            if elapsed > 0 and words:
                self.speed_label.setText(f"{words / elapsed:.0f} words/s")
            self._schedule_autosave()
        self._update_actions()

    def _translate_failed(self, err: workers.JobError) -> None:
        self._translate_job = None
        self._pending_translate = False
        self._render_translation()
        self._update_actions()
        self._job_error(err, title="Translation failed")

    def stop(self) -> None:
        if self._translate_job is not None:
            self._translate_job.cancel()
            self.set_status("Stopping…")
        self._pending_translate = False

    @property
    def translating(self) -> bool:
        return self._translate_job is not None

    # ----- rendering -----------------------------------------------------------------------
    def _render_translation(self) -> None:
        self._layout = layout_translation(self.article) if self.article else TranslationLayout()
        self._trans_map = OffsetMap(self._layout.text)
        self._linking = True
        try:
            self.translation_headings.spans = []
            self.translation.setPlainText(self._layout.text)
            self.translation_headings.set_spans(self._heading_spans(self.translation_span))
        finally:
            self._linking = False

    def _heading_spans(self, span_of: Any) -> list[tuple[int, int]]:
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
                english = export.bullet_english(art, i)
                s = art.sentences[b.sentence] if 0 <= b.sentence < len(art.sentences) else None
                norwegian = " ".join(export.bullet_norwegian(art, i).split())
                main = " ".join(english.split()) if english else " ".join(b.text.split())
                translated += english is not None
                flag_details = export.bullet_flag_details(art, i)
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
                item.setToolTip("\n\n".join(tips))
                item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)
                self.bullets.addItem(item)
            if self._current is not None:
                row = next((r for r, b in enumerate(art.bullets) if b.sentence == self._current), -1)
                self.bullets.setCurrentRow(row)
        self.bullets.blockSignals(False)
        n = len(art.bullets) if art else 0
        note = f"{n} from the article" if n else ""
        if n and not translated:
            note += " · in Norwegian until translated"
        self.bullets_pane.header.note.setText(note)

    # ----- linking -------------------------------------------------------------------------
    def _on_original_caret(self) -> None:
        if self._linking or self.article is None:
            return
        cp = self._orig_map.to_codepoint(self.original.textCursor().position())
        s = self.article.sentence_at(cp) or (self.article.sentence_at(cp - 1) if cp > 0 else None)
        if s is not None and s.index != self._current:
            self.select_sentence(s.index, origin="original")

    def _on_translation_caret(self) -> None:
        if self._linking or self.article is None:
            return
        cp = self._trans_map.to_codepoint(self.translation.textCursor().position())
        idx = self._layout.sentence_at(cp)
        if idx is not None and idx != self._current:
            self.select_sentence(idx, origin="translation")

    def _on_bullet_row(self, row: int) -> None:
        if self._linking or self.article is None or row < 0 or row >= len(self.article.bullets):
            return
        self.select_sentence(self.article.bullets[row].sentence, origin="bullets")

    def select_sentence(self, index: int, origin: str = "api") -> None:
        """Highlight sentence ``index`` in both panes and scroll the other pane(s) to it."""
        self._current = index
        self._linking = True
        try:
            if origin != "original":
                span = self.original_span(index)
                if span:
                    self._move_caret(self.original, span[0])
            if origin != "translation":
                tspan = self.translation_span(index)
                if tspan:
                    self._move_caret(self.translation, tspan[0])
            if origin != "bullets" and self.article is not None:
                row = next((i for i, b in enumerate(self.article.bullets) if b.sentence == index), -1)
                self.bullets.blockSignals(True)
                self.bullets.setCurrentRow(row)
                self.bullets.blockSignals(False)
        finally:
            self._linking = False
        self._highlight()

    @staticmethod
    def _move_caret(edit: Any, pos: int) -> None:
        c = edit.textCursor()
        c.setPosition(min(pos, edit.document().characterCount() - 1))
        edit.setTextCursor(c)
        edit.ensureCursorVisible()

    def original_span(self, index: int) -> tuple[int, int] | None:
        """Sentence ``index`` in the Original pane, in Qt (UTF-16) positions."""
        if self.article is None or not 0 <= index < len(self.article.sentences):
            return None
        s = self.article.sentences[index]
        return self._orig_map.to_utf16(s.start), self._orig_map.to_utf16(s.end)

    def translation_span(self, index: int) -> tuple[int, int] | None:
        span = self._layout.spans.get(index)
        if span is None:
            return None
        return self._trans_map.to_utf16(span[0]), self._trans_map.to_utf16(span[1])

    def _clear_highlights(self) -> None:
        self._current = None
        self.original.setExtraSelections([])
        self.translation.setExtraSelections([])

    def _selection(self, edit: Any, span: tuple[int, int], fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        c = QTextCursor(edit.document())
        end = min(span[1], edit.document().characterCount() - 1)
        c.setPosition(min(span[0], end))
        c.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = c
        sel.format = fmt
        return sel

    def _highlight(self) -> None:
        """Flag marks in the translation, plus the current sentence in both panes."""
        if self.article is None:
            self._clear_highlights()
            return
        colors = self._colors()
        trans: list[QTextEdit.ExtraSelection] = []
        flag_fmt = QTextCharFormat()
        flag_fmt.setBackground(colors["flag_bg"])
        flag_fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        flag_fmt.setUnderlineColor(colors["flag_line"])
        info_fmt = QTextCharFormat()
        info_fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        info_fmt.setUnderlineColor(colors["flag_line"])
        for s in self.article.sentences:
            level = severity(s.flags)
            span = self.translation_span(s.index) if level else None
            if span:
                fmt = info_fmt if level == "info" else flag_fmt
                trans.append(self._selection(self.translation, span, fmt))
        orig: list[QTextEdit.ExtraSelection] = []
        if self._current is not None:
            cur = QTextCharFormat()
            cur.setBackground(colors["current"])
            cur.setProperty(QTextFormat.Property.FullWidthSelection, False)
            span = self.original_span(self._current)
            if span:
                orig.append(self._selection(self.original, span, cur))
            tspan = self.translation_span(self._current)
            if tspan:
                trans.append(self._selection(self.translation, tspan, cur))
        self.original.setExtraSelections(orig)
        self.translation.setExtraSelections(trans)

    def _translation_tooltip(self, pos: int) -> str | None:
        if self.article is None:
            return None
        idx = self._layout.sentence_at(self._trans_map.to_codepoint(pos))
        if idx is None:
            return None
        s = self.article.sentences[idx]
        level = severity(s.flags)
        if level is None:
            return None
        head = "Note on this sentence:" if level == "info" else "Check this sentence:"
        return head + "\n" + _flag_bullets(s)

    def current_sentence(self) -> int | None:
        return self._current

    # ----- export --------------------------------------------------------------------------
    def export_options(self) -> export.ExportOptions:
        return export.ExportOptions(
            include_source=self.act_opt_source.isChecked(),
            include_translation=self.act_opt_translation.isChecked(),
            include_original=self.act_opt_original.isChecked(),
        )

    def export_dialog(self) -> None:
        if self.article is None or not self.article.sentences:
            self.set_status("Nothing to export yet.")
            return
        fmt = self.settings.get(S.EXPORT_FORMAT)
        fmt = fmt if fmt in export.FORMATS else "markdown"
        suggested = export.default_filename(self.article, fmt=fmt)
        folder = self.settings.get(S.LAST_DIR) or str(Path.home())
        path = dialogs.ask_save_file(self, str(Path(folder) / suggested), fmt)
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> bool:
        if self.article is None:
            return False
        try:
            written = export.export_summary(self.article, path, self.export_options())
        except Exception as exc:  # OutputError carries a user message; anything else is a bug
            dialogs.show_error(self, "Export failed", str(getattr(exc, "message", exc)))
            return False
        self.settings.set(S.EXPORT_FORMAT, export.format_for_path(written))
        self.settings.set(S.LAST_DIR, str(written.parent))
        self.set_status(f"Summary exported to {written}")
        return True

    def copy_summary(self) -> None:
        if self.article is None:
            self.set_status("Nothing to copy yet.")
            return
        QGuiApplication.clipboard().setText(export.render_text(self.article, self.export_options()))
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
        """Autosave: snapshot here (cheap), write in the ``io`` lane (an fsync can take seconds).

        At most one write is in flight; a newer snapshot taken meanwhile replaces any waiting one,
        so the file always ends at the latest state and never goes backwards.
        """
        self._autosave_timer.stop()
        data = self._session_snapshot()
        if self._autosave_job is not None:
            self._autosave_pending = data
            return
        self._start_autosave(data)

    def _start_autosave(self, data: str) -> None:
        self._autosave_job = self.tasks.run(
            "autosave",
            workers.autosave(data),
            lane="io",
            on_error=self._autosave_failed,
            on_done=self._autosave_done,
        )

    def _autosave_done(self) -> None:
        self._autosave_job = None
        data, self._autosave_pending = self._autosave_pending, None
        if data is not None and not self._closing:
            self._start_autosave(data)

    def _autosave_failed(self, err: workers.JobError) -> None:
        # Never a modal box for autosave (it retries on the next change); say it where it is seen.
        self.set_status(f"Autosave failed: {err.message}")

    @property
    def autosaving(self) -> bool:
        return self._autosave_job is not None or self._autosave_pending is not None

    def _save_session_blocking(self) -> None:
        """The final save on quit, after the workers stopped: the window is going away anyway."""
        try:
            session.save_text(self._session_snapshot())
        except Exception as exc:  # never lose the close over a failed save; log the reason only
            log.warning("final session save failed: %s", getattr(exc, "message", type(exc).__name__))

    def _update_title(self) -> None:
        """ "name — Nordbrief", so the window list and the task bar say which article is open."""
        name = (self.article.title if self.article is not None else None) or (
            Path(self.file).name if self.file else None
        )
        self.setWindowTitle(f"{name} — Nordbrief" if name else "Nordbrief")

    def _restore_session(self) -> None:
        saved = session.load()
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
            self.set_status("Restored your last article")
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
        has_text = bool(self.original.document().characterCount() > 1)
        self.act_translate.setEnabled(has_text and not self.translating)
        self.act_stop.setEnabled(self.translating)
        has_article = self.article is not None and bool(self.article.sentences)
        self.act_export.setEnabled(has_article)
        self.act_copy.setEnabled(has_article)
        self.act_open_url.setVisible(_url_loader() is not None)
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
        self.save_settings()
        self._save_session_blocking()
        super().closeEvent(e)

    def open_link(self, url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))


def _progress_fields(item: Any) -> tuple[float, float, str]:
    """The store's progress as (done, total, label), whatever shape it reports."""
    if isinstance(item, tuple) and len(item) == 1:
        item = item[0]
    if isinstance(item, tuple):
        done = float(item[0]) if len(item) > 0 and isinstance(item[0], (int, float)) else 0.0
        total = float(item[1]) if len(item) > 1 and isinstance(item[1], (int, float)) else 0.0
        label = str(item[2]) if len(item) > 2 else ""
        return done, total, label
    done = float(getattr(item, "done", getattr(item, "downloaded", 0)) or 0)
    total = float(getattr(item, "total", 0) or 0)
    phase = str(getattr(item, "phase", "") or "")
    label = {"resolve": "looking up", "verify": "verifying", "convert": "converting", "done": "done"}.get(
        phase, ""
    )
    return done, total, label


def _store_has(name: str) -> bool:
    from models import store

    return hasattr(store, name)


def _url_loader() -> Any:
    """The import engine's URL loader once it lands (``models.pipeline.load_url``)."""
    from models import pipeline

    return getattr(pipeline, "load_url", None)


__all__ = ["MainWindow", "QToolButton"]
