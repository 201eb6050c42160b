"""Per-area third-party analytics scripts for Django, with a console logger."""

__version__ = "0.1.0"
