"""Company registries: bulk files read into a local index (``index.py``), attached to files
(``attach.py``), and online services (``vies.py``, ``recherche.py``, ``gleif.py``).

``SOURCES`` is the table of the bulk sources, one adapter module each (the interface is in
``source.py``); the index loops over it, in this order (a row's Belgian enterprise number is
looked up before its SIREN).
"""

from . import kbo, sirene

SOURCES = (kbo, sirene)
