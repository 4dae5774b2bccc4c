"""`enrich check`: quality gates for data files in CI, like a linter for data.

rules.py    the checks file (rules/checks.toml): kinds, settings, line-numbered errors
run.py      reading each file and running the checks on it (vectorised, per file)
output.py   the human table, JSON, JUnit XML and GitHub workflow annotations
"""
