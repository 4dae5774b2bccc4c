"""The registry index folder: its files, their columns, and the checks that a folder is one
(or may become one).

    companies.parquet   one row per company of every source — official name, status,
                        legal form, creation date, seat address, main NACE activity (code,
                        version, class, section, labels in FR/NL/EN), headcount band and EU
                        SME size band (``COLUMNS``)
    activities.parquet  every registered activity of a company, from the sources that
                        publish them (KBO: main, secondary, ancillary)
    names.parquet       every name of a company (legal, abbreviation, commercial, shop
                        sign, a sole trader's own name) at every place of it (its seat, its
                        establishments), with the tokens and town keys that find it
                        (``words.py``), for matching by name (``NAME_COLUMNS``)
    towns.parquet       every postcode with the town keys of the places at it (a row that
                        gives only a postcode, or a town the registry does not name, is
                        looked for in the postcode's towns)
    meta.json           the source files, their snapshot, row counts
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

# a place in the index: its address, in both languages where Belgium has two
ADDRESS_COLUMNS = ["postcode", "city_fr", "city_nl", "street_fr", "street_nl", "house_number"]

COMPANIES = "companies.parquet"
ACTIVITIES = "activities.parquet"
NAMES = "names.parquet"
TOWNS = "towns.parquet"
META = "meta.json"
NAME_KEYS = ["tokens", "city_key", "city_key_nl", "keys"]  # added by the index to a source's names
NAME_COLUMNS = [
    "country",
    "registry_id",
    "kind",  # legal, abbreviation, commercial, branch, sign, person
    "language",
    "name",
    "site",  # the establishment (SIRET, KBO unit number); null: the company itself
    "seat",
    "active",  # the company is active and the establishment open
    *ADDRESS_COLUMNS,
    *NAME_KEYS,  # city_key_nl: when the Dutch name is another; keys: words.block_keys
]
COLUMNS = [
    "country",
    "registry_id",
    "official_name",
    "registry_status",
    "kind",
    "legal_form_code",
    "legal_form_fr",
    "legal_form_nl",
    "creation_date",
    "juridical_situation",
    "nace_code",
    "nace_version",
    "nace_class",
    "nace_section",
    "nace_label_fr",
    "nace_label_nl",
    "nace_label_en",
    *ADDRESS_COLUMNS,
    "employees_band",
    "employees_year",
    "employees_min",
    "employees_max",
    "size_band",
    "size_criteria",
    "size_reason",
    "enterprise_category",
    "employer",
]


def check_out(folder: str | Path, inputs: list[str]) -> None:
    """Refuse an output folder that would destroy something: one holding an input, or an
    existing folder that is not a registry index."""
    real = Path(folder).resolve()
    for p in inputs:
        if real == Path(p).resolve() or real in Path(p).resolve().parents:
            raise InputError(
                "the output folder holds an input; write the index to another folder",
                file=str(folder),
            )
    if real.exists() and (
        not real.is_dir() or (any(real.iterdir()) and not (real / META).is_file())
    ):
        raise InputError(
            "the output exists and is not a registry index; choose a new or empty folder",
            file=str(folder),
        )


def check_index(folder: str | Path) -> Path:
    path = Path(folder)
    if not (path / COMPANIES).is_file() or not (path / META).is_file():
        raise InputError(
            "not a registry index (no companies.parquet or meta.json): build one with `enrich registry build`",
            file=str(folder),
        )
    return path
