"""Explain a scored pair of a `dedupe` run or a master from its files (pairs.parquet,
model.json, both checked against the folder's run.json manifest). A dedupe folder keeps
every scored pair; a master the pairs of its run in the review band or above."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ..errors import InputError


def _parse_row(spec: str, files: list[str], run_dir: Path) -> tuple[str, int]:
    file, sep, row = spec.rpartition(":")
    if not row.isdigit():
        raise InputError(f"{spec!r} is not FILE:ROW or ROW", file=str(run_dir))
    if not sep:
        if len(files) != 1:
            raise InputError(
                f"the run read several files: name one as FILE:ROW ({', '.join(files)})",
                file=str(run_dir),
            )
        return files[0], int(row)
    matches = [f for f in files if f == file or f.endswith(file)]
    if len(matches) != 1:
        raise InputError(f"no single input file matches {file!r}", file=str(run_dir))
    return matches[0], int(row)


def explain_pair(run_dir: Path, a: str, b: str, level: str) -> str:
    """A waterfall of the per-field evidence behind one pair's match probability."""
    from ..master import state

    try:
        run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        run = {}
    files = state.listed(run) if isinstance(run, dict) else None
    try:
        data = state.checked(run_dir, "pairs.parquet", files)[0]
        model = json.loads(state.checked(run_dir, "model.json", files)[0])[level]
        pairs = pl.read_parquet(data).filter(pl.col("level") == level)
    except state.Mismatch:
        raise
    except (InputError, ValueError, KeyError, pl.exceptions.PolarsError):
        raise InputError(
            f"not a dedupe or master folder with {level} pairs (pairs.parquet, model.json)",
            file=str(run_dir),
        ) from None
    files = sorted(set(pairs["source_file_l"].to_list()) | set(pairs["source_file_r"].to_list()))
    fa, ra = _parse_row(a, files, run_dir)
    fb, rb = _parse_row(b, files, run_dir)
    hit = pairs.filter(
        (
            (pl.col("source_file_l") == fa)
            & (pl.col("source_row_l") == ra)
            & (pl.col("source_file_r") == fb)
            & (pl.col("source_row_r") == rb)
        )
        | (
            (pl.col("source_file_l") == fb)
            & (pl.col("source_row_l") == rb)
            & (pl.col("source_file_r") == fa)
            & (pl.col("source_row_r") == ra)
        )
    )
    if hit.height == 0:
        return (
            f"{level}: {fa}:{ra} and {fb}:{rb} are not in pairs.parquet: not compared (no "
            "blocking rule puts them together) or, in a master, scored below the review band"
        )
    r = hit.row(0, named=True)
    lines = [
        f"{level} pair {fa}:{ra} ~ {fb}:{rb}  ({r['rule']}, {r['band']})",
        f"  {'prior (λ)':24s} {r.get('w_prior') or 0.0:+7.2f}",
    ]
    for field, spec in model["fields"].items():
        g = r.get(f"g_{field}")
        name = "missing" if g is None or g < 0 else spec["levels"][g]
        lines.append(f"  {field + ' = ' + name:24s} {r.get(f'w_{field}') or 0.0:+7.2f}")
    lines.append(
        f"  {'match weight':24s} {r['match_weight'] or 0.0:+7.2f}  →  probability {r['match_probability']:.4f}"
    )
    return "\n".join(lines)
