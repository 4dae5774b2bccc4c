"""The ids linking gives: '<prefix>-<n>' per cluster (a master's ids kept), and person_id.

Works on id numbers, not strings: numbers group, sort and join faster.

>>> id_number(pl.Series(["co-12", "x", None]), "co").to_list()
[12, None, None]
>>> id_text(np.array([3, 40]), "ct").to_list()
['ct-3', 'ct-40']
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ..errors import InputError
from ..ruleset import Rules
from .cluster import components, shared_value_edges
from .derive import levels, person

NONE = np.iinfo(np.int64).max  # no id number


def id_number(ids, prefix: str):
    """The number of each id '<prefix>-<n>' (an expression or a series; null for anything
    else): numbers group, sort and join faster than the strings."""
    return ids.str.strip_prefix(f"{prefix}-").cast(pl.Int64, strict=False)


def id_text(numbers: np.ndarray, prefix: str) -> pl.Series:
    """The ids '<prefix>-<n>' of *numbers*."""
    return pl.select(
        pl.lit(f"{prefix}-") + pl.Series(numbers, dtype=pl.Int64).cast(pl.String)
    ).to_series()


def assign_ids(
    prefix: str,
    rows: pl.Series,
    clusters: pl.Series,
    n: int,
    known: pl.Series | None = None,
    used: int | None = None,
) -> pl.Series:
    """Per input row: its cluster's id, null if not linked. A cluster holding a record with a
    *known* id (a master's) keeps that id (the smallest, if several); new clusters are
    numbered '<prefix>-<k>' in the order of their first row, k after the highest in use
    (in *known*, or *used*: ids retired by earlier runs are never given again). Only the ids
    that change are written (a master's are kept)."""
    # a cluster is named by a record: 0 … len(rows)-1
    at, cluster = rows.cast(pl.Int64).to_numpy(), clusters.cast(pl.Int64).to_numpy()
    known = known if known is not None else pl.repeat(None, n, dtype=pl.String, eager=True)
    number = _known_numbers(known, prefix)
    held = number.fill_null(-1).to_numpy()[at]  # each linked record's known id number, or -1
    kept = np.full(at.size, NONE, dtype=np.int64)
    np.minimum.at(kept, cluster[held >= 0], held[held >= 0])
    record = kept[cluster]  # per record: the id number its cluster keeps, or NONE
    start = max(int(number.max()) if number.null_count() < n else -1, -1 if used is None else used)
    record = np.where(record == NONE, _fresh_numbers(at, cluster, record, start + 1), record)
    # a new record, or a master record given another cluster's id
    change = np.flatnonzero(record != held)
    # scatter writes in place: not into the caller's series
    out = known.clone().scatter(at[change], id_text(record[change], prefix))
    unlinked = np.ones(n, dtype=bool)
    unlinked[at] = False
    return out.scatter(np.flatnonzero(unlinked & known.is_not_null().to_numpy()), None)


def _known_numbers(known: pl.Series, prefix: str) -> pl.Series:
    """The numbers of a master's *known* ids; an id enrich did not give is an error."""
    number = id_number(known, prefix)
    odd = known.is_not_null() & (number.is_null() | (number < 0))
    if odd.any():
        raise InputError(
            f"the master holds an id enrich did not give ({known.filter(odd)[0]!r}); ids are '{prefix}-<number>'"
        )
    return number


def _fresh_numbers(
    at: np.ndarray, cluster: np.ndarray, record: np.ndarray, start: int
) -> np.ndarray:
    """Per cluster: a new id number from *start* for the clusters without a known one
    (*record* NONE), in the order of their first row."""
    first = np.full(at.size, NONE, dtype=np.int64)
    np.minimum.at(first, cluster, at)
    fresh = np.unique(cluster[record == NONE])
    fresh = fresh[np.argsort(first[fresh], kind="stable")]
    numbered = np.empty(at.size, dtype=np.int64)
    numbered[fresh] = np.arange(start, start + fresh.size)
    return numbered[cluster]


def first_rows(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of per-row id *numbers* (-1: no id): the rows holding one, the distinct numbers in
    order, and for each the first of those rows (its index in the rows holding one)."""
    at = np.flatnonzero(numbers >= 0)
    distinct, first = np.unique(numbers[at], return_index=True)
    return at, distinct, first


def person_ids(data: pl.DataFrame, rules: Rules | None = None) -> pl.Series:
    """``person_id``: contacts at different companies who are the same person — the same name
    (in either order) and the same private channel (a valid mobile, a free-mail address),
    as rules/link.toml [person] declares. A shared switchboard, company domain or name alone
    is never enough. A contact linked to no other has a person of its own. 'pe-<n>' where
    'ct-<n>' is the person's first contact (the one whose first row comes first)."""
    how = person(rules)
    level = next(level for level in levels(rules) if level.name == how.of)
    number = id_number(data[level.id], level.prefix).fill_null(-1).to_numpy()
    at, contacts, first = first_rows(number)
    order = np.empty(contacts.size, dtype=np.int64)  # each contact's rank by its first row
    order[np.argsort(first, kind="stable")] = np.arange(contacts.size)
    c = np.full(data.height, -1, dtype=np.int64)
    c[at] = order[np.searchsorted(contacts, number[at])]
    keys = data.select(
        pl.concat_str([how.key, channel], separator="\x1f").alias(channel)
        for channel in how.channels
    )
    a, b = shared_value_edges(keys)
    label = components(contacts.size, c[a], c[b])  # the rank of the person's first contact
    by_rank = np.empty(contacts.size, dtype=np.int64)
    by_rank[order] = contacts
    return (
        pl.repeat(None, data.height, dtype=pl.String, eager=True)
        .scatter(at, id_text(by_rank[label[c[at]]], how.prefix))
        .alias("person_id")
    )
