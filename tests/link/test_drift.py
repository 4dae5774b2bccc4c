"""Linking quality must not drift with file size (issue #4): the prior is estimated per run,
so the same rules give the same quality on a small and a ten times larger synthetic file.
(`make bench` measures 10k / 100k / 1M rows; this is the small version that runs in CI.)
The same on files with a registry's skew of names (`--realism`, issue #18): namesakes —
"Pharmacie du Centre" in many towns, with other forms, numbers and switchboards — are not
one company."""

import os
import subprocess
import sys
from pathlib import Path

import polars as pl

from enrich.clean import clean_files
from enrich.link.cluster import pairwise_scores
from enrich.link.levels import dedupe

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_contacts.py"


def generated(rows: int, folder: Path, *options: str) -> tuple[Path, Path]:
    data, truth = folder / f"c{rows}.csv", folder / f"c{rows}.truth.csv"
    subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--rows",
            str(rows),
            "--seed",
            "7",
            "--out",
            str(data),
            "--truth",
            str(truth),
            *options,
        ],
        check=True,
        capture_output=True,
        env={"PATH": os.defpath, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},  # not the caller's
        timeout=300,
    )
    return data, truth


def scores_by_level(rows: int, folder: Path, *options: str, models: dict | None = None) -> dict:
    """Pairwise scores per level (*models*: given, the fitted models are put in it)."""
    data, truth = generated(rows, folder, *options)
    found = dedupe(clean_files([str(data)]).frame)
    if models is not None:
        models.update({level: result.model for level, result in found.results.items()})
    true = pl.read_csv(
        truth, schema_overrides={"company_entity": pl.String, "person_entity": pl.String}
    )
    joined = found.frame.select(
        pl.col("source_row").cast(pl.Int64), "company_id", "contact_id"
    ).join(true.rename({"row": "source_row"}), on="source_row")
    out = {}
    for level, predicted, entity in (
        ("company", "company_id", "company_entity"),
        ("contact", "contact_id", "person_entity"),
    ):
        both = joined.drop_nulls([predicted, entity])
        out[level] = pairwise_scores(both[predicted], both[entity])
    return out


def f1_by_level(rows: int, folder: Path, *options: str) -> dict[str, float]:
    return {k: v["f1"] for k, v in scores_by_level(rows, folder, *options).items()}


def test_f1_holds_from_2k_to_20k_rows(tmp_path):
    small, large = f1_by_level(2_000, tmp_path), f1_by_level(20_000, tmp_path)
    for level in ("company", "contact"):
        assert small[level] > 0.95 and large[level] > 0.95, (level, small, large)
        assert abs(small[level] - large[level]) <= 0.02, (level, small, large)


def test_namesakes_stay_apart_from_2k_to_20k_rows(tmp_path):
    small = scores_by_level(2_000, tmp_path, "--realism")
    models: dict = {}
    large = scores_by_level(20_000, tmp_path, "--realism", models=models)
    for level in ("company", "contact"):
        assert small[level]["f1"] > 0.96 and large[level]["f1"] > 0.96, (level, small, large)
        assert abs(small[level]["f1"] - large[level]["f1"]) <= 0.02, (level, small, large)
    assert large["company"]["precision"] > 0.99, large
    # what tells namesakes apart, as the model learnt it: another legal form is strong
    # evidence against; a shared e-mail domain weighs by how many records share it
    company = models["company"]
    same_form, other_form = company.weights()["legal_form_family"]
    assert other_form < -3 < 0 < same_form < 4, company.weights()["legal_form_family"]
    assert "email_domain" in company.tf_fields


def test_realism_files_hold_namesakes_and_misplaced_identifiers(tmp_path):
    """What the skewed files are made of: one common name for many distinct companies, and
    SIRETs typed in the VAT column; without --realism, neither."""

    def made(*options: str) -> pl.DataFrame:
        data, truth = generated(20_000, tmp_path, *options)
        rows = pl.read_csv(data, separator=";", encoding="cp1252", infer_schema=False)
        return rows.with_columns(pl.read_csv(truth, infer_schema=False)["company_entity"])

    for frame, skewed in ((made("--realism"), True), (made(), False)):
        named = frame.filter(pl.col("Raison sociale").str.contains("(?i)pharmacie du centre"))
        siret_in_vat = frame["N° TVA"].str.replace_all(r"[ .]", "").str.contains(r"^\d{14}$")
        assert (named["company_entity"].n_unique() >= 10) is skewed
        assert (siret_in_vat.sum() > 0.02 * frame.height) is skewed
