"""Registry benchmark: build an index from generated bulk files of realistic size, then
attach it to 1M cleaned contact rows.

    python benchmarks/registry.py          # 2M KBO enterprises (36M activities), 25M SIRENE units, 35M establishments
    python benchmarks/registry.py --enterprises 200000 --activities 8 --units 1000000 --establishments 0   # smaller

Generated in the published layouts (REGISTRIES.md): a KboOpenData zip (enterprise,
denomination, address, activity — 18 activities per enterprise by default, about the real
file's length — code, meta), a StockUniteLegale CSV (35 columns) and a StockEtablissement
CSV (48 columns: every unit's seat, and more establishments; about 7 GB). The identifiers of the cleaned contact file are among
them, so attaching finds companies. Prints one table: wall time and peak RSS per step.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
from run import DATA, ENRICH, PY, measure  # noqa: E402

from fixtures.make_fixtures import SIRENE_ETAB_HEADER  # noqa: E402

UL_HEADER = [  # StockUniteLegale, 35 columns (REGISTRIES.md 2.2)
    "siren",
    "statutDiffusionUniteLegale",
    "unitePurgeeUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "sexeUniteLegale",
    "prenom1UniteLegale",
    "prenom2UniteLegale",
    "prenom3UniteLegale",
    "prenom4UniteLegale",
    "prenomUsuelUniteLegale",
    "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale",
    "nombrePeriodesUniteLegale",
    "categorieEntreprise",
    "anneeCategorieEntreprise",
    "dateDebut",
    "etatAdministratifUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale",
    "activitePrincipaleNAF25UniteLegale",
]
BANDS = [
    "NN",
    "00",
    "01",
    "02",
    "03",
    "11",
    "12",
    "21",
    "22",
    "31",
    "32",
    "41",
    "42",
    "51",
    "52",
    "53",
    "",
]
NACE = [
    "62010",
    "46690",
    "11050",
    "43320",
    "52290",
    "69201",
    "18120",
    "28990",
    "45201",
    "74103",
    "47190",
    "88911",
    "56101",
    "41101",
]


def be_numbers(first8: np.ndarray) -> np.ndarray:
    """Valid enterprise numbers (mod 97) from 8-digit stems."""
    if first8.size == 0:
        return np.empty(0, dtype="U10")
    return np.char.zfill((first8 * 100 + (97 - first8 % 97)).astype(str), 10)


def sirens(first8: np.ndarray) -> np.ndarray:
    """Valid SIRENs (Luhn) from 8-digit stems."""
    if first8.size == 0:
        return np.empty(0, dtype="U9")
    digits = np.stack([(first8 // 10 ** (7 - i)) % 10 for i in range(8)], axis=1)
    doubled = digits.copy()
    doubled[:, 1::2] *= 2  # with the check digit appended, these positions are doubled
    doubled[doubled > 9] -= 9
    check = (10 - doubled.sum(axis=1) % 10) % 10
    return np.char.zfill((first8 * 10 + check).astype(str), 9)


def kbo_zip(path: Path, wanted: list[str], n: int, activities: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    extra = be_numbers(
        rng.choice(np.arange(2_000_000, 9_999_999), size=max(n - len(wanted), 0) * 2, replace=False)
    )
    numbers = np.unique(np.concatenate([np.array(wanted, dtype="U10"), extra]))[:n]
    dotted = (
        pl.Series(numbers).str.slice(0, 4)
        + "."
        + pl.Series(numbers).str.slice(4, 3)
        + "."
        + pl.Series(numbers).str.slice(7, 3)
    )
    q = lambda s: '"' + s + '"'  # noqa: E731  every text quoted
    ent = pl.DataFrame({"n": dotted}).select(
        (q(pl.col("n")) + ',"AC","000","2","610",,' + pl.lit("01-01-2001")).alias("line")
    )
    den = pl.DataFrame({"n": dotted, "i": np.arange(len(dotted))}).select(
        (q(pl.col("n")) + ',"2","001","Onderneming ' + pl.col("i").cast(pl.String) + ' BV"').alias(
            "line"
        )
    )
    adr = pl.DataFrame(
        {"n": dotted, "z": rng.integers(1000, 9999, len(dotted)).astype(str)}
    ).select(
        (
            q(pl.col("n"))
            + ',"REGO",,,"'
            + pl.col("z")
            + '","Gemeente","Commune","Straat","Rue","1","","",'
        ).alias("line")
    )
    reps = np.repeat(np.arange(len(dotted)), activities)
    act = pl.DataFrame(
        {
            "n": dotted.gather(reps),
            "code": np.array(NACE)[rng.integers(0, len(NACE), reps.size)],
            "v": np.array(["2025", "2008", "2003"])[rng.integers(0, 3, reps.size)],
            "g": np.array(["003", "001", "006"])[rng.integers(0, 3, reps.size)],
            "c": np.array(["MAIN", "SECO"])[rng.integers(0, 2, reps.size)],
        }
    ).select(
        (
            q(pl.col("n"))
            + ',"'
            + pl.col("g")
            + '","'
            + pl.col("v")
            + '","'
            + pl.col("code")
            + '","'
            + pl.col("c")
            + '"'
        ).alias("line")
    )
    codes = [
        f'"Nace{v}","{c}","{lang}","label {c}"'
        for v in ("2003", "2008", "2025")
        for c in NACE
        for lang in ("FR", "NL")
    ]
    codes += [
        '"JuridicalForm","610","FR","Société à responsabilité limitée"',
        '"JuridicalForm","610","NL","Besloten vennootschap"',
    ]
    files = {
        "meta.csv": '"Variable","Value"\r\n"SnapshotDate","03-10-2025"\r\n"ExtractNumber","140"\r\n',
        "code.csv": '"Category","Code","Language","Description"\r\n' + "\r\n".join(codes) + "\r\n",
    }
    headers = {
        "enterprise.csv": (
            '"EnterpriseNumber","Status","JuridicalSituation","TypeOfEnterprise","JuridicalForm","JuridicalFormCAC","StartDate"',
            ent,
        ),
        "denomination.csv": ('"EntityNumber","Language","TypeOfDenomination","Denomination"', den),
        "address.csv": (
            '"EntityNumber","TypeOfAddress","CountryNL","CountryFR","Zipcode","MunicipalityNL","MunicipalityFR","StreetNL","StreetFR",'
            '"HouseNumber","Box","ExtraAddressInfo","DateStrikingOff"',
            adr,
        ),
        "activity.csv": (
            '"EntityNumber","ActivityGroup","NaceVersion","NaceCode","Classification"',
            act,
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in files.items():
            z.writestr(name, text)
        for name, (header, frame) in headers.items():
            with z.open(name, "w", force_zip64=True) as out:
                out.write((header + "\r\n").encode())
                for start in range(0, frame.height, 2_000_000):
                    out.write(
                        (
                            "\r\n".join(frame["line"].slice(start, 2_000_000).to_list()) + "\r\n"
                        ).encode()
                    )


def sirene_csv(path: Path, wanted: list[str], n: int, seed: int) -> None:
    rng = np.random.default_rng(seed + 1)
    extra = sirens(
        rng.choice(
            np.arange(10_000_000, 99_999_999),
            size=max(n - len(wanted), 0) + len(wanted),
            replace=False,
        )
    )
    numbers = np.unique(np.concatenate([np.array(wanted, dtype="U9"), extra]))[:n]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(UL_HEADER) + "\n")
    for start in range(0, len(numbers), 1_000_000):
        part = numbers[start : start + 1_000_000]
        m = len(part)
        cols = {c: pl.repeat("", m, eager=True) for c in UL_HEADER}
        cols.update(
            siren=pl.Series(part),
            statutDiffusionUniteLegale=pl.repeat("O", m, eager=True),
            dateCreationUniteLegale=pl.repeat("2010-05-01", m, eager=True),
            trancheEffectifsUniteLegale=pl.Series(np.array(BANDS)[rng.integers(0, len(BANDS), m)]),
            anneeEffectifsUniteLegale=pl.repeat("2023", m, eager=True),
            categorieEntreprise=pl.repeat("PME", m, eager=True),
            etatAdministratifUniteLegale=pl.Series(np.where(rng.random(m) < 0.3, "C", "A")),
            denominationUniteLegale=pl.Series([f"SOCIETE {start + i}" for i in range(m)]),
            categorieJuridiqueUniteLegale=pl.repeat("5710", m, eager=True),
            activitePrincipaleUniteLegale=pl.repeat("62.01Z", m, eager=True),
            nomenclatureActivitePrincipaleUniteLegale=pl.repeat("NAFRev2", m, eager=True),
            nicSiegeUniteLegale=pl.repeat("00010", m, eager=True),
            caractereEmployeurUniteLegale=pl.repeat("O", m, eager=True),
        )
        with open(path, "ab") as fh:
            pl.DataFrame(cols).select(UL_HEADER).write_csv(fh, include_header=False)


def establishments_csv(path: Path, units: Path, n: int, seed: int) -> None:
    """A StockEtablissement CSV (48 columns) of *n* establishments of the legal units of
    *units*: each unit's seat (its nicSiegeUniteLegale, 00010), then further, closed or
    open, non-seat establishments of random units."""
    rng = np.random.default_rng(seed + 2)
    numbers = pl.scan_csv(units, infer_schema=False).select("siren").collect()["siren"].to_numpy()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(SIRENE_ETAB_HEADER) + "\n")
    extra = max(n - len(numbers), 0)
    owners = np.concatenate([numbers, numbers[rng.integers(0, len(numbers), extra)]])
    nics = np.concatenate(
        [
            np.full(len(numbers), "00010"),
            np.char.zfill(rng.integers(20, 99_999, extra).astype(str), 5),
        ]
    )
    for start in range(0, len(owners), 1_000_000):
        m = len(owners[start : start + 1_000_000])
        siren, nic = pl.Series(owners[start : start + m]), pl.Series(nics[start : start + m])
        cols = {c: pl.repeat("", m, eager=True) for c in SIRENE_ETAB_HEADER}
        cols.update(
            siren=siren,
            nic=nic,
            siret=siren + nic,
            statutDiffusionEtablissement=pl.repeat("O", m, eager=True),
            etablissementSiege=(nic == "00010").replace_strict(
                {True: "true", False: "false"}, return_dtype=pl.String
            ),
            numeroVoieEtablissement=pl.Series(rng.integers(1, 200, m).astype(str)),
            typeVoieEtablissement=pl.repeat("RUE", m, eager=True),
            libelleVoieEtablissement=pl.repeat("DE LA REPUBLIQUE", m, eager=True),
            codePostalEtablissement=pl.Series(
                np.char.zfill(rng.integers(1000, 95999, m).astype(str), 5)
            ),
            libelleCommuneEtablissement=pl.repeat("VILLE", m, eager=True),
            dateDebut=pl.repeat("2010-05-01", m, eager=True),
            etatAdministratifEtablissement=pl.Series(np.where(rng.random(m) < 0.4, "F", "A")),
            activitePrincipaleEtablissement=pl.repeat("62.01Z", m, eager=True),
            nomenclatureActivitePrincipaleEtablissement=pl.repeat("NAFRev2", m, eager=True),
        )
        with open(path, "ab") as fh:
            pl.DataFrame(cols).select(SIRENE_ETAB_HEADER).write_csv(fh, include_header=False)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--enterprises", type=int, default=2_000_000)
    ap.add_argument(
        "--activities", type=int, default=18, help="activity rows per enterprise (default 18)"
    )
    ap.add_argument("--units", type=int, default=25_000_000, help="SIRENE legal units")
    ap.add_argument(
        "--establishments",
        type=int,
        default=35_000_000,
        help="SIRENE establishments (seats and others; 0: none)",
    )
    ap.add_argument(
        "--contacts",
        default=str(DATA / "out" / "clean_1000000.parquet"),
        help="cleaned rows to attach (make bench writes it)",
    )
    args = ap.parse_args()
    out = DATA / "registry"
    out.mkdir(parents=True, exist_ok=True)
    contacts = (
        pl.read_parquet(args.contacts, columns=["enterprise_number", "siren"])
        if Path(args.contacts).exists()
        else None
    )
    kbo = out / f"KboOpenData_{args.enterprises}_{args.activities}_Full.zip"
    units = out / f"StockUniteLegale_{args.units}.csv"
    t = time.perf_counter()
    if not kbo.exists():
        kbo_zip(
            kbo,
            contacts["enterprise_number"].drop_nulls().unique().sort().to_list()
            if contacts is not None
            else [],
            args.enterprises,
            args.activities,
            42,
        )
    if not units.exists():
        sirene_csv(
            units,
            contacts["siren"].drop_nulls().unique().sort().to_list()
            if contacts is not None
            else [],
            args.units,
            42,
        )
    seats = (
        out / f"StockEtablissement_{args.units}_{args.establishments}.csv"
        if args.establishments
        else None
    )
    if seats is not None and not seats.exists():
        establishments_csv(seats, units, args.establishments, 42)
    print(
        f"generated in {time.perf_counter() - t:.0f} s: {kbo.name} ({kbo.stat().st_size >> 20} MB), {units.name} ({units.stat().st_size >> 20} MB)",
        file=sys.stderr,
    )
    index = out / "index"
    rows = []
    wall, rss, _ = measure(
        [
            *ENRICH,
            "registry",
            "build",
            "--kbo",
            str(kbo),
            "--sirene",
            str(units),
            "-o",
            str(index),
            "-q",
            *(["--sirene-establishments", str(seats)] if seats else []),
        ]
    )
    meta = json.loads((index / "meta.json").read_text())
    rows.append(
        (
            "registry build",
            f"{args.enterprises:,} BE ({args.enterprises * args.activities:,} activities) + {args.units:,} FR"
            + (f" ({args.establishments:,} establishments)" if seats else ""),
            wall,
            rss,
        )
    )
    if contacts is not None:
        probe = (
            "import sys, time, polars as pl; from enrich.registry.attach import attach;"
            "f = pl.read_parquet(sys.argv[1]); t = time.perf_counter(); a = attach(f, sys.argv[2]);"
            "print(round(time.perf_counter() - t, 2), int((a['registry_match'].is_in(['enterprise_number', 'siren'])).sum()))"
        )
        wall, rss, stdout = measure([PY, "-c", probe, args.contacts, str(index)])
        seconds, found = stdout.split()
        rows.append(
            (
                f"attach (in-process {seconds} s; {int(found):,} rows found)",
                f"{len(contacts):,} rows",
                wall,
                rss,
            )
        )
    print(f"\n{'step':55s} {'size':48s} {'wall s':>7s} {'peak RSS MB':>12s}")
    for name, size, wall, rss in rows:
        print(f"{name:55s} {size:48s} {wall:7.1f} {rss:12.0f}")
    print(f"index: {meta['companies']}")
    print(
        "targets (issue #6): build within 4 GB peak; attach 1M rows to a 2M-company index <= 30 s"
    )


if __name__ == "__main__":
    main()
