"""Contactability per channel: may we e-mail, phone, post each golden contact — and why.

The law is data (``rules/contactability.toml``, DOMAIN.md §3.8): per country (BE, FR, a
strict default for the others) and channel, an ordered list of rules; the first whose
``when`` holds decides, with a reason code. Here each contact's *facts* are computed once,
vectorised (its country — its own, else its company's —, consumer or professional, the kind
of address on each channel, refusals, consent and its age and proof, existing customer,
national do-not-call lists), then each channel's rules become one ``when/then`` chain.

>>> contacts = pl.DataFrame({
...     "contact_id": ["ct-1", "ct-2", "ct-3"], "company_id": ["co-1", "co-1", None],
...     "country": ["FR", "BE", "FR"], "email": ["jean@acme.fr", "jan@acme.be", "paul@gmail.com"],
...     "email_status": ["valid"] * 3, "email_role": [False] * 3, "email_freemail": [False, False, True],
... })
>>> out = contactability(contacts, as_of=dt.date(2026, 12, 1))
>>> out.select("email_ok", "email_why").rows()
[(True, 'b2b_function'), (False, 'no_consent'), (False, 'no_consent')]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from ..errors import InputError
from ..normalise.text import fold
from ..ruleset import Rules, rules_or_default

CHANNELS = ("email", "phone", "post")
SERVICES = ("dncm", "bloctel")
OUTPUTS = [f"{c}_{s}" for c in CHANNELS for s in ("ok", "why")]
# what `when` may ask, and the values each fact takes (True/False for the flags)
FACTS: dict[str, tuple] = {
    "kind": ("consumer", "professional"),
    "address": ("missing", "invalid", "generic", "private", "named", "present"),
    "opted_out": (True, False),
    "consent": ("valid", "expired", "none"),
    "proof": (True, False),
    "customer": ("current", "lapsed", "none"),
    **{s: (True, False) for s in SERVICES},
    **{f"{s}_file": ("fresh", "stale", "none") for s in SERVICES},
}
PER_CHANNEL = ("address", "opted_out", "consent", "proof")  # the others are the contact's
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y%m%d", "%Y/%m/%d")


@dataclass(frozen=True)
class Rule:
    when: tuple[tuple[str, tuple], ...]  # (fact, allowed values)
    then: str
    start: dt.date | None = None  # counts on runs dated on or after it
    end: dt.date | None = None  # … and before it

    def active(self, as_of: dt.date) -> bool:
        return (self.start is None or as_of >= self.start) and (
            self.end is None or as_of < self.end
        )


@dataclass(frozen=True)
class Settings:
    """``rules/contactability.toml``, parsed and checked."""

    reasons: dict[str, tuple[bool, str]]  # code → (allows, explanation)
    rules: dict[str, dict[str, tuple[Rule, ...]]]  # country ('default') → channel → rules
    customer_years: int
    max_months: dict[str, int]
    general_channels: tuple[str, ...]
    yes: tuple[str, ...]
    dnc: dict  # [dnc]: on_stale and a table per service


def load(rules: Rules | None = None) -> Settings:
    """The contactability rules of *rules*, checked: an unknown fact, value or reason code
    is refused with the file and line that holds it (read once per ``Rules``)."""
    return rules_or_default(rules).derived(_settings)


def _settings(rules: Rules) -> Settings:
    data = rules.get("contactability")
    reasons = {
        code: (bool(spec.get("ok")), str(spec.get("text", "")))
        for code, spec in data.get("reasons", {}).items()
    }
    reasons.setdefault("no_rule", (False, "no rule decided"))
    table = {}
    for country, channels in data.get("rules", {}).items():
        table[country] = {
            ch: tuple(_rule(rules, reasons, spec) for spec in channels.get(ch, []))
            for ch in CHANNELS
        }
    if "default" not in table:
        _fail(rules, "[rules.default] is missing: the rules of every other country", "[rules")
    consent = data.get("consent", {})
    on_stale = data.get("dnc", {}).get("on_stale", "refuse")
    if on_stale not in ("refuse", "warn"):
        _fail(rules, "[dnc] on_stale must be refuse or warn", "on_stale")
    return Settings(
        reasons,
        table,
        int(data.get("customer", {}).get("years", 3)),
        {ch: int(consent.get("max_months", {}).get(ch, 0)) for ch in CHANNELS},
        tuple(consent.get("general_channels", [])),
        tuple(consent.get("yes", [])),
        data.get("dnc", {}),
    )


def _rule(rules: Rules, reasons: dict, spec: dict) -> Rule:
    if not isinstance(spec, dict) or spec.get("then") not in reasons:
        _fail(rules, f"a rule's then must be a code of [reasons]: {spec!r}"[:200], "then")
    when = []
    for fact, value in (spec.get("when") or {}).items():
        values = tuple(value) if isinstance(value, list) else (value,)
        if fact not in FACTS or any(v not in FACTS[fact] for v in values):
            _fail(rules, f"unknown condition {fact} = {value!r} in a rule's when", f"{fact} =")
        when.append((fact, values))
    try:
        days = {
            k: dt.date.fromisoformat(str(spec[k])) if spec.get(k) else None
            for k in ("from", "until")
        }
    except ValueError:
        _fail(rules, "a rule's from / until must be a date YYYY-MM-DD", "from =")
    return Rule(tuple(when), spec["then"], days["from"], days["until"])


def _fail(rules: Rules, message: str, needle: str) -> None:
    where, line = rules.line_of("contactability", needle)
    raise InputError(message, file=f"{where}:{line}" if line else where)


# --- facts ----------------------------------------------------------------------------------


def refused(frame: pl.DataFrame) -> dict[str, pl.Expr]:
    """Per channel, whether the person refused it — the one place that reads refusals: the
    register's golden columns ``<channel>_opt_out`` (with ``do_not_contact``) where the frame
    has them; else, on a master without them, ``do_not_contact`` or ``opt_out`` refuse every
    channel."""
    columns = set(frame.columns)

    def flag(name: str) -> pl.Expr:
        return pl.col(name).fill_null(False) if name in columns else pl.lit(False)

    everything = flag("do_not_contact") | flag("opt_out")
    return {
        ch: (flag(f"{ch}_opt_out") | flag("do_not_contact"))
        if f"{ch}_opt_out" in columns
        else everything
        for ch in CHANNELS
    }


def _text(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String) if name in frame.columns else pl.lit(None, pl.String)


def as_date(expr: pl.Expr) -> pl.Expr:
    """A date read from text in the common forms (ISO, day-first, compact), else null."""
    text = expr.cast(pl.String).str.strip_chars().str.slice(0, 10)
    return pl.coalesce([text.str.to_date(f, strict=False) for f in DATE_FORMATS])


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = (dt.date(y + (m + 1) // 12, (m + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m + 1, min(day.day, last))


def _read(frame: pl.DataFrame, s: Settings) -> pl.DataFrame:
    """*frame* with what its consent and purchase columns say: ``_<column>_yes`` (a consent
    word of [consent] yes) and ``_<column>_day`` (a date) — read once per distinct value."""
    read = []
    for name in ("email_consent", "phone_consent", "consent_date", "last_purchase_date"):
        values = (
            frame.select(pl.col(name).cast(pl.String).alias("v"))
            if name in frame.columns
            else pl.Series("v", dtype=pl.String).extend_constant(None, frame.height).to_frame()
        )
        distinct = (
            values.drop_nulls()
            .unique()
            .with_columns(
                fold(pl.col("v")).is_in(list(s.yes)).fill_null(False).alias(f"_{name}_yes"),
                as_date(pl.col("v")).alias(f"_{name}_day"),
            )
        )
        read.append(values.join(distinct, on="v", how="left", maintain_order="left").drop("v"))
    return pl.concat([frame, *read], how="horizontal")


def _consent(frame: pl.DataFrame, channel: str, s: Settings, as_of: dt.date) -> list[pl.Expr]:
    """``<channel>:consent`` (valid | expired | none), ``<channel>:proof`` and
    ``<channel>:consented`` (the day, if known) — of a frame ``_read`` has read."""
    typed = _text(frame, f"{channel}_consent")
    day_typed = pl.col(f"_{channel}_consent_day")
    said_yes = day_typed.is_not_null() | pl.col(f"_{channel}_consent_yes").fill_null(False)
    source = _text(frame, "consent_source").is_not_null()
    general = _text(frame, "consent_date").is_not_null() | source
    given = (
        pl.when(typed.is_not_null())
        .then(said_yes)
        .otherwise(general if channel in s.general_channels else pl.lit(False))
    )
    day = pl.when(given).then(pl.coalesce(day_typed, pl.col("_consent_date_day")))
    months = s.max_months.get(channel, 0)
    old = (day < _months_before(as_of, months)).fill_null(False) if months else pl.lit(False)
    state = (
        pl.when(~given)
        .then(pl.lit("none"))
        .when(old)
        .then(pl.lit("expired"))
        .otherwise(pl.lit("valid"))
    )
    return [
        state.alias(f"{channel}:consent"),
        (given & day.is_not_null() & source).alias(f"{channel}:proof"),
        day.alias(f"{channel}:consented"),
    ]


def _addresses(frame: pl.DataFrame) -> list[pl.Expr]:
    def valid(kind: str) -> pl.Expr:
        return _text(frame, kind).is_not_null() & (
            _text(frame, f"{kind}_status") == "valid"
        ).fill_null(False)

    def flag(name: str) -> pl.Expr:
        return pl.col(name).fill_null(False) if name in frame.columns else pl.lit(False)

    email = (
        pl.when(_text(frame, "email").is_null())
        .then(pl.lit("missing"))
        .when(~valid("email"))
        .then(pl.lit("invalid"))
        .when(flag("email_role"))
        .then(pl.lit("generic"))
        .when(flag("email_freemail"))
        .then(pl.lit("private"))
        .otherwise(pl.lit("named"))
    )
    numbers = [_text(frame, k).is_not_null() for k in ("phone", "mobile")]
    phone = (
        pl.when(valid("phone") | valid("mobile"))
        .then(pl.lit("present"))
        .when(pl.any_horizontal(numbers))
        .then(pl.lit("invalid"))
        .otherwise(pl.lit("missing"))
    )
    mine = _text(frame, "street").is_not_null() & _text(frame, "city").is_not_null()
    theirs = _text(frame, "_co_street").is_not_null() & _text(frame, "_co_city").is_not_null()
    post = pl.when(mine | theirs).then(pl.lit("present")).otherwise(pl.lit("missing"))
    return [email.alias("email:address"), phone.alias("phone:address"), post.alias("post:address")]


def facts(
    contacts: pl.DataFrame,
    companies: pl.DataFrame | None = None,
    listed: pl.DataFrame | None = None,
    files: dict[str, str] | None = None,
    settings: Settings | None = None,
    as_of: dt.date | None = None,
) -> pl.DataFrame:
    """One row per contact: ``_country`` and every fact ``when`` can ask (``<channel>:<fact>``
    for the per-channel ones). *listed*: ``dnc.listed`` (contact_id, service flags and the
    day each was registered); *files*: each service's file state (fresh | stale)."""
    s = settings or load()
    as_of = as_of or dt.date.today()
    frame = _with_company(contacts, companies)
    frame = _read(_with_listed(frame, listed), s)
    out = [
        pl.coalesce(_text(frame, "country"), _text(frame, "_co_country"))
        .str.to_uppercase()
        .alias("_country"),
        pl.when(_text(frame, "company_id").is_not_null())
        .then(pl.lit("professional"))
        .otherwise(pl.lit("consumer"))
        .alias("kind"),
        *_addresses(frame),
        *(e.alias(f"{ch}:opted_out") for ch, e in refused(frame).items()),
        *(e for ch in ("email", "phone") for e in _consent(frame, ch, s, as_of)),
        pl.lit("none").alias("post:consent"),
        pl.lit(False).alias("post:proof"),
        _customer(frame, s, as_of),
        *(pl.lit((files or {}).get(sv, "none")).alias(f"{sv}_file") for sv in SERVICES),
    ]
    out = frame.select(*out, *(f"_{sv}" for sv in SERVICES), *(f"_{sv}_since" for sv in SERVICES))
    return out.select(
        pl.exclude([f"_{sv}" for sv in SERVICES] + [f"_{sv}_since" for sv in SERVICES]),
        *(_dnc_fact(sv) for sv in SERVICES),
    )


def _dnc_fact(service: str) -> pl.Expr:
    """Listed, unless the person consented to be phoned after the number was registered
    (the latest action prevails)."""
    later = (pl.col("phone:consented") > pl.col(f"_{service}_since")).fill_null(False)
    return (pl.col(f"_{service}").fill_null(False) & ~later).alias(service)


def _customer(frame: pl.DataFrame, s: Settings, as_of: dt.date) -> pl.Expr:
    last = pl.col("_last_purchase_date_day")
    since = _months_before(as_of, 12 * s.customer_years)
    return (
        pl.when(last.is_null())
        .then(pl.lit("none"))
        .when(last >= since)
        .then(pl.lit("current"))
        .otherwise(pl.lit("lapsed"))
        .alias("customer")
    )


def _with_company(contacts: pl.DataFrame, companies: pl.DataFrame | None) -> pl.DataFrame:
    """The contacts with their company's country and street/city (``_co_*``)."""
    wanted = ["country", "street", "city"]
    if companies is None or "company_id" not in contacts.columns:
        return contacts
    theirs = companies.select(
        pl.col("company_id"),
        *(pl.col(c).alias(f"_co_{c}") for c in wanted if c in companies.columns),
    )
    return contacts.join(theirs, on="company_id", how="left", maintain_order="left")


def _with_listed(frame: pl.DataFrame, listed: pl.DataFrame | None) -> pl.DataFrame:
    columns = [f"_{sv}" for sv in SERVICES] + [f"_{sv}_since" for sv in SERVICES]
    if listed is None or listed.is_empty():
        return frame.with_columns(
            *(pl.lit(False).alias(f"_{sv}") for sv in SERVICES),
            *(pl.lit(None, pl.Date).alias(f"_{sv}_since") for sv in SERVICES),
        )
    return frame.join(
        listed.select("contact_id", *columns), on="contact_id", how="left", maintain_order="left"
    )


# --- decisions ------------------------------------------------------------------------------


def _holds(rule: Rule, channel: str) -> pl.Expr:
    conditions = [
        pl.col(f"{channel}:{fact}" if fact in PER_CHANNEL else fact).is_in(list(values))
        for fact, values in rule.when
    ]
    return pl.all_horizontal(conditions) if conditions else pl.lit(True)


def decide(f: pl.DataFrame, s: Settings, as_of: dt.date) -> pl.DataFrame:
    """``<channel>_ok`` and ``<channel>_why`` of every contact of the facts *f*."""
    known = [c for c in s.rules if c != "default"]
    out = []
    for channel in CHANNELS:
        chain = None
        for country, channels in s.rules.items():
            where = (
                ~pl.col("_country").is_in(known).fill_null(False)
                if country == "default"
                else (pl.col("_country") == country).fill_null(False)
            )
            for rule in channels[channel]:
                if not rule.active(as_of):
                    continue
                cond = where & _holds(rule, channel)
                chain = (pl.when(cond) if chain is None else chain.when(cond)).then(
                    pl.lit(rule.then)
                )
        why = (
            chain.otherwise(pl.lit("no_rule")) if chain is not None else pl.lit("no_rule")
        ).alias(f"{channel}_why")
        ok = why.replace_strict({k: v[0] for k, v in s.reasons.items()}, return_dtype=pl.Boolean)
        out += [ok.alias(f"{channel}_ok"), why]
    return f.select(out)


def contactability(
    contacts: pl.DataFrame,
    companies: pl.DataFrame | None = None,
    listed: pl.DataFrame | None = None,
    files: dict[str, str] | None = None,
    rules: Rules | None = None,
    as_of: dt.date | None = None,
) -> pl.DataFrame:
    """*contacts* with ``email_ok``, ``email_why``, ``phone_ok`` … (see the module's doc);
    an earlier run's columns of these names are replaced."""
    s = load(rules)
    as_of = as_of or dt.date.today()
    f = facts(contacts.drop(OUTPUTS, strict=False), companies, listed, files, s, as_of)
    return contacts.drop(OUTPUTS, strict=False).hstack(decide(f, s, as_of))


def counts(contacts: pl.DataFrame) -> dict:
    """Per channel: how many contacts may be contacted, and how many per reason."""
    out = {}
    for channel in CHANNELS:
        why = contacts[f"{channel}_why"].value_counts().iter_rows()
        out[channel] = {
            "ok": int(contacts[f"{channel}_ok"].sum()),
            "not_ok": int((~contacts[f"{channel}_ok"]).sum()),
            "why": dict(sorted(why)),
        }
    return out
