"""recherche-entreprises (the French State's company search API, REGISTRIES.md §3): a
SIREN's name, status, NAF code, headcount band and seat, for French companies the local
index does not hold.
"""

from __future__ import annotations

import polars as pl

from .http import Client, ask_each, listed

RECHERCHE = "https://recherche-entreprises.api.gouv.fr/search"


def recherche(client: Client, siren: str) -> dict:
    """A SIREN looked up in recherche-entreprises (``q`` of nine digits: a direct lookup):
    ``status`` found / not_found / unknown, and what it says of the company."""
    url = f"{RECHERCHE}?q={siren}&per_page=1"
    empty = {
        "name": None,
        "registry_status": None,
        "naf": None,
        "section": None,
        "employees_band": None,
        "employees_year": None,
        "postcode": None,
        "city": None,
    }
    results, why = listed(client, url, "results", "malformed answer (no results)")
    if why:
        return {"status": "unknown", **empty, "reason": why}
    hit = next((r for r in results if isinstance(r, dict) and r.get("siren") == siren), None)
    if hit is None:
        return {"status": "not_found", **empty, "reason": None}
    seat = hit.get("siege") if isinstance(hit.get("siege"), dict) else {}
    state = hit.get("etat_administratif")
    return {
        "status": "found",
        "name": _word(hit.get("nom_raison_sociale")) or _word(hit.get("nom_complet")),
        "registry_status": {"A": "active", "C": "ceased"}.get(
            state if isinstance(state, str) else None
        ),
        "naf": _word(hit.get("activite_principale")),
        "section": _word(hit.get("section_activite_principale")),
        "employees_band": _word(hit.get("tranche_effectif_salarie")),
        "employees_year": _word(hit.get("annee_tranche_effectif_salarie")),
        "postcode": _word(seat.get("code_postal")),
        "city": _word(seat.get("libelle_commune")),
        "reason": None,
    }


def _word(value) -> str | None:
    """A field of the answer, if it is text or a number as the API writes it (else none)."""
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def recherche_columns(frame: pl.DataFrame, client: Client) -> pl.DataFrame:
    """*frame* with ``recherche_*`` columns for each French row whose valid SIREN the local
    index did not find (``registry_match`` is not 'siren'), once per distinct SIREN."""
    fields = [
        "status",
        "name",
        "registry_status",
        "naf",
        "section",
        "employees_band",
        "employees_year",
        "postcode",
        "city",
        "reason",
    ]
    names = {f: f"recherche_{f}" for f in fields}
    if "siren" not in frame.columns:
        return frame.with_columns(pl.lit(None, pl.String).alias(c) for c in names.values())
    asked = (
        pl.col("siren")
        if "registry_match" not in frame.columns
        else pl.when(pl.col("registry_match") != "siren").then(pl.col("siren"))
    )
    frame = frame.with_columns(asked.alias("_siren"))
    return ask_each(frame, ["_siren"], lambda siren: recherche(client, siren), names).drop("_siren")
