"""The online services' old home, kept only for ``enrich/cli.py``'s imports until
``enrich/pipeline.py`` replaces them: import from ``http``, ``vies``, ``recherche`` and
``gleif`` instead."""

from .gleif import gleif_columns
from .http import Client
from .recherche import recherche_columns
from .vies import vies_columns

__all__ = ["Client", "gleif_columns", "recherche_columns", "vies_columns"]
