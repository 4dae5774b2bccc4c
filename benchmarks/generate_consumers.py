"""Generate synthetic consumer files (people without a company) with their true matches.

What a webshop, a loyalty programme and a mailing list hold about the same people, typed
several times over years — for the consumer-linking benchmark (``make bench``). The mess is
drawn to be hard, not flattering:

* names follow the real skew: a head of very common surnames (Peeters, Martin, Dubois …)
  and first names carries a third of the people (thousands of "Jan Peeters"), the rest a
  long tail; families share a surname and an address (spouses, children, a few twins born on
  the same day), which only the first name and birth date tell apart;
* a person's records differ by typos, accents dropped, capitals, first and last name swapped
  or typed in the wrong column, a diminutive or an initial for the first name, a married name,
  birth dates with day and month swapped, a digit wrong, a year off by one, or missing, a move
  (a new address, often in another town), a new e-mail or mobile, a shared family e-mail
  (an address is one person's or one family's: a taken one gets digits, as providers do);
* three files of three layouts: ``webshop.csv`` (UTF-8, ``,``, English headers, ISO dates),
  ``loyalty.csv`` (cp1252, ``;``, French headers, dd/mm/yyyy, CRLF), ``mailing_nl.csv`` (cp1252,
  ``;``, Dutch headers, d-m-yyyy, no country column, a mobile under a header that says nothing).

Everything comes from one ``random.Random(seed)``: the same arguments give the same bytes.
``truth.csv`` holds ``file,row,person`` (``row``: 1-based record number after the header).

    python benchmarks/generate_consumers.py --rows 1000000 --out bench-data/consumers
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import time
import unicodedata
from itertools import accumulate
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate_contacts as g  # noqa: E402  (word lists, places, phone formats, typos)

FIRST_DE_M = ["Thomas", "Michael", "Andreas", "Stefan", "Klaus", "Jürgen", "Uwe", "Frank"]
FIRST_DE_F = ["Sabine", "Petra", "Claudia", "Monika", "Birgit", "Ursula", "Anja", "Katrin"]
LAST_DE = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"]
# what a person is also called (the generator's own list, not enrich's rules/first_names.toml)
NICKNAMES = {
    "Jean-Pierre": ["JP", "Jean Pierre"], "Jean-François": ["JF", "Jean Francois"],
    "Marie-Claire": ["Marie Claire"], "Anne-Sophie": ["Anne Sophie", "AS"],
    "Johannes": ["Hans", "Jan"], "Pieter": ["Piet", "Peter"], "Katrien": ["Katrijn", "Trien"],
    "Catherine": ["Cathy", "Kathy"], "Elisabeth": ["Lisa", "Els", "Liesbeth"],
    "Nicolas": ["Nico", "Nicholas"], "Christophe": ["Chris"], "Kristel": ["Kris", "Christel"],
    "Guillaume": ["William", "Willem"], "Frédéric": ["Fred"], "Alexandre": ["Alex"],
    "Jacques": ["Jack", "Jacky"], "Thomas": ["Tom", "Tommy"], "Stefan": ["Steven", "Stephan"],
    "Dominique": ["Dom"], "Sébastien": ["Seb"], "Maximilien": ["Max"], "Wouter": ["Walter"],
    "Joseph": ["Jef", "Jos", "José"], "Hendrik": ["Henk", "Rik", "Henri"],
}  # fmt: skip
SYLLABLES = (  # noqa: SIM905
    "van de ver der ber ghe man mans ens aert broe cke dael doo gae hel ker laer lie mee "
    "moer naer oost pee rae schu sle ste tie vael wae wou zee ba bo ca co da di fa fe ga go "
    "la le lo ma mi na no pa pe ra ri ro sa se ta te va vi "
    "bert lin mont val roc court ville mar gnon net chet rin lard teau lier geot vois"
).split()
PREFIXES = [""] * 14 + ["Van ", "De ", "Van den ", "Le ", "Du ", "Vanden", "De la ", "Ver"]
FREEMAIL = sorted(set(g.FREEMAIL_BE + g.FREEMAIL_FR + ["web.de", "gmx.de", "ziggo.nl"]))
FILES = {
    # file: (encoding, delimiter, line end, header → field, date format)
    "webshop.csv": ("utf-8", ",", "\n", {
        "Customer ID": "record", "First Name": "first", "Last Name": "last", "Email": "email",
        "Phone": "mobile", "Date of Birth": "birth", "Gender": "gender", "Address": "street",
        "Zip": "postcode", "City": "city", "Country": "country"}, "%Y-%m-%d"),
    "loyalty.csv": ("cp1252", ";", "\r\n", {
        "N° carte": "record", "Civilité": "civ", "Nom": "last", "Prénom": "first",
        "Date de naissance": "birth", "Adresse": "street", "CP": "postcode", "Localité": "city",
        "Pays": "country", "Courriel": "email", "GSM": "mobile"}, "%d/%m/%Y"),
    "mailing_nl.csv": ("cp1252", ";", "\r\n", {
        "Naam": "last", "Voornaam": "first", "Geboortedatum": "birth", "Straat": "street",
        "Postcode": "postcode", "Gemeente": "city", "E-mailadres": "email", "Veld 3": "mobile"},
        "%-d-%-m-%Y"),
}  # fmt: skip
FILE_WEIGHTS = [0.45, 0.35, 0.20]


def zipf_choice(rnd: Random, items: list, cum: list[float]):
    return items[min(bisect_right(cum, rnd.random() * cum[-1]), len(items) - 1)]


def bisect_right(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < cum[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


def zipf_cum(n: int, s: float = 1.0) -> list[float]:
    return list(accumulate(1 / (i + 1) ** s for i in range(n)))


def tail_surname(rnd: Random) -> str:
    """A surname from the long tail: a prefix and two or three syllables (hundreds of thousands)."""
    word = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.choice((2, 2, 3))))
    prefix = rnd.choice(PREFIXES)
    return (prefix + word.capitalize()) if not prefix.endswith(("n", "r")) else prefix + word


class People:
    """The true people: names, birth date, home, e-mail, mobile; families share a home."""

    def __init__(self, rnd: Random):
        self.rnd = rnd
        self.first = {
            ("fr", "M"): g.FIRST_FR_M, ("fr", "F"): g.FIRST_FR_F, ("nl", "M"): g.FIRST_NL_M,
            ("nl", "F"): g.FIRST_NL_F, ("de", "M"): FIRST_DE_M, ("de", "F"): FIRST_DE_F,
        }  # fmt: skip
        self.first_cum = {k: zipf_cum(len(v), 0.7) for k, v in self.first.items()}
        self.last = {"fr": g.LAST_FR, "nl": g.LAST_NL, "de": LAST_DE}
        self.last_cum = {k: zipf_cum(len(v), 0.9) for k, v in self.last.items()}
        self.be_places = [p for p in g.BE_PLACES]
        self.be_cum = list(accumulate(p[4] for p in self.be_places))
        self.fr_cum = list(accumulate(p[2] for p in g.FR_PLACES))
        self.taken: set[str] = set()  # a mailbox is one person's (or one family's)

    def country(self) -> tuple[str, str]:
        r = self.rnd.random()
        if r < 0.55:
            return "BE", "nl" if self.rnd.random() < 0.55 else "fr"
        if r < 0.9:
            return "FR", "fr"
        return ("NL", "nl") if r < 0.95 else ("DE", "de")

    def home(self, country: str, lang: str) -> tuple[str, str, str, str]:
        rnd = self.rnd
        # the number is anywhere on a street of `length` numbers (most streets are short):
        # 1 to 15 each about 3.7 % of homes, 50 0.3 % (not 2 for half of them)
        length = min(400, int(12 * rnd.paretovariate(1.0)) + 3)
        number = str(rnd.randint(1, length))
        if country == "BE":
            pc, fr_name, nl_name, _, _ = zipf_choice(rnd, self.be_places, self.be_cum)
            street = rnd.choice(g.STREETS_BE_NL if lang == "nl" else g.STREETS_BE_FR)
            return street, number, pc, nl_name if lang == "nl" else fr_name
        if country == "FR":
            pc, city, _ = zipf_choice(rnd, g.FR_PLACES, self.fr_cum)
            street = f"{rnd.choice(g.STREET_TYPES_FR)} {rnd.choice(g.STREET_NAMES_FR)}"
            return street, number, pc, city
        if country == "NL":
            pc = f"{rnd.randrange(1000, 9999)} {rnd.choice('ABCDEGHJKLMNPRSTVWXZ')}{rnd.choice('ABCDEGHJKLMNPRSTVWXZ')}"
            return rnd.choice(g.STREETS_BE_NL), number, pc, rnd.choice(["Amsterdam", "Utrecht", "Breda", "Tilburg", "Eindhoven", "Rotterdam"])  # fmt: skip
        pc = str(rnd.randrange(10000, 99999))
        street = rnd.choice(["Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße"])
        return street, number, pc, rnd.choice(["Aachen", "Köln", "Trier", "Düsseldorf"])

    def person(self, country: str, lang: str, last: str | None, home, born=None) -> dict:
        rnd = self.rnd
        sex = rnd.choice("MF")
        key = (lang, sex)
        first = zipf_choice(rnd, self.first[key], self.first_cum[key])
        if rnd.random() < 0.04:  # a double first name
            first = f"{first}-{rnd.choice(self.first[key])}"
        if last is None:
            if rnd.random() < 0.3:
                last = zipf_choice(rnd, self.last[lang], self.last_cum[lang])
            else:
                last = tail_surname(rnd)
        if born is None:
            born = dt.date(1935, 1, 1) + dt.timedelta(days=rnd.randrange(26000))
        return {"first": first, "last": last, "sex": sex, "born": born, "home": home,
                "country": country, "lang": lang, "email": self.email(first, last, born, country),
                "mobile": self.mobile(country)}  # fmt: skip

    def email(self, first: str, last: str, born: dt.date, country: str) -> str:
        rnd = self.rnd
        f, la = fold(first).replace(" ", ""), fold(last).replace(" ", "").replace("'", "")
        local = rnd.choice([f"{f}.{la}", f"{f[0]}{la}", f"{f}{la}{born.year % 100:02d}",
                            f"{la}.{f}", f"{f}_{la}{rnd.randrange(1, 99)}", f"{f}{rnd.randrange(100, 9999)}"])  # fmt: skip
        domain = rnd.choice(FREEMAIL)
        while f"{local}@{domain}" in self.taken:  # taken: the provider makes one add digits
            local += str(rnd.randrange(10))
        self.taken.add(f"{local}@{domain}")
        return f"{local}@{domain}"

    def mobile(self, country: str) -> str:
        rnd = self.rnd
        if country == "FR":
            return g.format_fr_phone(g.new_fr_mobile(rnd), rnd.choice(g.FR_PHONE_STYLES))
        if country == "BE":
            return g.format_be_phone(g.new_be_mobile(rnd), rnd.choice(g.BE_PHONE_STYLES))
        if country == "NL":
            return f"+31 6 {g.digits(rnd, 8)}"
        return f"+49 15{rnd.randrange(1, 8)} {g.digits(rnd, 7)}"


def fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


def households(rnd: Random, people: People, n: int):
    """Yield n true people; about a third live with family (one surname, one home)."""
    made = 0
    while made < n:
        country, lang = people.country()
        home = people.home(country, lang)
        head = people.person(country, lang, None, home)
        yield head
        made += 1
        r = rnd.random()
        size = 0 if r < 0.8 else 1 if r < 0.93 else 2 if r < 0.98 else 3
        shared = rnd.random() < 0.08  # one e-mail for the family
        for i in range(min(size, n - made)):
            twin = head["born"] if i == 0 and rnd.random() < 0.03 else None
            other = people.person(country, lang, head["last"], home, twin)
            if shared:
                other["email"] = head["email"]
            yield other
            made += 1


def record(rnd: Random, p: dict, people: People, first_record: bool) -> dict:
    """One typed record of person p: the first close to the truth, later ones messier."""
    mess = 0.5 if first_record else 1.0
    first, last, born = p["first"], p["last"], p["born"]
    street, number, pc, city = p["home"]
    email, mobile = p["email"], p["mobile"]
    if rnd.random() < 0.12 * mess:
        first = typo(first, rnd)
    if rnd.random() < 0.10 * mess:
        last = typo(last, rnd)
    if rnd.random() < 0.08 * mess and first in NICKNAMES:
        first = rnd.choice(NICKNAMES[first])
    elif rnd.random() < 0.04 * mess:
        first = first[0] + "."
    if rnd.random() < 0.03 * mess and p["sex"] == "F":  # a married / maiden name
        last = tail_surname(rnd) if rnd.random() < 0.5 else f"{last}-{tail_surname(rnd)}"
    if rnd.random() < 0.05 * mess:
        first, last = last, first
    if rnd.random() < 0.06 * mess:
        first, last = fold(first).title(), fold(last).title()
    if born is not None and rnd.random() < 0.16 * mess:
        born = wrong_date(rnd, born)
    if rnd.random() < 0.15 * mess:  # moved: another home, often another town
        country = p["country"] if rnd.random() < 0.9 else people.country()[0]
        street, number, pc, city = people.home(country, p["lang"])
    elif rnd.random() < 0.1 * mess:
        street = typo(g.abbreviate(street, rnd) or street, rnd)
    if rnd.random() < 0.15 * mess:
        email = people.email(p["first"], p["last"], p["born"], p["country"])
    elif rnd.random() < 0.04 * mess:
        local, domain = email.split("@")
        email = f"{typo(local, rnd)}@{domain}"
    if rnd.random() < 0.12 * mess:
        mobile = people.mobile(p["country"])
    return {"first": first, "last": last, "born": born, "street": street, "number": number,
            "postcode": pc, "city": city, "email": email, "mobile": mobile, "sex": p["sex"],
            "country": p["country"]}  # fmt: skip


def wrong_date(rnd: Random, born: dt.date) -> dt.date | None:
    r = rnd.random()
    if r < 0.3:
        return None
    if r < 0.55 and born.day <= 12 and born.day != born.month:
        return born.replace(day=born.month, month=born.day)
    if r < 0.75:
        try:
            return born.replace(day=max(1, min(28, born.day + rnd.choice((-10, -1, 1, 10)))))
        except ValueError:
            return born
    try:
        return born.replace(year=born.year + rnd.choice((-1, 1)))
    except ValueError:
        return born


def typo(s: str, rnd: Random) -> str:
    return g.typo(s, rnd) if len(s) >= 4 else s


def cells(rnd: Random, rec: dict, fields: dict, date_format: str, caps: bool) -> list[str]:
    """The record in one file's columns, with missing values and that file's habits."""
    out = []
    for field in fields.values():
        value = ""
        if field == "record":
            value = str(rnd.randrange(10**6, 10**7))
        elif field == "civ":
            value = rnd.choice(("M.", "Monsieur", "M")) if rec["sex"] == "M" else rnd.choice(("Mme", "Madame"))  # fmt: skip
        elif field == "gender":
            value = rec["sex"] if rnd.random() < 0.9 else ""
        elif field == "birth":
            value = rec["born"].strftime(date_format) if rec["born"] else ""
        elif field == "street":
            value = f"{rec['street']} {rec['number']}" if rnd.random() < 0.93 else rec["street"]
            if rec["country"] == "FR":
                value = f"{rec['number']} {rec['street']}"
        elif field == "postcode":
            value = rec["postcode"] if rnd.random() < 0.95 else ""
            if value.startswith("0") and rnd.random() < 0.3:  # Excel ate the zero
                value = value.lstrip("0")
        elif field == "country":
            value = rec["country"] if rnd.random() < 0.8 else ""
        elif field == "email":
            value = rec["email"] if rnd.random() < 0.8 else ""
        elif field == "mobile":
            value = rec["mobile"] if rnd.random() < 0.65 else ""
        else:
            value = rec[{"first": "first", "last": "last", "city": "city"}[field]]
            if field == "first" and rnd.random() < 0.03:
                value = ""
        if caps and field in ("last", "city"):
            value = value.upper()
        out.append(value)
    return out


def generate(rows: int, out: Path, seed: int = 7) -> dict:
    rnd = Random(seed)
    people = People(rnd)
    n_people = int(rows / 1.5)
    copies = [1] * 62 + [2] * 22 + [3] * 9 + [4] * 4 + [5] * 2 + [8]
    planned: list[tuple[int, dict]] = []
    for pid, p in enumerate(households(rnd, people, n_people), 1):
        planned.extend((pid, p) for _ in range(rnd.choice(copies)))
        if len(planned) >= rows:
            break
    planned = planned[:rows]
    rnd.shuffle(planned)
    out.mkdir(parents=True, exist_ok=True)
    names = list(FILES)
    writers, handles, counts = {}, [], dict.fromkeys(names, 0)
    seen: set[int] = set()
    truth = open(out / "truth.csv", "w", newline="", encoding="utf-8")  # noqa: SIM115
    truth.write("file,row,person\n")
    for name in names:
        enc, delim, end, fields, _ = FILES[name]
        fh = open(out / name, "w", newline="", encoding=enc, errors="replace")  # noqa: SIM115
        handles.append(fh)
        writers[name] = csv.writer(fh, delimiter=delim, lineterminator=end)
        writers[name].writerow(list(fields))
    caps = {name: rnd.random() < 0.3 for name in names}
    for pid, p in planned:
        name = rnd.choices(names, FILE_WEIGHTS)[0]
        rec = record(rnd, p, people, pid not in seen)
        seen.add(pid)
        fields, fmt = FILES[name][3], FILES[name][4]
        row = cells(rnd, rec, fields, fmt, caps[name] and rnd.random() < 0.5)
        writers[name].writerow(row)
        counts[name] += 1
        truth.write(f"{name},{counts[name]},{pid}\n")
    for fh in handles:
        fh.close()
    truth.close()
    return {"rows": len(planned), "people": len(seen), **counts}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    t = time.perf_counter()
    made = generate(args.rows, args.out, args.seed)
    made["seconds"] = round(time.perf_counter() - t, 1)
    print(made)
    return 0


if __name__ == "__main__":
    sys.exit(main())
