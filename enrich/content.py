"""Columns judged by what they hold: a profile of each column's values, and what it decides.

:func:`profile` looks at a sample of each column — up to a few thousand distinct non-empty
values from rows spread evenly over the table — and gives each value one *kind* (the first
of ``rules/content.toml``'s kinds that fits it: e-mail, web address, date, VAT number,
SIRET, SIREN, Belgian enterprise number — by shape and checksum —, mobile or other phone
number, postcode, yes/no word, legal form, civility, country name, number, headcount
band, else text). :func:`judge` then confirms a header mapping, maps a column whose header says nothing
when its values are clearly one column's, moves a column whose values contradict its header
(or only reports it: identifiers, ``--map``), and gives the columns left unmapped their best
guess. :func:`date_orders` decides whether each date column is day-first or month-first.
All of it is said by share and column, never by value.

>>> import polars as pl
>>> from .mapping import map_headers
>>> frame = pl.DataFrame({
...     "Naam": ["Peeters", "Janssens", "Maes", "Claes"],
...     "Kolom 4": ["an@peeters.be", "bo@janssens.be", "cy@maes.be", "dirk@claes.be"],
...     "Info": ["ja", "nee", "nee", "ja"],
...     "Datum": ["8/20/2025", "12/1/2024", "3/4/2024", "10/31/2023"],
... })
>>> profiles = profile(frame, list(frame.columns))
>>> profiles["Kolom 4"].shares, profiles["Datum"].dates
({'email': 1.0}, {'either': 2, 'month_first': 2})
>>> m = map_headers(list(frame.columns))
>>> judge(m, profiles)
>>> m.target["Kolom 4"], m.reason["Kolom 4"]
('email', 'mapped by content: 100 % e-mail addresses')
>>> m.by_content["Info"]["verdict"], m.by_content["Info"]["column"]
('guess', 'opt_out')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from . import identifiers
from .errors import InputError
from .mapping import Mapping, header_words
from .normalise import consent, countries, dates, persons
from .normalise.companies import _forms as legal_form_table  # its token table, as built
from .normalise.text import fold, tidy
from .ruleset import Rules, rules_or_default
from .schema import EXTRA_PREFIX, INPUT_COLUMNS

DATE_COLUMNS = ("birth_date", "consent_date", "source_date", "last_purchase_date")
_DATE_LIKE = r"^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}(?:$|[^0-9])|^(?:19|20)\d{6}$"
_KEPT_OUT = "its header's words keep it out, rules/content.toml [keep_out]"
TEXT = "text"  # the kind of a value no other kind takes
_ID_ORDER = [i.field for i in identifiers.IDENTIFIERS]
_IDENTIFIERS = frozenset(_ID_ORDER)
# the kinds enrich knows by their name (the others need a pattern)
_CODED = ("date", "vat", "siret", "siren", "enterprise_number", "postcode", "yes_no")
_CODED += ("legal_form", "title", "country", TEXT)
_FORMS = {
    "tidy": pl.col("v"),
    "lower": pl.col("v").str.to_lowercase(),
    "phone": pl.col("v").str.replace_all(r"\(0\)", "").str.replace_all(r"[\s./()\-]", ""),
    "identifier": identifiers.compact(pl.col("v")),
}


@dataclass(frozen=True)
class Kind:
    """One kind of value (a ``[kinds.NAME]`` table of ``rules/content.toml``)."""

    name: str
    label: str
    fits: frozenset[str]  # the columns whose header it confirms
    maps: str | None = None  # the column a header-less column of it goes to
    guess: str | None = None  # the column shown as an unmapped column's guess
    pattern: str | None = None
    form: str = "tidy"
    weak: bool = False  # never confirms, maps or guesses: only keeps a header from a contradiction


@dataclass(frozen=True)
class Settings:
    kinds: dict[str, Kind]  # in the order values are tried
    sample: dict[str, int]
    share: dict[str, float]
    mixed: float
    keep_out: frozenset[str]
    postcodes: dict[str, str]  # country → postcode shape


def settings(rules: Rules | None = None) -> Settings:
    return rules_or_default(rules).derived(_settings)


def _settings(rules: Rules) -> Settings:
    data = rules.get("content")
    kinds = {}
    for name, k in data["kinds"].items():
        _check_kind(name, k, rules)
        kinds[name] = Kind(
            name,
            k["label"],
            frozenset(k.get("fits", [])),
            k.get("maps"),
            k.get("guess"),
            k.get("pattern"),
            k.get("form", "tidy"),
            bool(k.get("weak", False)),
        )
    kinds[TEXT] = kinds.pop(TEXT)  # always last
    shapes = rules.get("addresses").get("postcode", {})
    return Settings(
        kinds,
        data["sample"],
        data["share"],
        data["dates"]["mixed"],
        frozenset(w for name in data["keep_out"]["words"] for w in header_words(name)),
        {cc: shapes[cc] for cc in data["postcode"]["countries"] if cc in shapes},
    )


def _check_kind(name: str, kind: dict, rules: Rules) -> None:
    """A steward's kind that cannot work is an error that names it (exit 2)."""
    columns = [*kind.get("fits", []), kind.get("maps"), kind.get("guess")]
    unknown = [c for c in columns if c is not None and c not in INPUT_COLUMNS]
    if not kind.get("pattern") and name not in _CODED:
        problem = "neither a pattern nor a name enrich knows"
    elif kind.get("form", "tidy") not in _FORMS:
        problem = f"an unknown form {kind['form']!r} (one of {', '.join(_FORMS)})"
    elif unknown:
        problem = f"an unknown column {unknown[0]!r}"
    elif "label" not in kind:
        problem = "no label"
    else:
        return
    raise InputError(f"kind {name!r} has {problem}", file=rules.location("content"))


@dataclass
class Profile:
    """What a column's sampled values are: the share of each kind (those over 0, in the
    kinds' order), and the details of its dates, postcodes and VAT numbers."""

    values: int  # distinct non-empty values looked at
    rows: int  # the non-empty cells they were seen in
    shares: dict[str, float]
    dates: dict[str, int] = field(default_factory=dict)  # dates.evidence → values
    postcodes: dict[str, float] = field(default_factory=dict)  # country → share of shape
    vat_countries: dict[str, float] = field(default_factory=dict)  # prefix → share

    def share(self, kinds) -> float:
        return sum(self.shares.get(k, 0.0) for k in kinds)

    def top(self, kinds) -> tuple[str | None, float]:
        """The most frequent of *kinds* (the first in order on a tie) and its share."""
        present = [(self.shares[k], -i, k) for i, k in enumerate(kinds) if k in self.shares]
        share, _, kind = max(present, default=(0.0, 0, None))
        return kind, share

    def summary(self) -> dict:
        """The profile as ``run.json`` holds it (shares rounded)."""
        out: dict = {"values": self.values, "rows": self.rows, "kinds": _rounded(self.shares)}
        for key in ("dates", "postcodes", "vat_countries"):
            if getattr(self, key):
                out[key] = _rounded(getattr(self, key))
        return out


def _rounded(shares: dict) -> dict:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in shares.items()}


# --- profiling ---------------------------------------------------------------------------


def sample(frame: pl.DataFrame, headers: list[str], rules: Rules | None = None) -> pl.DataFrame:
    """``column``, ``v`` and ``n``: up to ``[sample] values`` distinct non-empty (tidied)
    values of each header and how often each was seen, from at most ``[sample] rows`` rows
    spread evenly over *frame*."""
    s = settings(rules).sample
    step = max(1, -(-frame.height // s["rows"]))
    rows = frame.select(pl.col(h).cast(pl.String) for h in headers).gather_every(step)
    return (
        rows.unpivot(on=headers, variable_name="column", value_name="v")
        .with_columns(tidy(pl.col("v")).alias("v"))
        .drop_nulls("v")
        .group_by("column", "v", maintain_order=True)
        .len("n")
        .group_by("column", maintain_order=True)
        .head(s["values"])
    )


def _identifier_checks(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """``_{name}_status`` of each identifier kind, by its adapter's own vectorised check
    (of the values with a digit and an identifier's length: only those can be one)."""
    checks = {i.field: i.check for i in identifiers.IDENTIFIERS}
    shaped = pl.col("_identifier").str.contains(r"^[A-Z]{0,2}\d[\dA-Z]{6,14}$")
    lazy = frame.lazy().with_columns(
        pl.when(shaped).then(pl.col("_identifier")).alias("_id"),
        pl.lit(None, dtype=pl.String).alias("country"),
    )
    for name in names:
        lazy = checks[name](lazy, "_id", f"_{name}")
    return lazy.collect()


def _coded_tests(rules: Rules) -> dict[str, pl.Expr]:
    """The kinds known by name: what a value of each is."""
    s = settings(rules)
    tokens = list(legal_form_table(rules)[0])
    names = [k for k in countries.names(rules) if len(k) > 2]  # names, not codes
    postcode = pl.col("v").str.to_uppercase().str.replace(r"^[A-Z]{1,3}-\s?", "")
    return {
        "date": pl.col("_date").is_not_null() & (pl.col("_date") != "serial"),
        "vat": pl.col("_id").str.contains("^[A-Z]{2}") & (pl.col("_vat_status") == "valid"),
        "postcode": pl.any_horizontal(postcode.str.contains(p) for p in s.postcodes.values()),
        "yes_no": pl.col("_fold").is_in(consent.YES + consent.NO),
        "legal_form": pl.col("_fold").str.replace_all(" ", "").is_in(tokens),
        "title": pl.col("_fold").is_in(list(persons.titles(rules))),
        "country": pl.col("_fold").is_in(names),
    }


def classify(values: pl.DataFrame, rules: Rules | None = None) -> pl.DataFrame:
    """*values* (``column``, ``v``) with each value's ``kind``, its date ``evidence``,
    the VAT prefix of a VAT number and ``_pc_{country}`` (a postcode's shape fits)."""
    rules = rules_or_default(rules)
    s = settings(rules)
    frame = values.with_columns(
        *[e.alias(f"_{name}") for name, e in _FORMS.items()], fold(pl.col("v")).alias("_fold")
    ).with_row_index("_i")
    dated = frame.filter(pl.col("v").str.contains(_DATE_LIKE)).select(
        "_i", dates.evidence(pl.col("v")).alias("_date")
    )  # only these can be dates: the rest need not be parsed
    frame = frame.join(dated, on="_i", how="left", maintain_order="left")
    ids = [k for k in s.kinds if k in _IDENTIFIERS]
    frame = _identifier_checks(frame, ids)
    coded = _coded_tests(rules)
    coded.update({k: pl.col(f"_{k}_status") == "valid" for k in ids if k != "vat"})
    tests = [
        pl.all_horizontal(
            pl.col(f"_{k.form}").str.contains(k.pattern) if k.pattern else True,
            coded.get(k.name, True),
        ).fill_null(False)
        for k in s.kinds.values()
        if k.name != TEXT
    ]
    names = [k for k in s.kinds if k != TEXT]
    kind = pl.coalesce([*(pl.when(t).then(pl.lit(n)) for t, n in zip(tests, names)), pl.lit(TEXT)])
    postcode = pl.col("v").str.to_uppercase().str.replace(r"^[A-Z]{1,3}-\s?", "")
    return frame.select(
        "column",
        "n",
        kind.alias("kind"),
        pl.col("_date").alias("evidence"),
        pl.col("_identifier").str.slice(0, 2).alias("prefix"),
        *[postcode.str.contains(p).alias(f"_pc_{cc}") for cc, p in s.postcodes.items()],
    )


def profile(frame: pl.DataFrame, headers: list[str], rules: Rules | None = None) -> dict:
    """header → :class:`Profile` of its values (headers with no value are left out)."""
    rules = rules_or_default(rules)
    kinds = list(settings(rules).kinds)
    typed = classify(sample(frame, headers, rules), rules)
    out = {}
    for (h,), mine in typed.group_by("column", maintain_order=True):
        n = mine.height
        counts = dict(mine.group_by("kind").len().iter_rows())
        postcodes = mine.filter(pl.col("kind") == "postcode").select(
            pl.col(c).sum().alias(c[4:]) for c in mine.columns if c.startswith("_pc_")
        )
        out[h] = Profile(
            n,
            mine["n"].sum(),
            {k: counts[k] / n for k in kinds if counts.get(k)},
            _counted(mine.filter(pl.col("kind") == "date")["evidence"]),
            {cc: v / n for cc, v in postcodes.row(0, named=True).items() if v},
            {p: c / n for p, c in _counted(mine.filter(pl.col("kind") == "vat")["prefix"]).items()},
        )
    return out


def _counted(series: pl.Series) -> dict[str, int]:
    """value → count, the most frequent first (ties: by value)."""
    counts = series.drop_nulls().value_counts(name="n")
    return dict(counts.sort(["n", series.name], descending=[True, False]).iter_rows())


# --- what the profiles decide --------------------------------------------------------------


def _note(p: Profile, kinds, s: Settings) -> str:
    """'97 % e-mail addresses' — the share of each of *kinds* a column holds, largest first."""
    labels = s.kinds
    held = sorted((-p.shares[k], i, k) for i, k in enumerate(kinds) if p.shares.get(k, 0) >= 0.005)
    return ", ".join(f"{round(-share * 100)} % {labels[k].label}" for share, _, k in held)


def _fitting(column: str, s: Settings, strong: bool = False) -> list[str]:
    """The kinds that fit *column* (*strong*: only those that are not weak)."""
    return [k.name for k in s.kinds.values() if column in k.fits and not (strong and k.weak)]


def judge(m: Mapping, profiles: dict[str, Profile], rules: Rules | None = None) -> None:
    """What the values of each column say of *m* (changed in place; see the module's doc).

    In order: an ambiguous header goes to the one of its candidates its values fill; the
    headers mapped are confirmed or contradicted (a contradicted one moves to the column its
    values name when that column is free, it is not an identifier column and the header was
    not mapped with ``--map``); a header-less column goes to the column its values clearly
    are, if free (the clearest first); the columns left unmapped get their best guess."""
    s = settings(rules)
    judged = {h: p for h, p in profiles.items() if p.rows >= s.sample["min_rows"]}
    for h, p in judged.items():
        m.content[h] = p.summary()
    taken = {}
    for h, column in m.mapped.items():
        taken.setdefault(column, h)
    for h in [h for h in m.headers if h in m.ambiguous and h in judged]:
        _resolve(m, h, judged[h], taken, s)
    for h, column in list(m.mapped.items()):
        if h in judged and h not in m.by_content and _fitting(column, s):
            _check_header(m, h, column, judged[h], taken, s)
    _map_headerless(m, judged, taken, s)
    for h, p in judged.items():
        if m.target[h].startswith(EXTRA_PREFIX) and h not in m.by_content:
            _guess(m, h, p, s)


def _check_header(m: Mapping, h: str, column: str, p: Profile, taken: dict, s: Settings):
    strong = _fitting(column, s, strong=True)
    if strong and p.share(strong) >= s.share["confirm"]:
        said = _note(p, strong, s)
        m.by_content[h] = {"verdict": "confirms", "note": said}
        if m.reason.get(h) != "--map":
            m.confidence[h] = max(m.confidence[h], s.share["confirmed_confidence"])
            m.reason[h] = f"{m.reason[h]}; content confirms ({said})"
        return
    others = [k for k in s.kinds if k not in _fitting(column, s)]
    kind, share = p.top(others)
    if share < s.share["contradict"] or p.share(_fitting(column, s)) >= s.share["fit_below"]:
        return
    if {column, kind} <= _IDENTIFIERS:  # routed by what they are, and reported on every row
        return  # (identifiers.held: run.json "identifier_columns")
    said, target = _note(p, [kind], s), s.kinds[kind].maps
    verdict = {"verdict": "contradicts", "note": said, "was": column, "column": target}
    why = _not_movable(m, h, column, target, taken, s)
    if why:
        m.by_content[h] = {**verdict, "kept": why}
        return
    m.by_content[h] = verdict
    m.target[h], m.confidence[h] = target, s.share["mapped_confidence"]
    m.reason[h] = f"content contradicts the header ({m.reason[h]} → {column}): {said}"
    del taken[column]
    taken[target] = h


def _not_movable(m: Mapping, h: str, column: str, target, taken: dict, s: Settings):
    """Why a contradicted header stays where its words put it (None: it may move)."""
    if m.reason.get(h) == "--map":
        return "mapped with --map"
    if column in _IDENTIFIERS or target in _IDENTIFIERS:
        return "an identifier column: reported, not moved"
    if target is None:
        return "its values name no column"
    if target in taken:
        return f"{target} is taken by {taken[target]!r}"
    if _kept_out(h, s):
        return _KEPT_OUT
    return None


def _kept_out(h: str, s: Settings) -> bool:
    return bool(s.keep_out & set(header_words(h)))


def _resolve(m: Mapping, h: str, p: Profile, taken: dict, s: Settings) -> None:
    """An ambiguous header whose values fill exactly one of its free candidates takes it."""
    fits = [
        c
        for c in m.ambiguous[h]
        if c not in taken and p.share(_fitting(c, s, strong=True)) >= s.share["map"]
    ]
    if len(fits) != 1:
        return
    said = _note(p, _fitting(fits[0], s, strong=True), s)
    m.target[h], m.confidence[h] = fits[0], s.share["mapped_confidence"]
    m.reason[h] = f"{m.reason[h]}; content decides: {said}"
    m.by_content[h] = {"verdict": "resolved", "note": said, "column": fits[0]}
    del m.ambiguous[h]
    taken[fits[0]] = h


def _map_headerless(m: Mapping, judged: dict, taken: dict, s: Settings) -> None:
    """Each unmapped column (not ``--map``, not ambiguous) whose values clearly are one
    column's claims it; the clearest claims first, then the headers' order."""
    claims = []
    for i, h in enumerate(m.headers):
        if h not in judged or not m.target[h].startswith(EXTRA_PREFIX):
            continue
        if m.reason.get(h) == "--map" or h in m.ambiguous:
            continue
        p = judged[h]
        kind, _ = p.top([k.name for k in s.kinds.values() if not k.weak])
        target = kind and s.kinds[kind].maps
        if target and p.share(_claimed(target, s)) >= s.share["map"]:
            claims.append((-p.share(_claimed(target, s)), i, h, target))
    for _, _, h, target in sorted(claims):
        said = _note(judged[h], _claimed(target, s), s)
        if target in _IDENTIFIERS:  # a mix of identifiers: any free slot, values are routed
            target = next((c for c in _ID_ORDER if c not in taken), target)
        if target in taken or _kept_out(h, s):
            why = f"{target} is taken by {taken[target]!r}" if target in taken else _KEPT_OUT
            m.by_content[h] = {"verdict": "guess", "note": said, "column": target, "kept": why}
            continue
        m.target[h], m.confidence[h] = target, s.share["mapped_confidence"]
        m.reason[h] = f"mapped by content: {said}"
        m.by_content[h] = {"verdict": "mapped", "note": said, "column": target}
        taken[target] = h


def _claimed(target: str, s: Settings) -> list[str]:
    """The kinds whose share claims *target*: its own — or, for an identifier column, every
    identifier kind (a "Company ID" of SIRETs and enterprise numbers: each value goes to its
    own slot whatever column it is read from, identifiers.route)."""
    if target in _IDENTIFIERS:
        return [k.name for k in s.kinds.values() if k.maps in _IDENTIFIERS and not k.weak]
    return _fitting(target, s, strong=True)


def _guess(m: Mapping, h: str, p: Profile, s: Settings) -> None:
    """An unmapped column's best guess: its most frequent kind that says something."""
    kind, share = p.top([k.name for k in s.kinds.values() if not k.weak])
    column = kind and (s.kinds[kind].maps or s.kinds[kind].guess)
    if column and share >= s.share["guess"]:
        said = _note(p, [kind], s)
        m.by_content[h] = {"verdict": "guess", "note": said, "column": column}


def date_orders(m: Mapping, forced: str | None = None, rules: Rules | None = None) -> dict:
    """date column → how its dates are read: ``order`` (dmy, mdy, ymd), ``how`` it was
    decided (``--date-order``, ``values``, ``mixed``: its values disagree, ``assumed``: no
    value tells, day-first) and the ``header``, with what the sampled values said."""
    mixed = settings(rules).mixed
    out = {}
    for h, column in m.mapped.items():
        if column in DATE_COLUMNS:
            seen = m.content.get(h, {}).get("dates", {})
            out[column] = {"header": h, **decide_order(seen, forced, mixed)}
    return dict(sorted(out.items()))


def decide_order(seen: dict[str, int], forced: str | None = None, mixed: float = 0.1) -> dict:
    """The order of a column whose sampled values gave *seen* (``dates.evidence`` → count).

    >>> decide_order({"month_first": 41, "either": 12})["order"]
    'mdy'
    >>> decide_order({"either": 12})["how"], decide_order({"day_first": 9, "month_first": 3})["how"]
    ('assumed', 'mixed')
    """
    day, month = seen.get("day_first", 0), seen.get("month_first", 0)
    if forced:
        order, how = forced, "--date-order"
    elif day or month:
        order = "mdy" if month > day else dates.DEFAULT_ORDER
        how = "mixed" if min(day, month) >= mixed * (day + month) else "values"
    elif seen.get("either"):
        order, how = dates.DEFAULT_ORDER, "assumed"
    elif seen:
        order, how = "ymd", "values"  # ISO, compact or serial: no order to decide
    else:
        order, how = dates.DEFAULT_ORDER, "no dates"
    return {"order": order, "how": how, **seen}
