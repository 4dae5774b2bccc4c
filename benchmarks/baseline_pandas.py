"""The "straightforward" pandas cleaning of a contact file: the speed baseline for enrich.

This is what a competent analyst writes in an afternoon: read everything as strings with
pandas, rename the headers, then clean row by row with ``DataFrame.apply(axis=1)`` calling
python-stdnum, email-validator, phonenumbers and ``pd.to_datetime`` once per value. It is
deliberately naive about *speed* (no per-unique-value caching, no vectorisation) but it
must be *correct* and never crash on bad values, so the speed ratio against enrich is an
honest one.

Per row it produces:

* ``company_name_norm`` — stripped, casefolded, a small set of legal-form tokens removed;
* ``vat`` / ``vat_status`` — ``stdnum.eu.vat`` (BE/FR prefix added from the country when
  the number is typed without one), compact form, ``valid`` / ``invalid_checksum`` /
  ``invalid_format`` / ``missing``;
* ``siret`` / ``siret_status`` — ``stdnum.fr.siret``;
* ``email`` / ``email_status`` / ``email_reason`` — ``email_validator`` without DNS;
* ``phone``, ``mobile`` (+ ``_status``) — E.164 via ``phonenumbers`` when valid;
* ``postcode`` / ``postcode_status`` — BE 4 digits, FR 5 digits (a lost leading zero and
  ``B-1000`` are repaired); ``country`` as ISO code;
* ``source_date`` — ISO date from dd/mm/yyyy, ISO, or Excel serial numbers;
* ``opt_out`` — ``true`` / ``false`` / empty.

Fully empty rows and repeated header rows are dropped.

Usage::

    python benchmarks/baseline_pandas.py bench-data/contacts_100k.csv -o out/baseline.csv
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.fr import siret as fr_siret

# header as typed -> canonical column (enrich/schema.py names)
HEADERS = {
    # purchased-list layout (French)
    "Raison sociale": "company_name",
    "Forme juridique": "legal_form",
    "N° TVA": "vat",
    "SIRET": "siret",
    "Adresse": "address",
    "Code postal": "postcode",
    "Ville": "city",
    "Pays": "country",
    "Civilité": "title",
    "Nom": "last_name",
    "Prénom": "first_name",
    "Fonction": "function",
    "E-mail": "email",
    "Téléphone": "phone",
    "Portable": "mobile",
    "Date de mise à jour": "source_date",
    "Désinscrit": "opt_out",
    # CRM export layout (English)
    "Record ID": "external_id",
    "Account Name": "company_name",
    "VAT Number": "vat",
    "Street": "address",
    "Zip": "postcode",
    "City": "city",
    "Country": "country",
    "Salutation": "title",
    "First Name": "first_name",
    "Last Name": "last_name",
    "Title": "function",
    "Email": "email",
    "Phone": "phone",
    "Mobile": "mobile",
    "Last Modified Date": "source_date",
    "Email Opt Out": "opt_out",
}
COUNTRIES = {
    "be": "BE", "b": "BE", "bel": "BE", "belgique": "BE", "belgië": "BE", "belgie": "BE",
    "belgium": "BE", "belgien": "BE", "fr": "FR", "f": "FR", "fra": "FR", "france": "FR",
    "frankrijk": "FR",
}  # fmt: skip
LEGAL_FORMS = {
    "sprl", "srl", "bv", "bvba", "nv", "sa", "sc", "scrl", "cv", "cvba", "asbl", "vzw",
    "scomm", "commv", "sas", "sasu", "sarl", "eurl", "snc", "sci", "ei", "gcv", "scs",
}  # fmt: skip
YES = {"oui", "1", "x", "true", "yes", "ja", "o", "y"}
NO = {"non", "0", "false", "no", "nee", "n"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
VAT_WORDS = re.compile(r"^(?:TVA|BTW|VAT|N°\s*TVA)\b[\s:.-]*", re.IGNORECASE)
POSTCODE_IN_CITY = re.compile(r"^(?:[BF]-?)?(\d{4,5})\s+(.+)$")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


# --------------------------------------------------------------------------- reading


def read_contacts(path: Path) -> pd.DataFrame:
    """Every column as a string; encoding utf-8 then cp1252; delimiter from the first line."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.split("\n", 1)[0]
    sep = max((";", ",", "\t", "|"), key=first.count)
    df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False)
    header = list(df.columns)
    df = df[(df != "").any(axis=1)]  # fully empty rows
    df = df[~(df == header).all(axis=1)]  # header repeated inside the file
    return df.rename(columns=lambda h: HEADERS.get(h.strip(), f"extra.{h}"))


# --------------------------------------------------------------------------- per value


def norm_company(name: str) -> str:
    tokens = name.strip().casefold().replace("(", " ").replace(")", " ").split()
    while tokens and tokens[-1].replace(".", "") in LEGAL_FORMS:
        tokens.pop()
    while tokens and tokens[0].replace(".", "") in LEGAL_FORMS:
        tokens.pop(0)
    return " ".join(tokens)


def norm_country(value: str, vat: str, postcode: str) -> str:
    c = COUNTRIES.get(value.strip().casefold(), "")
    if c:
        return c
    v = VAT_WORDS.sub("", vat.strip()).upper()
    if v[:2] in ("BE", "FR"):
        return v[:2]
    pc = re.sub(r"\D", "", postcode)
    if postcode.strip().upper().startswith("B"):
        return "BE"
    return {4: "BE", 5: "FR"}.get(len(pc), "")


def clean_vat(value: str, country: str) -> tuple[str, str]:
    v = VAT_WORDS.sub("", value.strip())
    if not v:
        return "", "missing"
    if not v[:2].isalpha() and country:
        v = country + v
    try:
        return eu_vat.validate(v), "valid"
    except InvalidChecksum:
        return value.strip(), "invalid_checksum"
    except ValidationError:
        return value.strip(), "invalid_format"


def clean_siret(value: str) -> tuple[str, str]:
    v = value.strip()
    if not v:
        return "", "missing"
    try:
        return fr_siret.validate(v), "valid"
    except InvalidChecksum:
        return v, "invalid_checksum"
    except ValidationError:
        return v, "invalid_format"


def clean_email(value: str) -> tuple[str, str, str]:
    v = value.strip()
    if not v:
        return "", "missing", ""
    try:
        return validate_email(v, check_deliverability=False).normalized, "valid", ""
    except EmailNotValidError as e:
        return v, "invalid", str(e)


def clean_phone(value: str, region: str) -> tuple[str, str]:
    v = value.strip()
    if not v:
        return "", "missing"
    try:
        n = phonenumbers.parse(v, region or None)
    except phonenumbers.NumberParseException:
        return v, "invalid"
    if phonenumbers.is_valid_number(n):
        return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164), "valid"
    return v, "invalid"


def clean_postcode(value: str, city: str, country: str) -> tuple[str, str, str]:
    pc = value.strip().upper()
    if not pc:
        m = POSTCODE_IN_CITY.match(city.strip())
        if not m:
            return "", "missing", city.strip()
        pc, city = m.group(1), m.group(2)
    pc = re.sub(r"^[BF]-?", "", pc).replace(" ", "")
    if country == "FR" and re.fullmatch(r"\d{4}", pc):
        pc = "0" + pc  # a spreadsheet ate the leading zero
    ok = (
        re.fullmatch(r"[1-9]\d{3}", pc)
        if country == "BE"
        else re.fullmatch(r"\d{5}", pc)
        if country == "FR"
        else re.fullmatch(r"\d{4,5}", pc)
    )
    return pc, "valid" if ok else "invalid", city.strip()


def clean_date(value: str) -> str:
    v = value.strip()
    if not v:
        return ""
    if v.isdigit():  # Excel serial day number
        n = int(v)
        return (EXCEL_EPOCH + pd.Timedelta(days=n)).date().isoformat() if 20000 < n < 80000 else ""
    # dayfirst=True would turn ISO 2024-03-12 into 12 March's mirror, 3 December
    ts = pd.to_datetime(v, dayfirst=not ISO_DATE.match(v), errors="coerce")
    return "" if pd.isna(ts) else ts.date().isoformat()


def clean_opt_out(value: str) -> str:
    v = value.strip().casefold()
    return "true" if v in YES else "false" if v in NO else ""


# --------------------------------------------------------------------------- per row


def clean_row(row: pd.Series) -> dict:
    get = row.get
    country = norm_country(get("country", ""), get("vat", ""), get("postcode", ""))
    vat, vat_status = clean_vat(get("vat", ""), country)
    siret, siret_status = clean_siret(get("siret", ""))
    email, email_status, email_reason = clean_email(get("email", ""))
    phone, phone_status = clean_phone(get("phone", ""), country)
    mobile, mobile_status = clean_phone(get("mobile", ""), country)
    postcode, postcode_status, city = clean_postcode(get("postcode", ""), get("city", ""), country)
    return {
        "company_name_norm": norm_company(get("company_name", "")),
        "vat": vat, "vat_status": vat_status, "siret": siret, "siret_status": siret_status,
        "postcode": postcode, "postcode_status": postcode_status, "city": city,
        "country": country,
        "email": email, "email_status": email_status, "email_reason": email_reason,
        "phone": phone, "phone_status": phone_status,
        "mobile": mobile, "mobile_status": mobile_status,
        "source_date": clean_date(get("source_date", "")),
        "opt_out": clean_opt_out(get("opt_out", "")),
    }  # fmt: skip


def clean(df: pd.DataFrame) -> pd.DataFrame:
    cleaned = df.apply(clean_row, axis=1, result_type="expand")
    if "siret" not in df:  # CRM exports have no SIRET column
        cleaned = cleaned.drop(columns=["siret", "siret_status"])
    out = df.copy()
    for col in cleaned.columns:
        out[col] = cleaned[col]
    first = [c for c in ("external_id", "company_name", "company_name_norm") if c in out]
    return out[first + [c for c in out.columns if c not in first]]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Naive per-row pandas cleaning of a BE/FR contact file (speed baseline).",
        epilog="Example: python benchmarks/baseline_pandas.py bench-data/contacts_100k.csv "
        "-o out/baseline_100k.csv",
    )
    p.add_argument("input", type=Path, help="contact CSV (purchased-list or CRM layout)")
    p.add_argument("-o", "--out", type=Path, required=True, help="cleaned CSV to write (UTF-8)")
    args = p.parse_args(argv)
    warnings.simplefilter("ignore")  # pandas date-format chatter, once per value
    t0 = time.perf_counter()
    df = read_contacts(args.input)
    t1 = time.perf_counter()
    out = clean(df) if len(df) else df
    t2 = time.perf_counter()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(args.out, index=False)
    t3 = time.perf_counter()
    print(
        f"{len(df):,} rows: read {t1 - t0:.1f} s, clean {t2 - t1:.1f} s, "
        f"write {t3 - t2:.1f} s, total {t3 - t0:.1f} s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
