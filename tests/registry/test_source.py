"""The table of sources drives the index: a made-up Luxembourg adapter registered beside KBO
is built, looked up and attached without a line of the index naming it; and each real
adapter fills the columns it declares."""

from pathlib import Path

import polars as pl
import pytest

from enrich.registry import SOURCES, archive, index, kbo, sirene
from enrich.registry.attach import attach
from enrich.registry.folder import NAME_COLUMNS, NAME_KEYS
from enrich.registry.source import Bulk, bands, registry_key
from enrich.ruleset import Rules
from tests.conftest import FIXTURES
from tests.registry.conftest import KBO, SEATS, UNITS


class Rbe:
    """An adapter of the shape of ``kbo.py`` (a module would do the same)."""

    NAME = "rbe"
    COUNTRY = "LU"
    KEY = "rcs_lu"
    INPUTS = {"rbe_csv": "an RBE file (--rbe)"}
    FILLS = ("country", "registry_id", "official_name", "registry_status", "postcode")
    NO_SIZE = "no headcount in the RBE"
    HAS_ACTIVITIES = False

    @staticmethod
    def given(files):
        return bool(files.get("rbe_csv"))

    @staticmethod
    def read(files, work, limits, rules):
        rows = pl.scan_csv(files["rbe_csv"], infer_schema=False)
        return Bulk(
            meta={"file": Path(files["rbe_csv"]).name},
            companies=rows.select(
                pl.lit("LU").alias("country"),
                pl.col("rcs").alias("registry_id"),
                pl.col("name").alias("official_name"),
                pl.lit("active").alias("registry_status"),
                pl.col("postcode"),
            ),
            names=rows.select(
                pl.lit("LU").alias("country"),
                pl.col("rcs").alias("registry_id"),
                pl.lit("legal").alias("kind"),
                pl.lit("fr").alias("language"),
                pl.col("name"),
            ),
        )

    @staticmethod
    def ids(number):
        return [number.upper()] if number.upper().startswith("B") else []

    @staticmethod
    def nace_key():
        return pl.lit(None, pl.String)

    @staticmethod
    def size_bands(rules):
        return bands({}, "LU")

    @staticmethod
    def spellings(registry_id):
        return [registry_id]


@pytest.fixture
def with_rbe(monkeypatch, tmp_path):
    table = (*SOURCES, Rbe)
    for module in ("index", "attach"):
        monkeypatch.setattr(f"enrich.registry.{module}.SOURCES", table)
    rbe = tmp_path / "rbe.csv"
    rbe.write_text("rcs,name,postcode\nB123456,Brasserie Nationale,L-3378\n", encoding="utf-8")
    out = tmp_path / "index"
    meta = index.build(out, kbo_zip=str(FIXTURES / "registry" / KBO), rbe_csv=str(rbe))
    return out, meta


def test_a_registered_adapter_is_built_looked_up_and_attached(with_rbe):
    out, meta = with_rbe
    assert list(meta["sources"]) == ["kbo", "rbe"] and meta["companies"]["LU active"] == 1
    lu = pl.read_parquet(out / "companies.parquet").filter(pl.col("country") == "LU")
    assert lu.select("registry_id", "official_name", "size_reason").rows() == [
        ("B123456", "Brasserie Nationale", "no headcount in the RBE")
    ]
    assert [(c["country"], c["registry_id"]) for c in index.lookup(out, "b123456")] == [
        ("LU", "B123456")
    ]  # the number is read by its adapter, not by the Belgian or French one
    assert [c["country"] for c in index.lookup(out, "0403.170.701")] == ["BE"]
    rows = pl.DataFrame({"rcs_lu": ["B123456", None], "enterprise_number": [None, "0403170701"]})
    attached = attach(rows, out)
    assert attached["registry_match"].to_list() == ["rcs_lu", "enterprise_number"]
    assert attached["registry_name"][0] == "Brasserie Nationale"


def test_files_of_no_registered_adapter_are_refused(tmp_path):
    with pytest.raises(TypeError, match="rbe_csv"):
        index.build(tmp_path / "index", kbo_zip="x.zip", rbe_csv="rbe.csv")


def test_the_key_of_a_row_is_the_first_source_s_in_the_table():
    frame = pl.DataFrame(
        {"siren": ["552120222", "552120222"], "enterprise_number": [None, "0403170701"]}
    )
    country, registry_id = registry_key(SOURCES)
    assert frame.select(country, registry_id).rows() == [
        ("FR", "552120222"),
        ("BE", "0403170701"),
    ]


@pytest.mark.parametrize(
    ("source", "files"),
    [
        (kbo, {"kbo_zip": str(FIXTURES / "registry" / KBO)}),
        (
            sirene,
            {
                "sirene_units": str(FIXTURES / "registry" / UNITS),
                "sirene_establishments": str(FIXTURES / "registry" / SEATS),
            },
        ),
    ],
)
def test_each_adapter_fills_the_columns_it_declares(source, files, tmp_path):
    bulk = source.read(files, tmp_path, archive.Limits(), Rules.default())
    assert sorted(bulk.companies.collect_schema().names()) == sorted(source.FILLS)
    # every name at every place of its company, the index adds the keys that find it
    names = bulk.names() if callable(bulk.names) else bulk.names
    assert set(names.collect_schema().names()) == set(NAME_COLUMNS) - set(NAME_KEYS)
    assert (bulk.activities is not None) == source.HAS_ACTIVITIES
    assert source.given(files) and not source.given({})
