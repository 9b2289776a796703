"""Dialogs, each behind a small module-level function so tests can replace it with monkeypatch.

The window calls ``dialogs.ask_open_file(...)`` etc. through this module, never ``QFileDialog``
or ``QMessageBox`` directly.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

OPEN_FILTER = "Articles (*.txt *.md *.markdown *.html *.htm *.docx);;Text (*.txt *.md);;All files (*)"
SAVE_FILTERS = {"markdown": "Markdown (*.md)", "text": "Plain text (*.txt)"}


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.information(parent, title, message)


def confirm(parent: QWidget | None, title: str, message: str) -> bool:
    answer = QMessageBox.question(parent, title, message)
    return answer == QMessageBox.StandardButton.Yes


def ask_open_file(parent: QWidget | None, directory: str = "") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open article", directory, OPEN_FILTER)
    return path or None


def ask_save_file(parent: QWidget | None, suggested: str, fmt: str = "markdown") -> str | None:
    filters = ";;".join([SAVE_FILTERS[fmt]] + [f for k, f in SAVE_FILTERS.items() if k != fmt])
    path, _ = QFileDialog.getSaveFileName(parent, "Export summary", suggested, filters)
    return path or None


def ask_url(parent: QWidget | None) -> str | None:
    url, ok = QInputDialog.getText(parent, "Open URL", "Address of a news article (http or https):")
    return url.strip() if ok and url.strip() else None


IMPORT_FILTER = "Argos Translate packages (*.argosmodel);;All files (*)"


def ask_import_path(parent: QWidget | None, directory: str = "") -> str | None:
    """A model to import: a folder (Hugging Face checkpoint, e.g. from ``hf download --local-dir``,
    a Hub cache snapshot, or a CTranslate2 model) or an Argos Translate ``.argosmodel`` file."""
    box = QMessageBox(
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


def open_models_dialog(parent: QWidget | None) -> str | None:
    """Show the models dialog; returns the name of a model the user asked to download."""
    dialog = ModelsDialog(parent)
    dialog.exec()
    return dialog.requested_download


def _fmt_size(size: Any) -> str:
    if not isinstance(size, (int, float)) or size <= 0:
        return str(size) if size else "—"
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit in ("B", "KB") else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


class ModelsDialog(QDialog):
    """Lists catalog and installed models with size, license and attribution; sets the default.

    The default model is the engine's setting (model store), so the CLI follows what is picked
    here. Downloads happen from the window's banner, where progress and Cancel live.
    """

    COLUMNS = ("Model", "Status", "Size", "License", "Attribution")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Translation models")
        self.resize(820, 340)
        self.requested_download: str | None = None
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

    def _store(self) -> Any:
        from models import store

        return store

    def rows(self) -> list[dict[str, Any]]:
        """Catalog entries and installed models as plain dicts (whatever the store provides)."""
        store = self._store()
        out: list[dict[str, Any]] = []
        lister = getattr(store, "list_models", None)
        default = None
        getter = getattr(store, "get_default_model", None)
        if getter is not None:
            try:
                default = getter()
            except Exception:
                default = None
        default_name = getattr(default, "name", default)
        if lister is None:
            return out
        for m in lister():
            name = getattr(m, "name", str(m))
            out.append(
                {
                    "name": name,
                    "installed": bool(getattr(m, "installed", getattr(m, "path", None))),
                    "default": bool(getattr(m, "is_default", False)) or name == default_name,
                    "size": getattr(m, "size", None) or getattr(m, "size_bytes", None),
                    "license": getattr(m, "license", None) or "—",
                    "attribution": getattr(m, "attribution", None) or getattr(m, "description", "") or "",
                }
            )
        return out

    def refresh(self) -> None:
        try:
            rows = self.rows()
        except Exception as exc:
            rows = []
            show_error(self, "Models", f"Cannot list models: {exc}")
        self._rows = rows
        self.table.setRowCount(len(rows))
        for r, m in enumerate(rows):
            status = "Default" if m["default"] else ("Installed" if m["installed"] else "Not installed")
            values = (m["name"], status, _fmt_size(m["size"]), m["license"], m["attribution"])
            for c, v in enumerate(values):
                item = QTableWidgetItem(str(v))
                item.setToolTip(str(v))
                if c == 0 and m["default"]:
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        if rows:
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self._rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        m = self.selected()
        store = self._store()
        self.default_button.setEnabled(bool(m and m["installed"] and hasattr(store, "set_default_model")))
        self.download_button.setEnabled(bool(m and not m["installed"] and hasattr(store, "download_model")))
        self.remove_button.setEnabled(bool(m and m["installed"] and hasattr(store, "remove_model")))

    def _set_default(self) -> None:
        m = self.selected()
        if m:
            try:
                self._store().set_default_model(m["name"])
            except Exception as exc:
                show_error(self, "Models", str(getattr(exc, "message", exc)))
            self.refresh()

    def _download(self) -> None:
        m = self.selected()
        if m:
            self.requested_download = m["name"]
            self.accept()

    def _remove(self) -> None:
        m = self.selected()
        if m and confirm(self, "Remove model", f"Remove the model {m['name']} from this computer?"):
            try:
                self._store().remove_model(m["name"])
            except Exception as exc:
                show_error(self, "Models", str(getattr(exc, "message", exc)))
            self.refresh()


__all__ = [
    "ModelsDialog",
    "ask_import_path",
    "ask_open_file",
    "ask_save_file",
    "ask_url",
    "confirm",
    "open_models_dialog",
    "show_error",
    "show_info",
]
