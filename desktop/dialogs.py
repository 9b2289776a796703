"""Dialogs, each behind a small module-level function so tests can replace it with monkeypatch.

The window calls ``dialogs.ask_open_file(...)`` etc. through this module, never ``QFileDialog``
or ``QMessageBox`` directly.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop import workers
from desktop.plain import message_box, plain_label, plain_tooltip
from desktop.workers import TaskManager
from models import pipeline, store
from models.article import FlagDetail
from models.errors import NordbriefError
from models.store.local_import import ARGOS_SUFFIX
from models.store.progress import format_size


def _patterns(suffixes: tuple[str, ...]) -> str:
    return " ".join(f"*{s}" for s in suffixes)


# Built from the engine's table of the file types it reads, so the dialog offers exactly those.
OPEN_FILTER = ";;".join(
    [
        f"Articles ({_patterns(tuple(s for t in pipeline.FILE_TYPES for s in t.suffixes))})",
        *(f"{t.label} ({_patterns(t.suffixes)})" for t in pipeline.FILE_TYPES),
        "All files (*)",
    ]
)
SAVE_FILTERS = {"markdown": "Markdown (*.md)", "text": "Plain text (*.txt)"}


def error_box(parent: QWidget | None, title: str, message: str, details: str = "") -> QMessageBox:
    """The error box every failure is shown in: message and details as plain text (an HTTP
    reason phrase or a file's content must never render as markup)."""
    return message_box(QMessageBox.Icon.Warning, title, message, parent=parent, details=details)


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> None:
    error_box(parent, title, message, details).exec()


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    message_box(QMessageBox.Icon.Information, title, message, parent=parent).exec()


def confirm(parent: QWidget | None, title: str, message: str) -> bool:
    yes_no = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    box = message_box(QMessageBox.Icon.Question, title, message, yes_no, parent)
    return box.exec() == QMessageBox.StandardButton.Yes


def ask_open_file(parent: QWidget | None, directory: str = "") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open article", directory, OPEN_FILTER)
    return path or None


def ask_save_file(parent: QWidget | None, suggested: str, fmt: str = "markdown") -> str | None:
    filters = ";;".join([SAVE_FILTERS[fmt]] + [f for k, f in SAVE_FILTERS.items() if k != fmt])
    path, _ = QFileDialog.getSaveFileName(parent, "Export summary", suggested, filters)
    return path or None


class ExportDialog(QDialog):
    """What goes into an exported summary, shown every time and filled with the last choices:
    the bullets, warnings and provenance always, the Norwegian sources, the full English
    translation and the full Norwegian original on request, as Markdown or plain text."""

    def __init__(self, parent: QWidget | None, options: pipeline.ExportOptions, fmt: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export summary")
        # Mnemonics unlike the menu bar's (File, Translate, Key facts, View, Help).
        layout = QVBoxLayout(self)
        intro = QLabel("The key facts, their warnings and where they came from are always exported.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.source = QCheckBox("The Norwegian &source sentence under each key fact")
        self.translation = QCheckBox("The full &English translation")
        self.original = QCheckBox("The full &Norwegian original")
        for box, on in (
            (self.source, options.include_source),
            (self.translation, options.include_translation),
            (self.original, options.include_original),
        ):
            box.setChecked(on)
            layout.addWidget(box)
        form = QFormLayout()
        self.format = QComboBox()
        self.format.addItem("Markdown (.md)", "markdown")
        self.format.addItem("Plain text (.txt)", "text")
        self.format.setCurrentIndex(max(0, self.format.findData(fmt)))
        label = QLabel("Fo&rmat:")
        label.setBuddy(self.format)
        form.addRow(label, self.format)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.export_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.export_button.setText("E&xport…")  # the default: Enter exports, Esc cancels
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choice(self) -> tuple[pipeline.ExportOptions, str]:
        options = pipeline.ExportOptions(
            include_source=self.source.isChecked(),
            include_translation=self.translation.isChecked(),
            include_original=self.original.isChecked(),
        )
        return options, str(self.format.currentData())


def ask_export_options(
    parent: QWidget | None, options: pipeline.ExportOptions, fmt: str
) -> tuple[pipeline.ExportOptions, str] | None:
    """The export's contents and format (None: cancelled), before the file name is asked."""
    dlg = ExportDialog(parent, options, fmt)
    return dlg.choice() if dlg.exec() == QDialog.DialogCode.Accepted else None


def ask_url(parent: QWidget | None) -> str | None:
    url, ok = QInputDialog.getText(parent, "Open URL", "Address of a news article (http or https):")
    return url.strip() if ok and url.strip() else None


IMPORT_FILTER = f"Argos Translate packages (*{ARGOS_SUFFIX});;All files (*)"


def ask_import_path(parent: QWidget | None, directory: str = "") -> str | None:
    """A model to import: a folder (Hugging Face checkpoint, e.g. from ``hf download --local-dir``,
    a Hub cache snapshot, or a CTranslate2 model) or an Argos Translate ``.argosmodel`` file."""
    box = message_box(
        QMessageBox.Icon.Question,
        "Import model",
        "Import a model folder (a Hugging Face checkpoint such as “hf download … --local-dir” "
        "leaves, or a CTranslate2 model) or an Argos Translate package (.argosmodel)?",
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    folder = box.addButton("Folder…", QMessageBox.ButtonRole.AcceptRole)
    package = box.addButton("Package…", QMessageBox.ButtonRole.AcceptRole)
    box.exec()
    if box.clickedButton() is folder:
        path = QFileDialog.getExistingDirectory(parent, "Import model folder", directory)
    elif box.clickedButton() is package:
        path, _ = QFileDialog.getOpenFileName(
            parent, "Import Argos Translate package", directory, IMPORT_FILTER
        )
    else:
        return None
    return path or None


def open_models_dialog(parent: QWidget | None, tasks: TaskManager) -> str | None:
    """Show the models dialog; returns the name of a model the user asked to download."""
    dialog = ModelsDialog(parent, tasks)
    dialog.exec()
    return dialog.requested_download


class ModelsDialog(QDialog):
    """Lists catalog and installed models with size, license and attribution; sets the default.

    The default model is the engine's setting (``models.settings``), so the CLI follows what is
    picked here. Listing (it sums every installed folder) and removing (hundreds of MB) run in
    the window's background lanes; setting the default writes one small file. Downloads happen
    from the window's banner, where progress and Cancel live.
    """

    COLUMNS = ("Model", "Status", "Size", "License", "Attribution")

    def __init__(self, parent: QWidget | None, tasks: TaskManager) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.setWindowTitle("Translation models")
        self.resize(820, 340)
        self.requested_download: str | None = None
        self._rows: list[store.ModelStatus] = []
        self._running = 0  # list or remove jobs in flight
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Models run on this computer; nothing you translate leaves it. "
            "The default model is also used by the command line."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setAccessibleName("Models")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.status = plain_label(QLabel("Looking up models…"))  # shows error messages
        layout.addWidget(self.status)
        row = QHBoxLayout()
        self.default_button = QPushButton("Use as default")
        self.download_button = QPushButton("Download")
        self.remove_button = QPushButton("Remove")
        for b in (self.default_button, self.download_button, self.remove_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.default_button.clicked.connect(self._set_default)
        self.download_button.clicked.connect(self._download)
        self.remove_button.clicked.connect(self._remove)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def _background(self, name: str, fn: workers.JobFn, on_success: Callable[..., None]) -> None:
        self._running += 1
        self._update_buttons()
        self.tasks.run(name, fn, on_success=on_success, on_error=self._failed, on_done=self._job_done)

    def _job_done(self) -> None:
        self._running -= 1
        self._update_buttons()

    @property
    def busy(self) -> bool:
        return self._running > 0

    def _failed(self, err: workers.JobError) -> None:
        self.status.setText(err.message)
        show_error(self, "Models", err.message, err.details)

    def refresh(self) -> None:
        """List the models again (in the background)."""
        self._background("list-models", workers.list_models(), self._show_rows)

    def _show_rows(self, rows: list[store.ModelStatus]) -> None:
        keep = self.selected()
        self._rows = rows
        self.status.setText(f"{sum(r.installed for r in rows)} installed, {len(rows)} offered or installed")
        self.table.setRowCount(len(rows))
        for r, m in enumerate(rows):
            status = "Default" if m.is_default else ("Installed" if m.installed else "Not installed")
            attribution = m.attribution or m.description
            values = (m.name, status, format_size(m.size_bytes, unknown="—"), m.license or "—", attribution)
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setToolTip(plain_tooltip(v))  # a license or attribution from a model
                if c == 0 and m.is_default:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        names = [m.name for m in rows]
        if keep is not None and keep.name in names:
            self.table.selectRow(names.index(keep.name))
        elif rows:
            self.table.selectRow(0)
        self._update_buttons()

    @property
    def loaded(self) -> bool:
        """The list is shown and no list or remove job is running."""
        return not self.busy

    def selected(self) -> store.ModelStatus | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        return self._rows[rows[0].row()] if rows and rows[0].row() < len(self._rows) else None

    def _update_buttons(self) -> None:
        m = self.selected()
        idle = not self.busy
        self.default_button.setEnabled(bool(idle and m and m.installed))
        self.download_button.setEnabled(bool(idle and m and not m.installed))
        self.remove_button.setEnabled(bool(idle and m and m.installed))

    def _set_default(self) -> None:
        m = self.selected()
        if m:
            try:
                store.set_default_model(m.name)
            except NordbriefError as exc:
                show_error(self, "Models", exc.message)
            self.refresh()

    def _download(self) -> None:
        m = self.selected()
        if m:
            self.requested_download = m.name
            self.accept()

    def _remove(self) -> None:
        m = self.selected()
        if m and confirm(self, "Remove model", f"Remove the model {m.name} from this computer?"):
            self.status.setText(f"Removing {m.name}…")
            self._background("remove-model", workers.remove_model(m.name), lambda _none: self.refresh())


__all__ = [
    "OPEN_FILTER",
    "ModelsDialog",
    "ask_import_path",
    "ask_open_file",
    "ask_save_file",
    "ask_url",
    "confirm",
    "error_box",
    "open_models_dialog",
    "show_error",
    "show_info",
]


# --- post-editing one sentence's English -----------------------------------------------------

CheckFn = Callable[[str, Callable[[list[FlagDetail]], None]], None]
RECHECK_MS = 300  # typing pauses this long before the edit is fact-checked (in the background)


class EditEnglishDialog(QDialog):
    """The Norwegian sentence, its English to correct, and the fact check of what is typed.

    ``check(text, done)`` runs the number/name check off the GUI thread (the window's task
    manager) and calls ``done`` with its findings; typing restarts a short timer so only a pause
    is checked. ``result_value``: ("edit", text), ("revert", None) or None (cancelled).
    """

    def __init__(
        self, parent: QWidget | None, norwegian: str, english: str, edited: bool, check: CheckFn
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit the English")
        self.result_value: tuple[str, str | None] | None = None
        self._check = check
        self._asked = 0
        layout = QVBoxLayout(self)
        source = QLabel(f"Norwegian: {norwegian}")
        source.setWordWrap(True)
        source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(source)
        self.editor = QPlainTextEdit(english)
        self.editor.setTabChangesFocus(True)
        self.editor.setAccessibleName("English of the sentence")
        self.editor.moveCursor(QTextCursor.MoveOperation.End)
        layout.addWidget(self.editor, 1)
        self.findings = QLabel("")
        self.findings.setWordWrap(True)
        self.findings.setAccessibleName("Fact check of the edit")
        layout.addWidget(self.findings)
        std = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(std.Ok | std.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Keep my edit")
        self.revert_button = buttons.addButton("&Machine translation", QDialogButtonBox.ButtonRole.ResetRole)
        self.revert_button.setEnabled(edited)
        self.revert_button.clicked.connect(self._revert)
        buttons.accepted.connect(self._keep)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RECHECK_MS)
        self.timer.timeout.connect(self.recheck)
        self.editor.textChanged.connect(self.timer.start)
        self.resize(560, 260)
        self.recheck()

    def recheck(self) -> None:
        self._asked += 1
        asked = self._asked
        self.findings.setText("Checking numbers and names…")

        def done(details: list[FlagDetail]) -> None:
            if asked != self._asked:
                return  # typed on meanwhile: a newer check is coming
            if not details:
                self.findings.setText("✓ Numbers and names match the Norwegian.")
            else:
                self.findings.setText("\n".join(f"⚠ {d.severity}: {d.detail}" for d in details))

        self._check(self.editor.toPlainText(), done)

    def _keep(self) -> None:
        text = " ".join(self.editor.toPlainText().split())
        if not text:
            self.findings.setText("The English cannot be empty (use Machine translation to undo an edit).")
            return
        self.result_value = ("edit", text)
        self.accept()

    def _revert(self) -> None:
        self.result_value = ("revert", None)
        self.accept()


def edit_english(
    parent: QWidget | None, norwegian: str, english: str, edited: bool, check: CheckFn
) -> tuple[str, str | None] | None:
    dlg = EditEnglishDialog(parent, norwegian, english, edited, check)
    dlg.exec()
    return dlg.result_value
