"""icscheck: check an NHS England Integrated Care System against its national frameworks."""

__version__ = "0.1.0"
