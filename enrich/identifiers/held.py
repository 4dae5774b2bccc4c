"""What each identifier column really held: one label per value (``held.{column}``, from
:func:`labels`) and the counts per column that a file's report gives (:func:`counts`).

A label names the kind the value was checked as and found valid ("BE VAT", "SIRET",
"SIREN", "BE enterprise number", "KVK number"), or what else it was: "invalid",
"ambiguous", "conflict" (another number of its kind was there), "BE establishment unit",
"placeholder". Labels never carry a value.

>>> import polars as pl
>>> from enrich.identifiers import clean
>>> typed = ["BE 0403.170.701", "732 829 320 00074", "732829320", "12", "n/a", None]
>>> out = clean(pl.DataFrame({"vat": typed}), report=True)
>>> out["held.vat"].to_list()
['BE VAT', 'SIRET', 'SIREN', 'invalid', 'placeholder', None]
>>> counts(out, {"vat": "N° TVA"})
[{'column': 'vat', 'header': 'N° TVA', 'values': 5, 'held': {'BE VAT': 1, 'SIREN': 1, \
'SIRET': 1, 'invalid': 1, 'placeholder': 1}, 'other_kind': 2}]
"""

from __future__ import annotations

import polars as pl

from . import route

PREFIX = "held."
LABELS = {
    "enterprise_number": "BE enterprise number",
    "siren": "SIREN",
    "siret": "SIRET",
    "kvk": "KVK number",
}
INVALID, PLACEHOLDER, CONFLICT, UNIT = "invalid", "placeholder", "conflict", "BE establishment unit"
_NOT_A_KIND = (INVALID, PLACEHOLDER)


def _label(slot: str) -> pl.Expr:
    if slot == "vat":
        return pl.col("_vat_value").str.slice(0, 2) + pl.lit(" VAT")
    return pl.lit(LABELS.get(slot, slot))


def _valid(slot: str) -> pl.Expr:
    return pl.col(f"_{slot}_value").is_not_null() & (pl.col(f"_{slot}_status") == "valid")


def labels(present: list[str], slots: list[str]) -> list[pl.Expr]:
    """``held.{field}`` for each routed field: the label of its value (module docstring), read
    from the checked frame of ``identifiers.clean``."""
    out = []
    for f in present:
        to = pl.col(f"_to_{f}")
        slot = pl.when(route.moved(f)).then(to).otherwise(pl.lit(f))
        valid = pl.coalesce([pl.when((slot == s) & _valid(s)).then(_label(s)) for s in slots])
        label = (
            pl.when(pl.col(f"_ph_{f}"))
            .then(pl.lit(PLACEHOLDER))
            .when(pl.col(f"_in_{f}").is_null())
            .then(pl.lit(None, dtype=pl.String))
            .when(to == route.AMBIGUOUS)
            .then(pl.lit(route.AMBIGUOUS))
            .when(route.collisions(f))
            .then(pl.lit(CONFLICT))
            .when(pl.col(f"_kind_{f}") == "unit")
            .then(pl.lit(UNIT))
            .otherwise(pl.coalesce(valid, pl.lit(INVALID)))
        )
        out.append(label.alias(f"{PREFIX}{f}"))
    return out


def vat_verdict(name: str) -> pl.Expr:
    """The VAT column's verdict from its label column *name* (``held.vat``, may be absent:
    no value): ``valid`` where a valid VAT number was found in it, else the label (a SIRET
    typed there is valid as a SIRET, not as a VAT number); null where it was empty."""
    label = pl.col(name)
    return pl.when(label.str.ends_with(" VAT")).then(pl.lit("valid")).otherwise(label).alias(name)


def _its_kind(column: str, label: str) -> bool:
    """*label* is what a column of that name should hold (or no kind at all)."""
    own = label.endswith(" VAT") if column == "vat" else label == LABELS.get(column, column)
    return own or label in _NOT_A_KIND


def counts(frame: pl.DataFrame, headers: dict[str, str]) -> list[dict]:
    """Per ``held.*`` column of *frame* (one file's rows): its header (*headers*: column →
    header as typed), how many values, the count per label (most first), and how many were
    of another kind than the column's (moved, ambiguous, in conflict, establishment units)."""
    out = []
    for name in [c for c in frame.columns if c.startswith(PREFIX)]:
        column = name.removeprefix(PREFIX)
        found = (
            frame[name].drop_nulls().value_counts().sort(["count", name], descending=[True, False])
        )
        held = {label: int(n) for label, n in found.iter_rows()}
        if not held:
            continue
        other = sum(n for label, n in held.items() if not _its_kind(column, label))
        out.append(
            {
                "column": column,
                "header": headers.get(column),
                "values": sum(held.values()),
                "held": held,
                "other_kind": other,
            }
        )
    return out
