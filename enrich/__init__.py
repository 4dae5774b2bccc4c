"""enrich — turn messy contact files into one clean, validated master file."""

__version__ = "0.1.0"
