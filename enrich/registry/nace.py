"""NACE classes (python-stdnum's tables of NACE Rev. 2 and Rev. 2.1), and an activity code
as people write it (NAF rév. 2 "62.01Z", NACE "62.01" / "6201", NACE-BEL "62.010" / "62010")
read as a NACE Rev. 2 class.

>>> _class = rev2_class(pl.DataFrame({"naf": ["62.01Z", "6201", "99.99"]}), pl.col("naf"))
>>> _class.select("_class", "_section").rows()
[('62.01', 'J'), ('62.01', 'J'), ('99.99', None)]
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl
from stdnum.eu import nace as eu_nace

REVISION = {"2008": "2.0", "2025": "2.1"}  # NACE version of KBO / NAF rév. 2 → stdnum revision
DECLARED_NACE = r"^(\d{2})\.?(\d{2})(?:\.?\d{1,2}|[A-Z])?$"  # NAF 62.01Z, NACE 62.01 / 6201, NACE-BEL 62.010 / 62010


@lru_cache(maxsize=1)
def nace_table() -> pl.DataFrame:
    """Every NACE class of Rev. 2 and Rev. 2.1 (python-stdnum's tables): version, class
    (``62.01``), section letter and English label."""
    rows = []
    for version, revision in REVISION.items():
        for n in range(100, 10000):
            code = f"{n:04d}"
            try:
                info = eu_nace.info(code, revision=revision)
            except Exception:  # not a class of this revision
                continue
            if len(code) == 4 and info.get("section"):
                rows.append((version, f"{code[:2]}.{code[2:]}", info["section"], info.get("label")))
    return pl.DataFrame(
        rows, schema=["nace_version", "nace_class", "nace_section", "nace_label_en"], orient="row"
    )


def nace_class() -> pl.Expr:
    """The class ("62.01") of ``nace_code`` in a known ``nace_version``."""
    digits = pl.col("nace_code").str.replace_all(r"\D", "")
    return pl.when(
        pl.col("nace_version").is_in(list(REVISION)) & (digits.str.len_chars() >= 4)
    ).then(digits.str.slice(0, 2) + "." + digits.str.slice(2, 2))


def rev2_class(frame: pl.DataFrame, code: pl.Expr) -> pl.DataFrame:
    """*frame* with ``_class`` ("62.01") of the activity *code* (NAF 62.01Z, NACE 62.01,
    NACE-BEL 62010: ``DECLARED_NACE``), and that NACE Rev. 2 class's ``_section`` and English
    ``_label`` (null when it is not one)."""
    parts = code.str.extract_groups(DECLARED_NACE)
    known = (
        nace_table()
        .filter(pl.col("nace_version") == "2008")
        .select(
            pl.col("nace_class").alias("_class"),
            pl.col("nace_section").alias("_section"),
            pl.col("nace_label_en").alias("_label"),
        )
    )
    return frame.with_columns(
        (parts.struct.field("1") + "." + parts.struct.field("2")).alias("_class")
    ).join(known, on="_class", how="left", maintain_order="left")
