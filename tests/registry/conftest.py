"""The registry index built once from the bundled snapshot (fixtures/registry/, the
published KBO and SIRENE layouts), shared by the registry tests."""

import zipfile

import polars as pl
import pytest

from enrich.registry.index import build
from tests.conftest import FIXTURES

KBO = "KboOpenData_0140_2025_10_05_Full.zip"
UNITS = "StockUniteLegale_utf8.zip"
SEATS = "StockEtablissement_utf8.csv"


@pytest.fixture(scope="session")
def index(tmp_path_factory):
    out = tmp_path_factory.mktemp("registry") / "index"
    build(
        out,
        kbo_zip=str(FIXTURES / "registry" / KBO),
        sirene_units=str(FIXTURES / "registry" / UNITS),
        sirene_establishments=str(FIXTURES / "registry" / SEATS),
    )
    return out


def company(index, registry_id):
    return (
        pl.read_parquet(index / "companies.parquet")
        .filter(pl.col("registry_id") == registry_id)
        .row(0, named=True)
    )


def rezip(source, target, change):
    """A copy of the KBO zip with *change*(name, bytes) → (name, bytes) or None (dropped)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            kept = change(info.filename, src.read(info))
            if kept:
                dst.writestr(kept[0], kept[1])
    return target
