"""The window's actions (menus, toolbar, shortcuts) and the recent-files menu.

Every command is one ``QAction`` with its shortcut, tooltip and icon, added to the window so its
keys work whichever pane has the focus (and with the menu bar hidden); menus and the toolbar
show the same actions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QWidget

from desktop import settings as S

Shortcut = QKeySequence | QKeySequence.StandardKey | Sequence[QKeySequence | QKeySequence.StandardKey]


def icon(name: str) -> QIcon:
    from models.paths import resources_dir

    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


class Window(Protocol):
    """What the actions call: the window's commands (``desktop.mainwindow.MainWindow``)."""

    @property
    def settings(self) -> S.Settings: ...
    @property
    def original(self) -> QWidget: ...
    @property
    def translation(self) -> QWidget: ...
    @property
    def bullets(self) -> QWidget: ...

    def open_file_dialog(self) -> None: ...
    def open_url_dialog(self) -> None: ...
    def open_recent(self, path: str) -> None: ...
    def export_dialog(self) -> None: ...
    def copy_summary(self) -> None: ...
    def translate(self) -> None: ...
    def stop(self) -> None: ...
    def edit_sentence(self) -> None: ...
    def set_bullets(self, count: int | None = None, order: str | None = None) -> None: ...
    def show_pane(self, name: str, visible: bool) -> None: ...
    def show_models_dialog(self) -> None: ...
    def ask_import_model(self) -> None: ...
    def change_font(self, delta: int) -> None: ...
    def about(self) -> None: ...


def make_action(
    window: QMainWindow,
    text: str,
    slot: Callable[[], object],
    shortcut: Shortcut | None = None,
    tip: str = "",
    icon_name: str = "",
) -> QAction:
    act = QAction(text, window)
    if isinstance(shortcut, (QKeySequence, QKeySequence.StandardKey)):
        act.setShortcut(shortcut)
    elif shortcut is not None:
        # Standard keys may repeat an explicit one; a duplicate would make Qt treat the key as
        # ambiguous and fire nothing.
        seqs: list[QKeySequence] = []
        for k in shortcut:
            for seq in QKeySequence.keyBindings(k) if isinstance(k, QKeySequence.StandardKey) else [k]:
                if seq.toString() and seq not in seqs:
                    seqs.append(seq)
        act.setShortcuts(seqs)
    if tip:
        act.setStatusTip(tip)
        act.setToolTip(f"{tip} ({act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
    if icon_name:
        act.setIcon(icon(icon_name))
    act.triggered.connect(slot)
    # Window-wide: the keys work whichever pane (or toolbar button) has the focus.
    act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    window.addAction(act)  # shortcuts work even with the menu bar hidden
    return act


class Actions:
    """All of the window's commands, built once; menus and the toolbar share them."""

    def __init__(self, qwindow: QMainWindow, w: Window) -> None:
        K = QKeySequence
        a = functools.partial(make_action, qwindow)

        self.open = a("&Open…", w.open_file_dialog, K.StandardKey.Open, "Open an article file", "open")
        self.open_url = a("Open &URL…", w.open_url_dialog, K("Ctrl+Shift+O"), "Open a web page")
        self.export = a(
            "&Export summary…", w.export_dialog, K("Ctrl+E"), "Export the summary to a file", "export"
        )
        self.copy = a(
            "&Copy summary", w.copy_summary, K("Ctrl+Shift+C"), "Copy the summary to the clipboard", "copy"
        )
        self.quit = a("&Quit", qwindow.close, K.StandardKey.Quit)
        self.translate = a(
            "&Translate",
            w.translate,
            [K("Ctrl+Return"), K("Ctrl+Enter")],
            "Translate the article",
            "translate",
        )
        self.stop = a("&Stop", w.stop, K("Esc"), "Stop translating", "stop")
        self.edit = a(
            "&Edit English of this sentence…",
            w.edit_sentence,
            K("F2"),
            "Correct the English of the current sentence (kept as edited by hand)",
        )
        self.models = a("&Models…", w.show_models_dialog, None, "Manage translation models")
        self.import_model = a(
            "&Import model…",
            w.ask_import_model,
            None,
            "Install a model folder or .argosmodel package you already have (no network needed)",
        )
        # Ctrl+Plus is typed with Shift on many layouts (US: Shift+=), so Qt may see Ctrl+Shift++;
        # Ctrl+= is the unshifted key and the keypad's +/- arrive as Ctrl++/Ctrl+-.
        self.zoom_in = a(
            "Zoom &in",
            lambda: w.change_font(+1),
            [K("Ctrl++"), K("Ctrl+="), K("Ctrl+Shift++"), K.StandardKey.ZoomIn],
            "Larger text in all three panes",
        )
        self.zoom_out = a(
            "Zoom &out",
            lambda: w.change_font(-1),
            [K("Ctrl+-"), K("Ctrl+Shift+_"), K.StandardKey.ZoomOut],
            "Smaller text in all three panes",
        )
        self.zoom_reset = a("&Reset zoom", lambda: w.change_font(0), K("Ctrl+0"), "Text size back to normal")
        self.focus_original = a("Go to &original", w.original.setFocus, K("Alt+1"))
        self.focus_translation = a("Go to &translation", w.translation.setFocus, K("Alt+2"))
        self.focus_bullets = a("Go to &key facts", w.bullets.setFocus, K("Alt+3"))
        self.about = a("&About Nordbrief", w.about)

        self.opt_source = self._toggle(qwindow, w, "&Norwegian source under each bullet", S.EXPORT_SOURCE)
        self.opt_translation = self._toggle(qwindow, w, "Include the full &translation", S.EXPORT_TRANSLATION)
        self.opt_original = self._toggle(qwindow, w, "Include the &original", S.EXPORT_ORIGINAL)

        # Key facts: how many (3-10) and in which order, remembered (``Window.set_bullets``).
        self.bullet_counts: dict[int, QAction] = {}
        counts = QActionGroup(qwindow)
        for n in range(3, 11):
            act = QAction(f"&{n} key facts" if n < 10 else "1&0 key facts", qwindow)
            act.setCheckable(True)
            act.triggered.connect(lambda _=False, n=n: w.set_bullets(count=n))
            counts.addAction(act)
            self.bullet_counts[n] = act
        orders = QActionGroup(qwindow)
        self.order_article = QAction("In &article order", qwindow)
        self.order_importance = QAction("Most &important first", qwindow)
        for act, key in ((self.order_article, "article"), (self.order_importance, "importance")):
            act.setCheckable(True)
            act.triggered.connect(lambda _=False, k=key: w.set_bullets(order=k))
            orders.addAction(act)
        self.more_facts = a("&More key facts", lambda: w.set_bullets(count=self._count() + 1), K("Ctrl+]"))
        self.fewer_facts = a("&Fewer key facts", lambda: w.set_bullets(count=self._count() - 1), K("Ctrl+["))
        # View: which panes are shown, remembered (``Window.show_pane``).
        self.show_panes: dict[str, QAction] = {}
        for key, text, shortcut in (
            ("original", "Show &original", "Ctrl+Alt+1"),
            ("translation", "Show &translation", "Ctrl+Alt+2"),
            ("facts", "Show &key facts", "Ctrl+Alt+3"),
        ):
            act = QAction(text, qwindow)
            act.setCheckable(True)
            act.setChecked(True)
            act.setShortcut(K(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.toggled.connect(lambda on, k=key: w.show_pane(k, on))
            qwindow.addAction(act)
            self.show_panes[key] = act

        self.toolbar = self._build_toolbar(qwindow)
        self.recent_menu = self._build_menus(qwindow, w)

    def _count(self) -> int:
        return next((n for n, act in self.bullet_counts.items() if act.isChecked()), 5)

    def sync_bullet_choice(self, count: int, order: str) -> None:
        """Check the menu entries that match the settings (without re-triggering them)."""
        if count in self.bullet_counts:
            self.bullet_counts[count].setChecked(True)
        (self.order_importance if order == "importance" else self.order_article).setChecked(True)

    def sync_panes(self, hidden: set[str]) -> None:
        for key, act in self.show_panes.items():
            act.blockSignals(True)
            act.setChecked(key not in hidden)
            act.blockSignals(False)

    @staticmethod
    def _toggle(qwindow: QMainWindow, w: Window, text: str, key: S.Key[bool]) -> QAction:
        act = QAction(text, qwindow)
        act.setCheckable(True)
        act.setChecked(bool(w.settings.get(key)))
        act.toggled.connect(lambda on, k=key: w.settings.set(k, on))
        return act

    def _build_toolbar(self, qwindow: QMainWindow) -> QToolBar:
        tb = QToolBar("Main")
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setIconSize(QSize(18, 18))
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for act in (self.open, None, self.translate, self.stop, None, self.export, self.copy):
            if act is None:
                tb.addSeparator()
                continue
            tb.addAction(act)
            button = tb.widgetForAction(act)
            if button is not None:  # screen readers: the name without the mnemonic "&"
                button.setAccessibleName(act.text().replace("&", "").rstrip("…"))
        qwindow.addToolBar(tb)
        return tb

    def _build_menus(self, qwindow: QMainWindow, w: Window) -> RecentFilesMenu:
        mb = qwindow.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.open)
        m.addAction(self.open_url)
        recent = RecentFilesMenu(m.addMenu("Open &recent"), w)
        m.addSeparator()
        m.addAction(self.export)
        m.addAction(self.copy)
        opts = m.addMenu("Export &options")
        for act in (self.opt_source, self.opt_translation, self.opt_original):
            opts.addAction(act)
        m.addSeparator()
        m.addAction(self.quit)
        m = mb.addMenu("&Translate")
        m.addAction(self.translate)
        m.addAction(self.stop)
        m.addAction(self.edit)
        m.addSeparator()
        m.addAction(self.models)
        m.addAction(self.import_model)
        m = mb.addMenu("&Key facts")
        for act in self.bullet_counts.values():
            m.addAction(act)
        m.addSeparator()
        m.addAction(self.more_facts)
        m.addAction(self.fewer_facts)
        m.addSeparator()
        m.addAction(self.order_article)
        m.addAction(self.order_importance)
        m = mb.addMenu("&View")
        for act in self.show_panes.values():
            m.addAction(act)
        m.addSeparator()
        for act in (self.zoom_in, self.zoom_out, self.zoom_reset):
            m.addAction(act)
        m.addSeparator()
        for act in (self.focus_original, self.focus_translation, self.focus_bullets):
            m.addAction(act)
        m = mb.addMenu("&Help")
        m.addAction(self.about)
        return recent


class RecentFilesMenu:
    """File > Open recent: newest first, refilled each time it opens."""

    def __init__(self, menu: QMenu, w: Window) -> None:
        self.menu = menu
        self.w = w
        menu.aboutToShow.connect(self.fill)
        self.fill()

    def fill(self) -> None:
        self.menu.clear()
        recent = self.w.settings.get(S.RECENT_FILES)
        for i, path in enumerate(recent):
            act = self.menu.addAction(f"&{i + 1} {Path(path).name}" if i < 9 else Path(path).name)
            act.setToolTip(path)
            act.triggered.connect(lambda _=False, p=path: self.w.open_recent(p))
        if not recent:
            self.menu.addAction("No recent files").setEnabled(False)
        else:
            self.menu.addSeparator()
            self.menu.addAction("&Clear list", lambda: self.w.settings.set(S.RECENT_FILES, []))
