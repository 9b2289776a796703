"""Nordbrief's engine: Qt-free, usable headless from the CLI and from the GUI alike."""

__version__ = "0.1.0"
