"""A Fellegi–Sunter model: m and u probabilities per comparison level, a prior, match weights.

* u (how often a level happens between two random, almost surely different, records) is
  estimated from a seeded random sample of record pairs, not only blocked ones;
* m (how often it happens between two records of the same entity) and the prior share of
  matches among the candidate pairs by expectation–maximisation on the candidate pairs,
  unsupervised (run over the distinct level patterns with their counts, so it is fast);
* labelled pairs (steward decisions) can refine m;
* term-frequency adjustment: an exact match on a rare value ("Vandenbempt") counts more than
  on a frequent one ("Dupont", "Janssens").

Match weight of a pair = log2(λ / (1 - λ)) + Σ log2(m/u) over its fields (+ TF adjustments);
match probability = 2^w / (1 + 2^w). λ, the probability that two records that may match do,
is estimated on each run (expected matches among its candidate pairs / pairs that may
match): it falls as files grow, so a threshold means the same on 10k rows as on 1M.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from ..errors import InputError
from .comparisons import level_matrix
from .settings import Comparison

_EPS = 1e-6
_U_BLOCK = 256  # rows of the value matrix scored at a time when estimating u
PRIOR_PAIRS = 20.0  # weight of the default m (in pairs) against the data, see fit()
U_PRIOR_PAIRS = 10.0  # weight of the default u (in pairs) against the sample, see estimate_u()
# weight of the random pairs' u (in pairs) against the non-matches at one home, see
# _u_at_one_home: a file whose people live alone has a handful there (in FEBRL4, 6.6 pairs'
# worth among 1444, mostly duplicates with both first name and birth date typed wrong), too
# few to say a surname tells little at one home; a file of families has thousands
HOME_PRIOR_PAIRS = 100.0


@dataclass
class Model:
    fields: list[str]
    levels: dict[str, list[str]]  # field → level names (last is "else")
    m: dict[str, list[float]]
    u: dict[str, list[float]]
    prior: float  # share of matches among the candidate pairs (what EM estimates)
    tf_fields: list[str] = field(default_factory=list)
    iterations: int = 0
    converged: bool = False
    lam: float | None = None  # λ: probability that two comparable records match (per run)

    def weights(self) -> dict[str, list[float]]:
        """log2(m/u) per field and level: the evidence each level adds."""
        return {
            f: [math.log2(max(m, _EPS) / max(u, _EPS)) for m, u in zip(self.m[f], self.u[f])]
            for f in self.fields
        }

    @property
    def prior_weight(self) -> float:
        """log2 of the prior odds a pair starts from: λ, the probability that two records
        that may match (no cannot-link between them) do — not the share of matches among
        candidate pairs, which would count the blocked fields' agreement twice."""
        return _logit2(self.lam if self.lam is not None else self.prior)

    def to_json(self) -> dict:
        return {
            "kind": "enrich.fellegi_sunter",
            "version": 1,
            "prior": self.prior,
            "lambda": self.lam,
            "prior_weight": self.prior_weight,
            "iterations": self.iterations,
            "converged": self.converged,
            "tf_fields": self.tf_fields,
            "fields": {
                f: {
                    "levels": self.levels[f],
                    "m": self.m[f],
                    "u": self.u[f],
                    "match_weight": self.weights()[f],
                }
                for f in self.fields
            },
        }

    def save(self, path: str | Path) -> None:
        from ..io.write import write_json

        write_json(self.to_json(), path)

    @classmethod
    def load(cls, path: str | Path, comparisons: list[Comparison]) -> Model:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(
                f"not an enrich model file ({type(exc).__name__})", file=str(path)
            ) from None
        return cls.from_json(data, comparisons, str(path))

    @staticmethod
    def fits(data: object, comparisons: list[Comparison]) -> bool:
        """Whether a model written by ``to_json`` compares what *comparisons* compare, level
        for level (rules changed since it was fitted: it does not)."""
        try:
            fields = data["fields"]  # type: ignore[index]
            return all(
                fields.get(c.field) is not None and fields[c.field]["levels"] == c.level_names()
                for c in comparisons
            )
        except (KeyError, TypeError, AttributeError):
            return False

    @classmethod
    def from_json(cls, data: dict, comparisons: list[Comparison], source: str = "model") -> Model:
        """A model written by ``to_json``, checked against the rules it must score with."""
        try:
            fields = data["fields"]
            for c in comparisons:
                if not cls.fits({"fields": {c.field: fields.get(c.field)}}, [c]):
                    raise InputError(
                        f"model does not fit the rules: field {c.field!r} differs", file=source
                    )
            names = [c.field for c in comparisons]
            return cls(
                names,
                {f: fields[f]["levels"] for f in names},
                {f: fields[f]["m"] for f in names},
                {f: fields[f]["u"] for f in names},
                data["prior"],
                data.get("tf_fields", []),
                data.get("iterations", 0),
                data.get("converged", False),
                data.get("lambda"),
            )
        except (KeyError, TypeError) as exc:
            raise InputError(
                f"not an enrich model ({type(exc).__name__}: {exc})", file=source
            ) from None


def _logit2(p: float) -> float:
    p = min(max(p, _EPS), 1 - _EPS)
    return math.log2(p / (1 - p))


def estimate_u(
    values: pl.DataFrame, comparisons: list[Comparison], n_pairs: int, seed: int
) -> dict[str, list[float]]:
    """u per level from every pair among a seeded random sample of records (as Splink does):
    a sample of s records gives s(s-1)/2 pairs, s chosen so that they are about *n_pairs*.
    Each field is scored once per pair of the sample's distinct values (one ``cdist``
    matrix), weighted by how many sampled records carry each value. Smoothed towards a
    default (``_start_u``, worth ``U_PRIOR_PAIRS`` pairs) so no level has u = 0 and a tiny
    file, whose few pairs are mostly its duplicates, does not learn that agreeing is common."""
    n = values.height
    size = min(n, int(math.ceil((1 + math.sqrt(1 + 8 * n_pairs)) / 2)))
    sample = (
        values[np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))]
        if n
        else values
    )
    u = {}
    for c in comparisons:
        counted = (
            sample[c.field].drop_nulls().value_counts(name="n").sort(c.field)
        )  # sorted: deterministic
        distinct, weight = counted[c.field].to_numpy(), counted["n"].to_numpy().astype(float)
        counts = np.zeros(len(c.levels) + 1)
        for start in range(0, len(distinct), _U_BLOCK):  # the upper triangle, by row blocks
            stop = min(start + _U_BLOCK, len(distinct))
            levels = level_matrix(c, distinct, start, stop)
            # unordered pairs of sampled records: value i with value j > i, and within a value
            pair_weight = np.triu(np.outer(weight[start:stop], weight[start:]))
            inner = np.arange(stop - start)
            pair_weight[inner, inner] = weight[start:stop] * (weight[start:stop] - 1) / 2
            counts += np.bincount(
                levels.ravel(), weights=pair_weight.ravel(), minlength=len(counts)
            )
        u[c.field] = (
            (counts + U_PRIOR_PAIRS * np.array(_start_u(len(counts))))
            / (counts.sum() + U_PRIOR_PAIRS)
        ).tolist()
        if c.split:  # at one home: learnt by fit() from the pairs there, from this start
            u[c.field] = u[c.field] * 2
    return u


def _labelled(
    g: pl.DataFrame, cols: list[str], labels: pl.DataFrame | None, by: list[str] = ()
) -> pl.DataFrame:
    """The distinct level patterns of *g* (with the *by* columns) and their pair count
    ``len``, with ``_label``: the steward label of a labelled pair, else null."""
    if labels is not None and labels.height:
        g = g.join(
            labels.select("id_l", "id_r", pl.col("is_match").cast(pl.Float64).alias("_label")),
            on=["id_l", "id_r"],
            how="left",
        )
    else:
        g = g.with_columns(pl.lit(None, dtype=pl.Float64).alias("_label"))
    return g.group_by([*cols, *by, "_label"]).len()


def _patterns(counted: pl.DataFrame, cols: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct level patterns over *cols*, their counts, their steward label or NaN), from
    ``_labelled`` patterns."""
    patterns = (
        counted.group_by([*cols, "_label"])
        .agg(pl.col("len").sum())
        .sort([*cols, "_label"], nulls_last=True)
    )
    label = patterns["_label"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    return (
        patterns.select(cols).to_numpy().astype(np.int64),
        patterns["len"].to_numpy().astype(float),
        label,
    )


def _posterior(G, label, names, u, m, prior) -> np.ndarray:
    """The match probability of each level pattern (a steward's label wins)."""
    w = np.full(len(G), math.log2(prior / (1 - prior)))
    for j, f in enumerate(names):
        lv = G[:, j]
        present = lv >= 0
        mw = np.log2(np.maximum(np.array(m[f]), _EPS) / np.maximum(np.array(u[f]), _EPS))
        w[present] += mw[lv[present]]
    p = 1.0 / (1.0 + np.power(2.0, -np.clip(w, -60, 60)))
    labelled = ~np.isnan(label)
    p[labelled] = label[labelled]
    return p


def _smoothed(sums: np.ndarray, start: np.ndarray, pairs: float, split: int | None) -> list:
    """(sums + pairs · start) / (total + pairs): a MAP estimate worth *pairs* pairs of
    *start* — within each group of levels of a field ``shared_by`` another (*split*: where its
    levels at one home begin; each group is a distribution of its own)."""
    out = np.empty(len(sums))
    for part in (slice(0, split), slice(split, None)) if split else (slice(None),):
        out[part] = (sums[part] + pairs * start[part]) / (sums[part].sum() + pairs)
    return out.tolist()


def _em(G, counts, label, names, nlev, u, m, prior, estimate: set[str], max_iter: int, splits=None):
    """EM over level patterns: re-estimates the prior and m of the fields in *estimate*.
    *splits*: field → where its levels at one home begin (``Comparison.split``)."""
    splits = splits or {}
    m0 = {f: _start_m(k, splits.get(f)) for f, k in zip(names, nlev)}
    converged, it = False, 0
    for it in range(1, max_iter + 1):  # noqa: B007 (it is the iteration count after the loop)
        p = _posterior(G, label, names, u, m, prior)
        weighted = p * counts
        # with a uniform Beta(1, 1) prior: a handful of pairs never makes the prior 0 or 1
        new_prior = float((weighted.sum() + 1.0) / (counts.sum() + 2.0))
        new_m = dict(m)
        for j, f in enumerate(names):
            if f not in estimate:
                continue
            lv = G[:, j]
            present = lv >= 0
            sums = np.bincount(lv[present], weights=weighted[present], minlength=nlev[j])
            # MAP estimate with a Dirichlet prior worth PRIOR_PAIRS pairs: on a small file
            # (a few dozen candidate pairs) m stays close to what matching records usually
            # look like — a different first name is rare between true matches — instead of
            # following whatever the few pairs show; on large files the data dominate.
            new_m[f] = _smoothed(sums, np.array(m0[f]), PRIOR_PAIRS, splits.get(f))
        delta = max(
            abs(new_prior - prior),
            *(max(abs(a - b) for a, b in zip(new_m[f], m[f])) for f in names),
        )
        m, prior = new_m, new_prior
        if delta < 1e-5:
            converged = True
            break
    return m, prior, it, converged


def fit(
    g: pl.DataFrame,
    comparisons: list[Comparison],
    u: dict[str, list[float]],
    max_iter: int = 30,
    labels: pl.DataFrame | None = None,
    blocked: dict[str, set[str]] | None = None,
    distinct: set[str] | frozenset[str] = frozenset(),
    keyed: dict[str, set[str]] | None = None,
) -> Model:
    """m and the prior by EM over the candidate pairs' level patterns (u held fixed).

    Pairs found by a blocking rule agree on that rule's fields by construction, so their m
    cannot be learnt from those pairs: with *blocked* (rule name → fields of its keys, in
    blocking order) and a ``rules`` mask column in *g* (see blocking.py), m is learnt in one EM
    session per rule, on all the pairs that rule finds — not only those no earlier rule found,
    which would be a biased sample (same e-mail but a different name) — for the fields the
    rule does not block on, and averaged over sessions (as Splink does);
    the prior is then fitted on all pairs with m fixed. A rule mapped to ``None`` teaches
    nothing: a household key (one address) finds mostly relatives, whom EM would take for
    the typical match (same surname and home, another first name and birth date). *labels* (``id_l, id_r, is_match``)
    from steward decisions pin those pairs' match probability to 0 or 1.

    *distinct*: cannot-link fields — two different values are never one entity, so their m
    is not learnt but fixed (all but a trace on the exact level). Learning it would let
    look-alikes teach the model that matches often differ there: franchisees with the same
    name and e-mail domain but two valid VAT numbers would become the "typical" match.

    *keyed* (every rule's key fields, training or not, in blocking order): the prior is then
    fitted with each pair weighed without its first rule's key fields (``_keyed_patterns``)."""
    names = [c.field for c in comparisons]
    cols = [f"g_{f}" for f in names]
    nlev = [len(c.level_names()) for c in comparisons]
    splits = {c.field: c.split for c in comparisons if c.split}
    m = {
        f: _fixed_m(k) if f in distinct else _start_m(k, splits.get(f)) for f, k in zip(names, nlev)
    }
    by_rules = ["rules"] if blocked and "rules" in g.columns else []
    counted = _labelled(
        g, cols, labels, by_rules
    )  # tens of millions of pairs, a few thousand patterns
    estimates: dict[str, list[list[float]]] = {f: [] for f in names}
    if by_rules:
        for bit, fields in enumerate(blocked.values()):
            if fields is None:  # a rule that does not train (its pairs are still scored)
                continue
            part = counted.filter((pl.col("rules") & (1 << bit)) != 0)  # every pair this rule finds
            learnt = _session(part, cols, nlev, u, m, fields, distinct, max_iter, splits)
            for f, estimate in learnt.items():
                estimates[f].append(estimate)
    if any(estimates.values()):
        m = {f: (np.mean(estimates[f], axis=0).tolist() if estimates[f] else m[f]) for f in names}
        learn = {f for f in names if not estimates[f]} - distinct  # fields every rule blocks on
    else:
        learn = set(names) - distinct
    G, counts, label = _patterns(counted, cols)
    m, prior, it, converged = _em(G, counts, label, names, nlev, u, m, 0.1, learn, max_iter, splits)
    u = dict(u)
    for c in comparisons:
        if c.split:
            home = [x.field for x in comparisons if x.shared_by == c.shared_by]
            at_home = _u_at_one_home(c, home, counted, cols, u, m, max_iter)
            u[c.field] = u[c.field][: c.split] + at_home
    if by_rules and keyed:
        G, counts, label = _keyed_patterns(counted, cols, keyed)
        _, prior, _, _ = _em(G, counts, label, names, nlev, u, m, prior, set(), max_iter)
    return Model(
        names,
        {c.field: c.level_names() for c in comparisons},
        m,
        u,
        prior,
        [c.field for c in comparisons if c.tf],
        it,
        converged,
    )


def _session(part, cols, nlev, u, m, blocked, distinct, max_iter, splits) -> dict:
    """m learnt by EM on one blocking rule's pairs *part*, for the fields it does not block
    on (none when the pairs are too few)."""
    names = [c.removeprefix("g_") for c in cols]
    session = [f for f in names if f not in blocked]
    if not session or part["len"].sum() < 2 * PRIOR_PAIRS:
        return {}
    idx = [names.index(f) for f in session]
    G, counts, label = _patterns(part, [cols[i] for i in idx])
    learn = set(session) - distinct
    learnt, _, _, _ = _em(
        G,
        counts,
        label,
        session,
        [nlev[i] for i in idx],
        u,
        {f: m[f] for f in session},
        0.1,
        learn,
        max_iter,
        splits,
    )
    return {f: learnt[f] for f in learn}


def _u_at_one_home(
    c: Comparison, home: list[str], counted: pl.DataFrame, cols, u, m, max_iter
) -> list:
    """u of *c*'s levels between two rows of one home (``shared_by``), learnt from the
    candidate pairs there: each pair is weighed on the fields that are not the home's
    (*home*: every field shared by it — first name, birth date …), and the non-matches'
    levels of *c* make its u.

    Two rows of one home agreeing on the surname are a spouse as often as a duplicate in a
    consumer file (the surname tells little there: u is high), and almost never in a file
    of single people like FEBRL's (u stays near the random pairs', the surname still
    counts): the data say which, not a rule."""
    names = [col.removeprefix("g_") for col in cols]
    j = names.index(c.field)
    start = np.array(u[c.field][c.split :])
    part = counted.filter(pl.col(cols[j]) >= c.split)
    if part.height == 0:
        return start.tolist()
    G, counts, label = _patterns(part, cols)
    level = G[:, j] - c.split
    # what is learnt, and what these pairs share by being of one home
    G[:, [names.index(f) for f in (c.shared_by, *home)]] = -1
    nlev = [len(m[f]) for f in names]
    _, prior, _, _ = _em(G, counts, label, names, nlev, u, m, 0.1, set(), max_iter)
    apart = (1.0 - _posterior(G, label, names, u, m, prior)) * counts
    sums = np.bincount(level, weights=apart, minlength=len(start))
    return _smoothed(sums, start, HOME_PRIOR_PAIRS, None)


def _keyed_patterns(
    counted: pl.DataFrame, cols: list[str], keyed: dict[str, set[str]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_patterns`` of *counted* (with its ``rules`` mask), each pattern without the levels
    of the fields its first rule keys on (-1: no evidence), for the prior alone.

    A candidate pair agrees on its blocking key by construction: a pair of two Jan Peeters
    found by first name + postcode agrees on the first name and the home whether or not it is
    one person, and counting those agreements makes most candidates look like matches (the
    prior among a million people's candidates came out 0.6, the truth 0.016: a λ 37 times too
    high, so namesakes and relatives were merged). Weighed on what its key did not choose —
    the surname, the birth date —, a pair is a match as often as it really is."""
    counted = counted.sort([*cols, "rules", "_label"], nulls_last=True)  # sums in one order
    rules = counted["rules"].cast(pl.UInt64).to_numpy()  # 64 rules: the top bit is used too
    G = counted.select(cols).to_numpy().astype(np.int64)
    names = [c.removeprefix("g_") for c in cols]
    for bit, fields in enumerate(keyed.values()):
        below = np.uint64((1 << (bit + 1)) - 1)  # this rule's bit and the earlier rules'
        first = (rules & below) == np.uint64(1 << bit)  # the lowest rule bit is this one
        for j, f in enumerate(names):
            if f in fields:
                G[first, j] = -1
    label = counted["_label"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    return G, counted["len"].to_numpy().astype(float), label


def refit_prior(
    model: Model,
    g: pl.DataFrame,
    labels: pl.DataFrame | None = None,
    max_iter: int = 30,
    keyed: dict[str, set[str]] | None = None,
) -> Model:
    """*model* with its share of matches among candidate pairs re-estimated on *g* (m and u
    held): a reused model meets a file of another size, with another share of matches. With
    *keyed* and a ``rules`` column in *g*: as ``fit`` does, without each pair's key fields."""
    names = model.fields
    cols = [f"g_{f}" for f in names]
    if keyed and "rules" in g.columns:
        G, counts, label = _keyed_patterns(_labelled(g, cols, labels, ["rules"]), cols, keyed)
    else:
        G, counts, label = _patterns(_labelled(g, cols, labels), cols)
    _, prior, _, _ = _em(
        G,
        counts,
        label,
        names,
        [len(model.m[f]) for f in names],
        model.u,
        model.m,
        model.prior,
        set(),
        max_iter,
    )
    return dataclasses.replace(model, prior=prior)


def _fixed_m(k: int) -> list[float]:
    """m of a cannot-link field: matches agree on it (a trace of mass elsewhere keeps the
    weights finite)."""
    return [1.0 - 1e-4 * (k - 1)] + [1e-4] * (k - 1)


def _start_u(k: int) -> list[float]:
    """Chance agreement before any data: 0.1 % exact, then 0.4 %, 1.6 % … per looser level."""
    raw = [0.001 * 4**i for i in range(k - 1)]
    return [*raw, 1.0 - sum(raw)]


def _start_m(k: int, split: int | None = None) -> list[float]:
    if split:  # two distributions: the levels apart, the levels at one home
        return _start_m(split) + _start_m(k - split)
    raw = [0.9 * (0.5**i) for i in range(k - 1)] + [0.02]
    total = sum(raw)
    return [r / total for r in raw]


def term_frequencies(values: pl.DataFrame, fields: list[str]) -> dict[str, np.ndarray]:
    """Per TF field: per record, the share of records with its value (NaN where missing)."""
    out = {}
    for f in fields:
        col = values[f]
        share = pl.len().over(f) / max(col.drop_nulls().len(), 1)
        out[f] = (
            values.select(pl.when(pl.col(f).is_not_null()).then(share))
            .to_series()
            .cast(pl.Float64)
            .fill_null(np.nan)
            .to_numpy()
        )
    return out


def score(
    g: pl.DataFrame, model: Model, tf: dict[str, np.ndarray] | None = None, weights: bool = True
) -> pl.DataFrame:
    """*g* with ``match_weight`` and ``match_probability`` and, with *weights*, the evidence
    of each field ``w_<field>`` and the prior's ``w_prior``, which add up to the match weight.
    Without: the per-field weights are not kept (tens of millions of pairs: a GB and more);
    ``score`` them again for the pairs that are shown."""
    table = model.weights()
    tf = tf or {}
    left = g["id_l"].cast(pl.Int64).to_numpy() if tf else None
    total = np.full(g.height, model.prior_weight)
    columns = []
    buffer = (
        None if weights else np.empty(g.height)
    )  # one buffer for all fields: no fresh memory per field
    for f in model.fields:
        level = g[f"g_{f}"].to_numpy()
        # level -1 (missing) wraps round to the appended 0
        w = np.take(
            np.append(np.array(table[f], dtype=np.float64), 0.0), level, mode="wrap", out=buffer
        )
        if f in tf:
            # an exact match on a value shared by a share tf of records: log2(u_exact / tf)
            # replaces the average log2(m/u): rare values weigh more, frequent ones less
            # (computed once per record, then gathered for the pairs)
            u_exact = max(model.u[f][0], _EPS)
            adjust = np.nan_to_num(np.log2(u_exact / np.clip(tf[f], _EPS, None)), nan=0.0)
            exact = np.flatnonzero(level == 0)
            w[exact] += adjust[left[exact]]
        total += w
        if weights:
            columns.append(pl.Series(f"w_{f}", w))
    probability = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))
    if weights:
        columns.append(pl.lit(model.prior_weight).alias("w_prior"))
    return g.with_columns(
        *columns, pl.Series("match_weight", total), pl.Series("match_probability", probability)
    )
