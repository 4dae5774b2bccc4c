"""The linking engine as one call: block → compare → fit (or reuse) a model → score → cluster.

Generic: a rules file (``settings.Settings``) makes it run on any schema — the canonical
contact schema, or the FEBRL person records of the benchmarks.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from ..errors import InputError
from ..parallel import beside
from .blocking import ID, candidate_pairs
from .cluster import cluster, cluster_new
from .comparisons import FOLDED, gammas, prepared, view
from .model import Model, estimate_u, fit, refit_prior, score, term_frequencies
from .settings import STEWARD, Settings, parse_key

BANDS = ["match", "review", "non_match"]
BAND = pl.Enum(BANDS)


@dataclass
class LinkResult:
    pairs: (
        pl.DataFrame
    )  # id_l, id_r, g_*, rule, match_weight, match_probability, band (weighed() adds w_*)
    cluster_id: pl.Series  # per input row, in input order
    model: Model
    report: dict = field(default_factory=dict)
    tf: dict[str, np.ndarray] = field(default_factory=dict)  # term frequencies of the records
    review: pl.DataFrame = field(
        default_factory=pl.DataFrame
    )  # what a steward decides: review_pairs()
    view: dict[str, pl.Series] = field(
        default_factory=dict
    )  # what linking read of each record (comparisons.view)

    def weighed(self, pairs: pl.DataFrame) -> pl.DataFrame:
        """*pairs* (some of ``self.pairs``) with the evidence of each field, ``w_<field>``, and
        the prior's, ``w_prior``: they add up to the match weight. A pair a steward added
        without comparing it has none (and comes last)."""
        has = pl.col(f"g_{self.model.fields[0]}").is_not_null()
        compared = pairs.filter(has)
        weights = score(compared, self.model, self.tf).select(
            "w_prior", *(f"w_{f}" for f in self.model.fields)
        )
        return pl.concat([compared.hstack(weights), pairs.filter(~has)], how="diagonal_relaxed")


def link(
    frame: pl.DataFrame,
    settings: Settings,
    *,
    model: Model | None = None,
    decisions: pl.DataFrame | None = None,
    link_only_between: str | None = None,
    known: str | None = None,
    given: dict[str, pl.Series] | None = None,
) -> LinkResult:
    """Find the duplicates in *frame* (row i is record id i).

    *decisions*: steward decisions ``id_l, id_r, is_match``: they train the model and win
    over its score. *link_only_between*: a column (e.g. ``source_file``); pairs of records
    with the same value are not compared — link two files without re-deduplicating either.
    *known*: a column of existing cluster ids (a master's), null for new records: records
    with an id are not compared with each other, those sharing an id stay together, and two
    different ids are never merged — new records are linked to the master and among
    themselves, the master is not re-deduplicated. *given*: ``comparisons.view()`` columns of
    the first records (a master's, kept from its run: they are not folded again); the
    result's ``view`` has them for every record."""
    missing = [c for c in settings.columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"columns named in the rules are not in the data: {', '.join(missing)}",
            file=settings.source,
        )
    timings: dict[str, float] = {}
    t = time.perf_counter()
    frame = frame.with_row_index(ID)
    keyed = {parse_key(k)[1] for rule in settings.blocking for k in rule.keys}
    seen = view(frame, settings.comparisons, keyed, given)
    folded = {name.removeprefix(FOLDED): s for name, s in seen.items() if name.startswith(FOLDED)}
    values = prepared(seen, settings.comparisons)
    tf_fields = (
        model.tf_fields if model is not None else [c.field for c in settings.comparisons if c.tf]
    )

    def needs_no_pair() -> tuple[dict[str, np.ndarray], float]:
        return term_frequencies(values, tf_fields), comparable_pairs(
            frame, settings.cannot_link, known
        )

    # what needs no pair is computed beside the pairs: blocking and comparing leave a core idle
    with beside(needs_no_pair) as aside:
        pairs, block_report = _candidates(frame, settings, known, folded, link_only_between)
        timings["block"] = time.perf_counter() - t
        t = time.perf_counter()
        g = gammas(values, pairs, settings.comparisons)
        timings["compare"] = time.perf_counter() - t
        t = time.perf_counter()
        model = _trained(model, g, pairs, values, settings, decisions)
        tf, comparable = aside.result()
    model = dataclasses.replace(model, lam=model.prior * pairs.height / max(comparable, 1.0))
    timings["train"] = time.perf_counter() - t
    t = time.perf_counter()
    scored = _scored(g.with_columns(pairs["rule"]), model, tf, settings, decisions)
    timings["score"] = time.perf_counter() - t
    t = time.perf_counter()
    ids, cluster_report = _clustered(frame, scored, settings, decisions, known)
    timings["cluster"] = time.perf_counter() - t
    bounds = Bounds(
        frame.select(settings.cannot_link) if settings.cannot_link else None,
        settings.max_cluster_size,
        _apart(decisions) or [],
    )
    review = review_pairs(scored, ids, bounds)
    report = {
        "records": frame.height,
        "blocking": block_report,
        **_scoring_report(scored, review, settings, model, comparable, bounds.not_offered),
        "clusters": cluster_report,
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }
    return LinkResult(scored, ids, model, report, tf, review, seen)


def _candidates(
    frame: pl.DataFrame,
    settings: Settings,
    known: str | None,
    folded: dict[str, pl.Series],
    link_only_between: str | None,
) -> tuple[pl.DataFrame, dict]:
    """The candidate pairs the blocking rules find (with a master: those holding a new
    record; *link_only_between*: those across its values) and the blocking report."""
    new = frame[known].is_null() if known else None
    pairs, block_report = candidate_pairs(
        frame, settings.blocking, settings.max_block_size, only_with=new, folded=folded
    )
    if link_only_between:
        side = frame[link_only_between]
        pairs = pairs.filter(
            side.gather(pairs["id_l"]).to_numpy() != side.gather(pairs["id_r"]).to_numpy()
        )
        block_report["pairs_between_sides"] = pairs.height
    return pairs, block_report


def _trained(
    model: Model | None,
    g: pl.DataFrame,
    pairs: pl.DataFrame,
    values: pl.DataFrame,
    settings: Settings,
    decisions: pl.DataFrame | None,
) -> Model:
    """A model fitted on the compared pairs *g*, or *model* with its prior fitted again."""
    keyed = {rule.name: _key_fields(rule, settings) for rule in settings.blocking}
    g = g.with_columns(pairs["rules"])
    if model is not None:
        return refit_prior(model, g, decisions, settings.em_max_iterations, keyed)
    u = estimate_u(values, settings.comparisons, settings.u_sample_pairs, settings.seed)
    blocked = {rule.name: _blocked_fields(rule, settings) for rule in settings.blocking}
    return fit(
        g,
        settings.comparisons,
        u,
        settings.em_max_iterations,
        decisions,
        blocked,
        set(settings.cannot_link),
        keyed,
    )


def _blocked_fields(rule, settings: Settings) -> set[str] | None:
    """The compared fields a blocking rule's pairs cannot teach (``_key_fields``). None: a
    rule that does not train."""
    return _key_fields(rule, settings) if rule.train else None


def _key_fields(rule, settings: Settings) -> set[str]:
    """The compared fields a blocking rule's pairs agree on by construction: its keys' fields
    and every field made of the same cleaned columns (pairs found by the sound of the first
    name agree on the first name; pairs of one postcode on the home)."""
    keys = {parse_key(k)[1] for k in rule.keys}
    made = frozenset().union(*(settings.made_of(k) for k in keys))
    return keys | {c.field for c in settings.comparisons if settings.made_of(c.field) & made}


def _scored(
    g: pl.DataFrame,
    model: Model,
    tf: dict[str, np.ndarray],
    settings: Settings,
    decisions: pl.DataFrame | None,
) -> pl.DataFrame:
    """The compared pairs with their match probability and band; a steward's decision wins."""
    scored = score(g, model, tf, weights=False)  # LinkResult.weighed adds them
    p = scored["match_probability"].to_numpy()
    band = np.where(
        p >= settings.match_threshold, 0, np.where(p >= settings.review_threshold, 1, 2)
    ).astype(np.uint8)
    scored = scored.with_columns(pl.Series(BANDS, dtype=BAND).gather(band).alias("band"))
    if decisions is not None and decisions.height:
        scored = _apply_decisions(scored, decisions)
    return scored


def _clustered(
    frame: pl.DataFrame,
    scored: pl.DataFrame,
    settings: Settings,
    decisions: pl.DataFrame | None,
    known: str | None,
) -> tuple[pl.Series, dict]:
    """The cluster of each record and the clustering report. With *known* ids (a master's),
    only the clusters a new record can change."""
    cannot = [*settings.cannot_link, *([known] if known else [])]
    must = [*settings.must_link, *([known] if known else [])]
    keys = frame.select(cannot) if cannot else None
    apart = _apart(decisions)
    if known:
        return cluster_new(
            frame.height,
            scored,
            settings.match_threshold,
            keys,
            settings.max_cluster_size,
            apart,
            frame.select(must),
            frame[known],
        )
    return cluster(
        frame.height,
        scored,
        settings.match_threshold,
        keys,
        settings.max_cluster_size,
        apart,
        frame.select(must) if must else None,
    )


def _apart(decisions: pl.DataFrame | None) -> list[tuple[int, int]] | None:
    """The record pairs a steward kept apart (no_match)."""
    if decisions is None:
        return None
    return decisions.filter(~pl.col("is_match")).select("id_l", "id_r").rows()


def _scoring_report(
    scored: pl.DataFrame,
    review: pl.DataFrame,
    settings: Settings,
    model: Model,
    comparable: float,
    not_offered: dict[str, int],
) -> dict:
    """What run.json says of the scored pairs and the model of one link. *not_offered*: the
    cluster pairs left out of the review because a match could not join them, by why."""
    bands = dict(scored["band"].value_counts().sort("band").iter_rows())
    return {
        "bands": bands,
        "thresholds": {"match": settings.match_threshold, "review": settings.review_threshold},
        "review": {
            "pairs_in_band": int(bands.get("review", 0)),
            "cluster_pairs_to_review": review.height,
            "record_pairs_between_them": int(review["pairs_between"].sum() or 0),
            "not_offered": not_offered,  # cannot_link, cluster_size, kept_apart
        },
        "model": {
            "prior_among_candidates": model.prior,
            "lambda": model.lam,
            "comparable_pairs": comparable,
            "iterations": model.iterations,
            "converged": model.converged,
        },
    }


def review_pairs(
    pairs: pl.DataFrame, cluster_id: pl.Series, bounds: Bounds | None = None
) -> pl.DataFrame:
    """What a steward has to decide: the review-band pairs whose records ended in two
    different clusters, one per pair of clusters — the strongest (then the lowest ids) —
    with ``pairs_between``, how many review pairs join those two clusters. A review pair
    inside one cluster is already settled by stronger edges; one decision per pair of
    clusters settles them all (match joins the clusters, no_match keeps them apart).
    *bounds*: the two clusters a match could not join are left out (``Bounds.why_not``)
    and counted in ``bounds.not_offered``."""
    review = pairs.filter(pl.col("band") == "review")
    a = cluster_id.gather(review["id_l"].cast(pl.Int64))
    b = cluster_id.gather(review["id_r"].cast(pl.Int64))
    review = review.with_columns(
        pl.min_horizontal(a, b).alias("_ca"), pl.max_horizontal(a, b).alias("_cb")
    ).filter(pl.col("_ca") != pl.col("_cb"))
    review = (
        review.with_columns(pl.len().over("_ca", "_cb").cast(pl.Int64).alias("pairs_between"))
        .sort(["match_probability", "id_l", "id_r"], descending=[True, False, False])
        .unique(["_ca", "_cb"], keep="first", maintain_order=True)
        .sort("id_l", "id_r")
    )
    if bounds is not None:
        review = bounds.applicable(review, cluster_id)
    return review.drop("_ca", "_cb")


@dataclass
class Bounds:
    """What clustering refuses whatever the score — so a steward's ``match`` between two
    clusters could not take effect either: a cannot-link column whose values differ (two
    valid VAT numbers), a union beyond ``max_size``, a pair a steward kept apart."""

    keys: pl.DataFrame | None  # the cannot-link columns, a row per record
    max_size: int
    apart: list[tuple[int, int]] = field(default_factory=list)
    not_offered: dict[str, int] = field(default_factory=dict)

    def applicable(self, review: pl.DataFrame, cluster_id: pl.Series) -> pl.DataFrame:
        """The rows of *review* (with their clusters ``_ca`` < ``_cb``) a match could join."""
        clusters = pl.DataFrame({"_c": cluster_id})
        size = clusters.group_by("_c").agg(pl.len().alias("_n"))
        why = pl.when(pl.col("_na") + pl.col("_nb") > self.max_size).then(pl.lit("cluster_size"))
        review = review.join(size.rename({"_c": "_ca", "_n": "_na"}), on="_ca", how="left")
        review = review.join(size.rename({"_c": "_cb", "_n": "_nb"}), on="_cb", how="left")
        if self.keys is not None and self.keys.width:
            first = clusters.hstack(self.keys).group_by("_c").agg(pl.all().drop_nulls().first())
            cols = self.keys.columns
            for side in ("a", "b"):
                named = first.rename({"_c": f"_c{side}", **{c: f"{c}__{side}" for c in cols}})
                review = review.join(named, on=f"_c{side}", how="left")
            differ = pl.any_horizontal(pl.col(f"{c}__a") != pl.col(f"{c}__b") for c in cols)
            why = why.when(differ.fill_null(False)).then(pl.lit("cannot_link"))
        if self.apart:
            pa, pb = (pl.Series(x, dtype=pl.Int64) for x in zip(*self.apart))
            ends = pl.DataFrame({"a": cluster_id.gather(pa), "b": cluster_id.gather(pb)})
            kept = ends.select(
                pl.min_horizontal("a", "b").alias("_ca"), pl.max_horizontal("a", "b").alias("_cb")
            )
            kept = kept.unique().with_columns(pl.lit(True).alias("_apart"))
            review = review.join(kept, on=["_ca", "_cb"], how="left")
            why = why.when(pl.col("_apart").fill_null(False)).then(pl.lit("kept_apart"))
        review = review.with_columns(why.otherwise(None).alias("_why"))
        counts = review["_why"].drop_nulls().value_counts().iter_rows()
        self.not_offered = {k: int(n) for k, n in sorted(counts)}
        return review.filter(pl.col("_why").is_null()).select(
            pl.exclude("_na", "_nb", "_apart", "_why", "^.*__[ab]$")
        )


def comparable_pairs(
    frame: pl.DataFrame, cannot_link: list[str], known: str | None = None
) -> float:
    """How many record pairs may match at all: every pair, less those a cannot-link column
    rules out (both values present and different: the largest such count over the columns)
    and, linking to a master, the master's own pairs."""
    n = frame.height
    ruled_out = 0.0
    old = float(frame[known].is_not_null().sum()) if known else 0.0
    for c in cannot_link:
        present = float(frame[c].is_not_null().sum())
        if (
            present * (present - 1) / 2 <= old * (old - 1) / 2
        ):  # it cannot rule out more than the master's own pairs
            continue
        counts = frame[c].drop_nulls().value_counts()["count"].cast(pl.Float64)
        ruled_out = max(
            ruled_out, present * (present - 1) / 2 - float((counts * (counts - 1) / 2).sum())
        )
    ruled_out = max(ruled_out, old * (old - 1) / 2)
    return n * (n - 1) / 2 - ruled_out


def _apply_decisions(scored: pl.DataFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """A steward's decision wins: match → probability 1 (even if no rule compared the pair),
    no_match → 0."""
    d = decisions.select(
        pl.col("id_l").cast(scored.schema["id_l"]),
        pl.col("id_r").cast(scored.schema["id_r"]),
        pl.col("is_match").alias("_decided"),
    ).unique(["id_l", "id_r"], keep="last")
    scored = scored.join(d, on=["id_l", "id_r"], how="left", maintain_order="left")
    decided = pl.col("_decided").is_not_null()
    rule = scored.schema["rule"]
    scored = scored.with_columns(
        pl.when(decided)
        .then(pl.col("_decided").cast(pl.Float64))
        .otherwise(pl.col("match_probability"))
        .alias("match_probability"),
        pl.when(decided)
        .then(
            pl.when(pl.col("_decided"))
            .then(pl.lit("match", BAND))
            .otherwise(pl.lit("non_match", BAND))
        )
        .otherwise(pl.col("band"))
        .alias("band"),
        pl.when(decided).then(pl.lit(STEWARD, rule)).otherwise(pl.col("rule")).alias("rule"),
    ).drop("_decided")
    extra = (
        d.filter("_decided")
        .join(scored, on=["id_l", "id_r"], how="anti")
        .select(
            "id_l",
            "id_r",
            pl.lit(1.0).alias("match_probability"),
            pl.lit("match", BAND).alias("band"),
            pl.lit(STEWARD, rule).alias("rule"),
        )
    )
    return pl.concat([scored, extra], how="diagonal_relaxed")


def explain(result: LinkResult, id_l: int, id_r: int) -> dict:
    """The per-field match weights that add up to a pair's score."""
    a, b = sorted((id_l, id_r))
    row = result.pairs.filter((pl.col("id_l") == a) & (pl.col("id_r") == b))
    if row.height == 0:
        raise InputError(
            f"records {a} and {b} were not compared (no blocking rule puts them together)"
        )
    row = result.weighed(row)
    r = row.row(0, named=True)
    fields = {
        f: {
            "level": result.model.levels[f][r[f"g_{f}"]]
            if r[f"g_{f}"] is not None and r[f"g_{f}"] >= 0
            else "missing",
            "weight": r[f"w_{f}"] or 0.0,  # a pair a steward added has no comparison levels
        }
        for f in result.model.fields
    }
    return {
        "prior_weight": r["w_prior"],
        "fields": fields,
        "match_weight": r["match_weight"],
        "match_probability": r["match_probability"],
    }
