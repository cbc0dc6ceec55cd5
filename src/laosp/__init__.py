"""laosp: the information system for Lao PDR's National Social Protection Strategy."""

__version__ = "0.1.0"
