"""What the state tests share: a master run through the CLI in this process, and a master's
lineage (imported as ``from runs import …``: pytest puts this folder on the path)."""

from pathlib import Path

import polars as pl

CRM = Path(__file__).resolve().parents[2] / "fixtures" / "crm_export.csv"
CRM_ROWS = len(pl.read_csv(CRM, infer_schema=False))  # its data rows


def master(run_cli, out, files, *extra, code=0):
    """`enrich master FILES -o OUT -q EXTRA…`, which must end with *code*; its result."""
    result = run_cli("master", *files, "-o", out, "-q", *extra)
    assert result.exit_code == code, result.output
    return result


def lineage(out) -> pl.DataFrame:
    return pl.read_csv(out / "lineage.csv", infer_schema=False)
