"""`enrich init` and `enrich run` on the real fixtures, and what a long run shows on stderr:
plain lines when stderr is not a terminal, nothing with --quiet, rich's display under tmux."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

CRM_ROWS = len(
    pl.read_csv(Path(__file__).parents[1] / "fixtures" / "crm_export.csv", infer_schema=False)
)
DEMO = ["crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx"]


def copied(fixtures, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in DEMO:
        shutil.copy(fixtures / name, folder / name)
    return folder


def test_init_then_edit_the_inputs_then_run(run_cli, fixtures, tmp_path):
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    done = run_cli("init", jobs / "monthly.toml")
    assert done.exit_code == 0, done.output
    text = (jobs / "monthly.toml").read_text()
    assert 'inputs = ["crm.csv", "leads.xlsx"]' in text  # nothing beside it to guess from
    for key in ("previous", "decisions", "suppress", "registry", "online", "format", "as_of"):
        assert f"\n# {key} = " in text  # every optional key, commented out
    data = copied(fixtures, tmp_path / "data")
    edited = text.replace(
        '["crm.csv", "leads.xlsx"]', '["../data/crm_export.csv", "../data/salon_leads_nl.xlsx"]'
    )
    (jobs / "monthly.toml").write_text(edited)
    before = Path.cwd()
    ran = run_cli("run", jobs / "monthly.toml", "-q")
    assert ran.exit_code == 0, ran.output
    assert Path.cwd() == before  # the job ran in its folder, and came back
    lineage = pl.read_csv(jobs / "out/master/lineage.csv", infer_schema=False)
    assert lineage.height == CRM_ROWS + 30  # every input row, once
    assert set(lineage["source_file"]) == {
        "../data/crm_export.csv",
        "../data/salon_leads_nl.xlsx#Dag 1",
        "../data/salon_leads_nl.xlsx#Dag 2",
    }  # as the job file names them
    assert (data / "crm_export.csv").read_bytes() == (fixtures / "crm_export.csv").read_bytes()


def test_init_guesses_the_inputs_beside_it_and_keeps_an_existing_file(run_cli, fixtures, tmp_path):
    folder = copied(fixtures, tmp_path / "month")
    (folder / "notes.txt").write_text("not a contact file")
    assert run_cli("init", folder / "job.toml").exit_code == 0
    guessed = (folder / "job.toml").read_text()
    assert 'inputs = ["crm_export.csv", "purchased_list_fr.csv", "salon_leads_nl.xlsx"]' in guessed
    (folder / "job.toml").write_text("# mine\n")
    refused = run_cli("init", folder / "job.toml")
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert (folder / "job.toml").read_text() == "# mine\n"
    assert run_cli("init", folder / "job.toml", "--force").exit_code == 0
    assert (folder / "job.toml").read_text() == guessed
    ran = run_cli("run", folder / "job.toml", "-q")  # the starter runs as written
    assert ran.exit_code == 0, ran.output
    run = json.loads((folder / "out/master/run.json").read_text())
    assert run["rows_in"] == CRM_ROWS + 90 and run["master"]["rejected_rows"] == 4


def test_run_json_records_the_job_and_runs_it_again(run_cli, fixtures, tmp_path, monkeypatch):
    folder = copied(fixtures, tmp_path / "month")
    (folder / "job.toml").write_text(
        'inputs = ["crm_export.csv", "purchased_list_fr.csv"]\nout = "out/master"\n'
        'default_country = "FR"\nas_of = 2026-12-01\n\n'
        '[[input]]\npath = "salon_leads_nl.xlsx"\nsheet = "Dag 2"\ndefault_country = "NL"\n'
    )
    assert run_cli("run", folder / "job.toml", "-q").exit_code == 0
    master = folder / "out/master"
    run = json.loads((master / "run.json").read_text())
    assert run["job_folder"] == str(folder.resolve())
    assert run["job"]["inputs"][2] == {
        "path": "salon_leads_nl.xlsx",
        "sheet": "Dag 2",
        "default_country": "NL",
    }
    assert run["job"]["as_of"] == "2026-12-01" and run["job"]["out"] == "out/master"
    first = {n: (master / n).read_bytes() for n in ("companies.csv", "contacts.csv", "lineage.csv")}
    monkeypatch.chdir(tmp_path)  # from anywhere
    again = run_cli("run", "month/out/master/run.json", "-q", "--force")
    assert again.exit_code == 0, again.output
    assert {n: (master / n).read_bytes() for n in first} == first
    elsewhere = run_cli("run", "month/job.toml", "-o", "december", "-q")  # -o: from here
    assert elsewhere.exit_code == 0, elsewhere.output
    assert (tmp_path / "december/companies.csv").read_bytes() == first["companies.csv"]


def test_a_master_made_by_the_command_line_is_repeated_from_its_run_json(
    run_cli, fixtures, tmp_path, monkeypatch
):
    monkeypatch.chdir(copied(fixtures, tmp_path / "here"))
    assert run_cli("master", *DEMO[:2], "-o", "m", "-q", "--default-country", "BE").exit_code == 0
    assert json.loads(Path("m/run.json").read_text())["job"]["inputs"][0] == {
        "path": "crm_export.csv",
        "default_country": "BE",
    }
    before = Path("m/companies.csv").read_bytes()
    monkeypatch.chdir(tmp_path)
    assert run_cli("run", "here/m", "-q", "--force").exit_code == 0  # the folder: its run.json
    assert (tmp_path / "here/m/companies.csv").read_bytes() == before


def test_a_bad_job_file_is_one_line_and_exit_2(run_cli, fixtures, tmp_path):
    folder = copied(fixtures, tmp_path / "month")
    (folder / "job.toml").write_text('inputs = ["crm_export.csv"]\nout = "out/m"\nprevius = "x"\n')
    bad = run_cli("run", folder / "job.toml")
    assert bad.exit_code == 2
    assert bad.stderr == (
        f"enrich: error: {folder / 'job.toml'}, line 3: unknown key 'previus' "
        "(did you mean 'previous'?)\n"
    )
    assert not (folder / "out").exists()
    (tmp_path / "run.json").write_text('{"command": "master"}')
    old = run_cli("run", tmp_path / "run.json")
    assert old.exit_code == 2 and "records no job" in old.stderr


# --- progress ------------------------------------------------------------------------------


def stage_lines(stderr: str) -> dict[str, str]:
    return {
        line.split(":")[0].removeprefix("stage "): line
        for line in stderr.splitlines()
        if line.startswith("stage ")
    }


def test_a_run_not_on_a_terminal_says_one_plain_line_per_stage_and_a_summary(
    run_cli, fixtures, tmp_path
):
    done = run_cli("master", *(fixtures / f for f in DEMO), "-o", tmp_path / "m")
    assert done.exit_code == 0, done.output
    stages = stage_lines(done.stderr)
    assert list(stages) == [
        "read",
        "map",
        "normalise",
        "link company",
        "link customer",
        "link contact",
        "survive",
        "write",
    ]
    assert stages["read"].startswith(f"stage read: 3 of 3 files, {CRM_ROWS + 90} rows, ")
    assert stages["read"].endswith(" seconds")
    assert stages["normalise"].startswith(f"stage normalise: {CRM_ROWS + 86} rows, ")  # 4 rejected
    summary = done.stderr.split("summary:\n")[1].splitlines()
    figures = {line[:20].strip(): line[20:].split() for line in summary}
    assert figures["rows in"] == [str(CRM_ROWS + 90)]
    assert figures["master companies"] == ["76"] and figures["master contacts"] == ["90"]
    assert figures["rejected"] == ["4"] and figures["review pairs"] == ["2"]
    assert (
        figures["link company"][0] == str(CRM_ROWS + 86) and float(figures["link company"][1]) >= 0
    )
    assert "\x1b[" not in done.stderr  # no terminal codes in a log


def test_clean_and_dedupe_show_their_stages_and_quiet_shows_nothing(run_cli, fixtures, tmp_path):
    crm = fixtures / "crm_export.csv"
    cleaned = run_cli("clean", crm, "-o", tmp_path / "c.csv")
    assert list(stage_lines(cleaned.stderr)) == ["read", "map", "normalise", "write"]
    assert f"  rows out                  {CRM_ROWS}" in cleaned.stderr
    deduped = run_cli("dedupe", crm, "-o", tmp_path / "d")
    assert "link company" in stage_lines(deduped.stderr)
    assert f"  records                   {CRM_ROWS}" in deduped.stderr
    for args in (
        ("clean", crm, "-o", tmp_path / "c2.csv"),
        ("dedupe", crm, "-o", tmp_path / "d2"),
        ("master", crm, "-o", tmp_path / "m2"),
    ):
        quiet = run_cli(*args, "-q")
        assert quiet.exit_code == 0 and quiet.stderr == "", quiet.stderr


def test_the_library_stays_silent_without_a_view(fixtures, tmp_path, capfd):
    from enrich.job import Input, Job
    from enrich.pipeline import run
    from enrich.progress import Progress

    seen = Progress()
    run(Job([Input(str(fixtures / "crm_export.csv"))], str(tmp_path / "a")), shown=seen)
    run(Job([Input(str(fixtures / "crm_export.csv"))], str(tmp_path / "b")))
    assert capfd.readouterr() == ("", "")
    assert [s.name for s in seen.stages][:3] == ["read", "map", "normalise"]
    assert seen.figures["rows_in"] == CRM_ROWS


def test_on_a_terminal_rich_shows_the_stages_and_a_summary_table(fixtures, tmp_path, clean_env):
    folder = copied(fixtures, tmp_path / "month")
    (folder / "job.toml").write_text(f"inputs = {json.dumps(DEMO)}\nout = 'out/master'\n")
    socket = f"enrich-test-{os.getpid()}"
    env = clean_env(TERM="xterm-256color")
    command = " ".join(
        [
            *(f"{k}={v!r}" for k, v in env.items()),
            sys.executable,
            "-m enrich run",
            str(folder / "job.toml"),
            "; echo END-OF-RUN $?; sleep 60",
        ]
    )
    tmux = ["tmux", "-L", socket]
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", "120", "-y", "40", "env -i sh -c " + repr(command)],
        check=True,
    )
    try:
        pane = ""
        deadline = time.monotonic() + 120
        while "END-OF-RUN" not in pane and time.monotonic() < deadline:
            time.sleep(0.5)
            pane = subprocess.run(
                [*tmux, "capture-pane", "-p", "-S", "-200"], capture_output=True, text=True
            ).stdout
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    assert "END-OF-RUN 0" in pane, pane
    for name in ("read", "normalise", "link company", "link contact", "survive", "write"):
        assert f"✓ {name}" in pane, pane
    assert f"3 of 3 files, {CRM_ROWS + 90} rows" in pane
    table = pane.split("summary")[1]
    assert "│ rows in" in table and str(CRM_ROWS + 90) in table and "master companies" in table
    assert "review pairs" in table and "total (wall)" in table
    assert "stage read:" not in pane  # not the plain lines
