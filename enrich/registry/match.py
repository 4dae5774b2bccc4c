"""Finding a company that has no valid identifier by its name, place and street.

Every registry name (legal, abbreviation, commercial, shop sign, a sole trader's own name)
is indexed at every place of its company — its seat and its establishments — with the
blocks that find it (``words.block_keys``): each token of the name (the first letters of
a significant word) at the place's postcode and in its town, and the place's address. A
row's blocks are the same of its name and place, so a typo'd or missing postcode (the
town), a postcode of the town other than the registry's (a Belgian sub-municipality), or a
name typed past recognition (the address) still find the company: one streaming pass over
names.parquet keeps the names sharing a block with a row. A row's blocks are taken rarest
first, up to rules/registry.toml [name_match] ``max_candidates`` names.

Each candidate is scored with the linking engine's comparisons (``link.comparisons``): its
name against the row's (legal form and noise words left out, words sorted), its postcode,
street and house number; with its legal form (the same, of one family — SARL/EURL, BV/BVBA
— or another: "SARL" and "SAS" twins are told apart), its country, and — against the row's
other candidates only — whether it is ceased or its establishment closed. Each level
weighs a log2 likelihood ratio of the rules. A row's companies share the probability in
proportion to 2^weight, with "none of them" weighing 2^``none``: the best is attached when
its probability is at least ``attach``; else, from ``review``, the row and its candidates
go to the review list (a close call between two, or one not sure enough); else no match.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ..errors import InputError
from ..link.comparisons import gammas
from ..link.settings import LEVEL_KINDS, Comparison, Level
from ..normalise.companies import clean as clean_companies
from ..normalise.companies import name_keys
from ..ruleset import Rules, rules_or_default
from . import SOURCES
from .folder import COMPANIES, META, NAMES, TOWNS
from .words import address, block_keys, city_key, compared, probe, street_words, tokens

REVIEW_COLUMNS = [
    "company_name",
    "postcode",
    "city",
    "country",
    "registry_id",
    "registry_name",
    "registry_matched_name",
    "registry_postcode",
    "score",
]  # after the row's ids
DECIDED = {
    "_row": pl.UInt32,
    "_name_country": pl.String,
    "_name_id": pl.String,
    "_score": pl.Float64,
    "_ambiguous": pl.Boolean,
}
PLACE = ["postcode", "city_key", "city_key_nl", "street_fr", "street_nl", "house_number"]
TEXT = ("name", "street", "street_nl", "house_number", "postcode")  # by the linking engine


def by_name(
    frame: pl.DataFrame, path: Path, *, rules: Rules | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """For rows without a valid identifier (``_registry_id`` null) but with a company name
    and a postcode or a town: per row ``_row``, the country and id of its best registry
    company, the match probability ``_score`` and ``_ambiguous`` (not attached: see the
    review list) — and the review list: the close calls' candidates."""
    rules = rules_or_default(rules)
    rule = rules.get("registry")["name_match"]
    ids = [c for c in ("company_id", "source_file", "source_row") if c in frame.columns]
    nothing = (
        pl.DataFrame(schema=DECIDED),
        pl.DataFrame(schema={c: pl.String for c in [*ids, *REVIEW_COLUMNS]}),
    )
    if "company_name" not in frame.columns or not (path / NAMES).is_file():
        return nothing
    rows = _rows(frame, rules)
    if rows.height:
        _check_keys(path)
    size = rule["batch_rows"]  # each batch one pass over the index: memory stays bounded
    done = [_decide(rows.slice(i, size), path, rules) for i in range(0, rows.height, size)]
    done = [d for d in done if d is not None]
    if not done:
        return nothing
    decided = pl.concat([d for d, _ in done])
    return decided, _review(frame, ids, pl.concat([r for _, r in done]))


def _decide(
    rows: pl.DataFrame, path: Path, rules: Rules
) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """For a batch of rows: the best company of each row that has one worth a look, and
    the ranked candidates of the rows to review (None: no candidate at all)."""
    rule = rules.get("registry")["name_match"]
    keys = _keys(rows, _towns(rows, path), rules)
    pairs, found = _candidates(path, keys, rule)
    if pairs.height == 0:
        return None
    cands = _with_forms(found, path, rules)
    ranked = _ranked(_scored(rows, cands, pairs, rules), cands, rule)
    decided = ranked.filter((pl.col("_rank") == 0) & (pl.col("_score") >= rule["review"])).select(
        "_row",
        pl.col("country").alias("_name_country"),
        pl.col("registry_id").alias("_name_id"),
        "_score",
        (pl.col("_score") < rule["attach"]).alias("_ambiguous"),
    )
    review = ranked.join(decided.filter("_ambiguous"), on="_row", how="semi")
    return decided, review.filter(pl.col("_rank") < rule["review_list"])


def _check_keys(path: Path) -> None:
    """An index whose names were keyed otherwise (another version) cannot be searched."""
    meta = json.loads((path / META).read_text(encoding="utf-8"))
    if meta.get("name_keys") != probe():
        raise InputError(
            "the index's names were keyed by another version: rebuild it with `enrich registry build`",
            file=str(path),
        )


def _rows(frame: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """The rows to find by name (no registry id, a name, no country or one a source covers),
    with what they are compared on."""

    def col(name: str) -> pl.Expr:
        return pl.col(name) if name in frame.columns else pl.lit(None, pl.String)

    covered = [source.COUNTRY for source in SOURCES]  # a Dutch company is in no index
    rows = frame.with_row_index("_row").filter(
        pl.col("_registry_id").is_null()
        & pl.col("company_name").is_not_null()
        & (col("country").is_null() | col("country").is_in(covered))
    )
    street = street_words(col("street"), rules=rules).list.join(" ").replace("", None)
    key = rows["company_name_norm"] if "company_name_norm" in rows.columns else None
    if key is None:
        key = name_keys(rows["company_name"], rules)
    return rows.select(
        "_row",
        col("country").alias("country"),
        col("postcode").cast(pl.String).str.replace_all(r"\s", "").alias("postcode"),
        city_key(col("city")).alias("city_key"),
        tokens(pl.col("company_name"), rules=rules).alias("tokens"),
        compared(pl.lit(key), rules=rules).alias("name"),
        col("legal_form").alias("legal_form"),
        street.alias("street"),
        street.alias("street_nl"),
        col("house_number").cast(pl.String).str.extract(r"^\s*(\d+)").alias("house_number"),
    )


def _towns(rows: pl.DataFrame, path: Path) -> pl.DataFrame:
    """Each row's towns (``_row``, ``town``): the town it gives when the registry knows it,
    else the towns of its postcode (towns.parquet: "9000" is Gent, where 9030 is too)."""
    typed = rows.select("_row", "postcode", pl.col("city_key").alias("town"))
    if not (path / TOWNS).is_file():
        return typed.drop("postcode").drop_nulls()
    towns = pl.read_parquet(path / TOWNS, columns=["postcode", "town"])
    known = typed.join(towns.select("town").unique(), on="town", how="semi")
    by_postcode = typed.join(known, on="_row", how="anti").drop("town").join(towns, on="postcode")
    return pl.concat([known.drop("postcode"), by_postcode.drop("postcode")]).unique()


def _keys(rows: pl.DataFrame, towns: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """Each row's blocks (``words.block_keys``): each token of its name at its postcode and
    in its towns, and its address (postcode or town, number, street)."""
    rows = rows.join(towns, on="_row", how="left")
    addresses = [
        address(place, pl.col("house_number"), pl.col("street"), rules=rules)
        for place in (pl.lit("a") + pl.col("postcode"), pl.lit("b") + pl.col("town"))
    ]
    places = {"p": [pl.col("postcode")], "t": [pl.col("town")]}
    keys = block_keys(pl.col("tokens"), places, addresses)
    return (
        rows.select("_row", keys.alias("key"))
        .explode("key")
        .drop_nulls("key")
        .unique(maintain_order=True)
    )


def _candidates(path: Path, keys: pl.DataFrame, rule: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(row, candidate) pairs and the candidates (``_cand``): two streaming passes over
    names.parquet, its block keys only, then the names of the kept blocks. A row's blocks
    are kept rarest first while they hold at most ``max_candidates`` names together (its
    rarest always, up to ``max_block_alone``): a block of a common word ("boul" at a Paris
    postcode) is counted, never read."""
    wanted = keys["key"].unique().to_frame("key")
    names = pl.scan_parquet(path / NAMES)
    sizes = (
        names.select(pl.col("keys").alias("key"))
        .explode("key")
        .join(wanted.lazy(), on="key", how="semi")
        .group_by("key")
        .len("_size")
        .collect(engine="streaming")
    )
    first = pl.int_range(pl.len()).over("_row") == 0
    kept = (
        keys.join(sizes, on="key")
        .sort("_row", "_size", "key")
        .filter(
            (pl.col("_size").cum_sum().over("_row") <= rule["max_candidates"])
            | (first & (pl.col("_size") <= rule["max_block_alone"]))
        )
        .select("_row", "key")
    )
    blocks = kept["key"].unique()
    columns = ["country", "registry_id", "kind", "name", "site", "active", *PLACE]
    found = (
        names.filter(pl.col("keys").list.eval(pl.element().is_in(blocks.implode())).list.any())
        .select(*columns, "keys")
        .collect(engine="streaming")
        .sort(
            columns, nulls_last=True
        )  # the streaming engine keeps no order: same input, same output
        .with_row_index("_cand")
    )
    pairs = (
        found.select("_cand", pl.col("keys").alias("key"))
        .explode("key")
        .join(kept, on="key")  # (a list.filter with is_in would copy the keys per row)
        .select("_row", "_cand")
        .unique()
        .sort("_row", "_cand")
    )
    return pairs, found.drop("keys")


def _with_forms(cands: pl.DataFrame, path: Path, rules: Rules) -> pl.DataFrame:
    """The candidates with their company's official name and legal form, as a code of
    rules/legal_forms.toml (read from the registry's label of its form; a natural person
    with no form is "natural person")."""
    companies = (
        pl.scan_parquet(path / COMPANIES)
        .join(
            cands.select("country", "registry_id").unique().lazy(),
            on=["country", "registry_id"],
            how="semi",
        )
        .select("country", "registry_id", "official_name", "kind", "legal_form_fr", "legal_form_nl")
        .collect()
    )
    labels = companies.select(
        "country", pl.coalesce("legal_form_fr", "legal_form_nl").alias("company_name")
    ).unique()
    forms = pl.concat(
        [labels, clean_companies(labels, rules).select(pl.col("legal_form").alias("_form"))],
        how="horizontal",
    )
    companies = companies.join(
        forms,
        left_on=["country", pl.coalesce("legal_form_fr", "legal_form_nl")],
        right_on=["country", "company_name"],
        how="left",
        nulls_equal=True,
    ).select(
        "country",
        "registry_id",
        "official_name",
        pl.when(pl.col("kind") == "natural person")
        .then(pl.coalesce("_form", pl.lit("natural person")))
        .otherwise(pl.col("_form"))
        .alias("_form"),
    )
    return cands.join(companies, on=["country", "registry_id"], how="left", maintain_order="left")


def comparisons(rule: dict) -> list[Comparison]:
    """The text comparisons of [name_match] (name, street, house number) as the linking
    engine's; the registry's Dutch street is compared as its French one."""
    out = []
    for field in TEXT:
        levels = rule["street" if field == "street_nl" else field]["levels"]
        for lv in levels:
            if lv["kind"] not in LEVEL_KINDS:
                raise InputError(
                    f"[name_match.{field}]: unknown level kind {lv['kind']!r}",
                    file="registry.toml",
                )
        out.append(
            Comparison(field, tuple(Level(lv["kind"], lv.get("threshold")) for lv in levels))
        )
    return out


def _candidate_values(cands: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """The candidates' compared values: name words (legal form and noise left out, sorted),
    street words (its type left out), house number digits, postcode."""
    return cands.select(
        compared(pl.col("name"), rules=rules).alias("name"),
        *(
            street_words(pl.col(c), rules=rules).list.join(" ").replace("", None).alias(alias)
            for c, alias in (("street_fr", "street"), ("street_nl", "street_nl"))
        ),
        pl.col("house_number").str.extract(r"^\s*(\d+)").alias("house_number"),
        "postcode",
    )


def _levels(
    rows: pl.DataFrame, cands: pl.DataFrame, pairs: pl.DataFrame, rules: Rules
) -> pl.DataFrame:
    """Each pair's level (-1: a value missing) of every comparison: the linking engine's
    for the texts (the house number only on the same street), then the legal form, the
    country and whether the company is ceased or the establishment closed."""
    rule = rules.get("registry")["name_match"]
    values = pl.concat([rows.select(TEXT), _candidate_values(cands, rules)])
    typed = rows.select("_row", "legal_form", pl.col("country").alias("_typed")).with_row_index(
        "id_l"
    )
    both = (
        pairs.join(typed, on="_row", maintain_order="left")
        .join(
            cands.select("_cand", "_form", "country", "active"), on="_cand", maintain_order="left"
        )
        .with_columns((pl.col("_cand") + rows.height).alias("id_r"))
    )
    g = gammas(values, both.select("id_l", "id_r"), comparisons(rule)).drop("id_l", "id_r")
    street = pl.min_horizontal(
        *(pl.when(pl.col(c) >= 0).then(pl.col(c)) for c in ("g_street", "g_street_nl"))
    )
    family = {code: i for i, codes in enumerate(rule["legal_form"]["families"]) for code in codes}
    form, registered = pl.col("legal_form"), pl.col("_form")
    same_family = form.replace_strict(family, default=-1) == registered.replace_strict(
        family, default=-2
    )
    return pl.concat([both, g], how="horizontal").select(
        "_row",
        "_cand",
        "g_name",
        "g_postcode",
        street.fill_null(-1).alias("g_street"),
        pl.when(street <= len(rule["street"]["levels"]) - 1)  # the number of the same street
        .then(pl.col("g_house_number"))
        .otherwise(-1)
        .alias("g_house_number"),
        pl.when(form.is_null() | registered.is_null())
        .then(-1)
        .when(form == registered)
        .then(0)
        .when(same_family)
        .then(1)
        .otherwise(2)
        .alias("g_legal_form"),
        pl.when(pl.col("_typed").is_null())
        .then(-1)
        .otherwise((pl.col("country") != pl.col("_typed")).cast(pl.Int8))
        .alias("g_country"),
        (~pl.col("active").fill_null(True)).cast(pl.Int8).alias("g_closed"),
    )


def _scored(
    rows: pl.DataFrame, cands: pl.DataFrame, pairs: pl.DataFrame, rules: Rules
) -> pl.DataFrame:
    """Each pair's weight: the sum of its comparisons' weights at their levels (a missing
    value weighs nothing). Whether a company is ceased or its establishment closed weighs
    only against the row's other candidates: a row whose candidates are all closed is not
    the less likely to be one of them (``_status``, apart)."""
    rule = rules.get("registry")["name_match"]
    levels = _levels(rows, cands, pairs, rules)

    def weight(field: str) -> pl.Expr:
        w = [float(x) for x in rule[field]["weights"]]
        g = pl.col(f"g_{field}")
        at_level = g.replace_strict(dict(enumerate(w)), default=None, return_dtype=pl.Float64)
        return pl.when(g < 0).then(0.0).otherwise(at_level)

    fields = ("name", "postcode", "street", "house_number", "legal_form", "country")
    return levels.select(
        "_row",
        "_cand",
        pl.sum_horizontal(weight(f) for f in fields).alias("_weight"),
        weight("closed").alias("_status"),
    )


def _ranked(scored: pl.DataFrame, cands: pl.DataFrame, rule: dict) -> pl.DataFrame:
    """Each row's companies weighing at least ``floor`` (by their best name and place), best
    first (``_rank``), with their probability (``_score``): 2^weight shared with the
    others' and with "none of them" (2^``none``)."""
    status = pl.col("_status") - pl.col("_status").max().over("_row")
    best = (
        scored.with_columns((pl.col("_weight") + status).alias("_weight"))
        .filter(pl.col("_weight") >= rule["floor"])
        .join(
            cands.select(
                "_cand",
                "country",
                "registry_id",
                "official_name",
                pl.col("name").alias("registry_matched_name"),
                pl.col("postcode").alias("registry_postcode"),
            ),
            on="_cand",
        )
        .sort(
            ["_row", "_weight", "country", "registry_id", "_cand"],
            descending=[False, True, False, False, False],
        )
        .unique(["_row", "country", "registry_id"], keep="first", maintain_order=True)
    )
    odds = pl.lit(2.0).pow(pl.col("_weight"))
    return best.with_columns(
        pl.int_range(pl.len()).over("_row").alias("_rank"),
        (odds / (odds.sum().over("_row") + 2.0 ** rule["none"])).alias("_score"),
    )


def _review(frame: pl.DataFrame, ids: list[str], close: pl.DataFrame) -> pl.DataFrame:
    """The rows not attached but worth a look, with their best candidates (*close*)."""
    source = frame.with_row_index("_row").select(
        "_row", *ids, "company_name", *(c for c in ("postcode", "city") if c in frame.columns)
    )
    return (
        close.join(source, on="_row")
        .sort("_row", "_rank")
        .select(
            *(pl.col(c).cast(pl.String) for c in ids),
            "company_name",
            *(
                (pl.col(c) if c in source.columns else pl.lit(None)).cast(pl.String).alias(c)
                for c in ("postcode", "city")
            ),
            "country",
            "registry_id",
            pl.col("official_name").alias("registry_name"),
            "registry_matched_name",
            "registry_postcode",
            pl.col("_score").round(3).cast(pl.String).alias("score"),
        )
    )
