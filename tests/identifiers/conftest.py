import polars as pl
import pytest

from enrich.identifiers.common import verdict


@pytest.fixture(scope="session")
def vectorised_agrees():
    """check(values) == [verdict(validate, v) …]: an adapter's two forms say the same."""

    def agrees(check, validate, values: list[str]) -> None:
        out = check(pl.LazyFrame({"n": values}), "n", "o").collect()
        ours = list(zip(out["o_status"], out["o_reason"], strict=True))
        assert ours == [verdict(validate, v) for v in values]

    return agrees
