"""What the state tests share: a master run through the CLI in this process, and a master's
lineage (imported as ``from runs import …``: pytest puts this folder on the path)."""

import polars as pl


def master(run_cli, out, files, *extra, code=0):
    """`enrich master FILES -o OUT -q EXTRA…`, which must end with *code*; its result."""
    result = run_cli("master", *files, "-o", out, "-q", *extra)
    assert result.exit_code == code, result.output
    return result


def lineage(out) -> pl.DataFrame:
    return pl.read_csv(out / "lineage.csv", infer_schema=False)
