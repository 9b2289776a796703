"""Developer scripts run with ``python -m scripts.NAME`` (not shipped in the wheel)."""
