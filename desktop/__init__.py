"""Nordbrief's PySide6 desktop GUI. Only ``desktop.launcher`` may be imported without Qt."""
