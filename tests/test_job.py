"""A job is plain data: it goes to a dict and back, and a job that cannot run says why."""

import pytest

from enrich.errors import InputError
from enrich.job import Input, Job, Online, Registry


def test_a_job_goes_to_plain_data_and_back():
    job = Job(
        inputs=[Input("crm.csv", map={"Col X": "email"}, default_country="BE"), Input("-")],
        out="out/m",
        format="parquet",
        previous="out/last",
        registry=Registry("idx", lang="nl", size_file="sizes.csv"),
        online=Online(lei=True, cache="c.sqlite"),
    )
    data = job.as_dict()
    assert data["inputs"][0] == {
        "path": "crm.csv",
        "map": {"Col X": "email"},
        "default_country": "BE",
    }
    assert "excel" not in data  # defaults are left out
    assert Job.from_dict(data) == job


def test_inputs_may_be_plain_paths_and_unknown_keys_are_refused():
    assert Job.from_dict({"inputs": ["a.csv"], "out": "o"}).inputs == [Input("a.csv")]
    with pytest.raises(InputError, match="unexpected keyword argument 'outt'"):
        Job.from_dict({"inputs": ["a.csv"], "outt": "o"})


@pytest.mark.parametrize(
    "job, message",
    [
        (Job([], "o"), "at least one input"),
        (Job([Input("a.csv")], "o", format="ods"), "format 'ods'"),
        (Job([Input("a.csv", delimiter=":")], "o"), "delimiter ':'"),
        (Job([Input("a.csv")], "o", registry=Registry("r", lang="de")), "lang 'de'"),
    ],
)
def test_a_job_that_cannot_run_says_why(job, message):
    with pytest.raises(InputError, match=message):
        job.check()


# --- job files (enrich.jobfile) ----------------------------------------------------------------

from enrich.jobfile import load, load_text  # noqa: E402


def test_the_smallest_job_file_is_two_keys_with_paths_relative_to_its_folder(fixtures, tmp_path):
    job_file = tmp_path / "elsewhere" / "job.toml"
    job_file.parent.mkdir()
    job_file.write_text(
        f'inputs = ["{fixtures}/crm_export.csv", "../leads.xlsx"]\nout = "out/master"\n'
    )
    (tmp_path / "leads.xlsx").write_bytes((fixtures / "salon_leads_nl.xlsx").read_bytes())
    loaded = load(job_file)
    assert loaded.folder == job_file.parent.resolve()
    assert loaded.job == Job(
        [Input(f"{fixtures}/crm_export.csv"), Input("../leads.xlsx")], "out/master"
    )


def test_read_options_at_the_top_hold_for_every_input_and_an_input_may_override_them():
    text = """
inputs = ["crm.csv", { path = "list.csv", delimiter = "tab", encoding = "cp1252" }]
out = "o"
default_country = "BE"
date_order = "dmy"
registry = "idx"
lang = "nl"
online = true
offline = true
suppress = "optouts.txt"
as_of = 2026-12-01

[map]
"Col X" = "email"

[[input]]
path = "salon.xlsx"
sheet = "Dag 1"
default_country = "NL"
"""
    job = load_text(text, "job.toml", check_files=False).job
    both = {"default_country": "BE", "date_order": "dmy", "map": {"Col X": "email"}}
    assert job.inputs == [
        Input("crm.csv", **both),
        Input("list.csv", delimiter="\t", encoding="cp1252", **both),
        Input("salon.xlsx", sheet="Dag 1", **{**both, "default_country": "NL"}),
    ]
    assert job.registry == Registry("idx", lang="nl")
    assert job.online == Online(offline=True)
    assert (job.suppress, job.as_of) == (["optouts.txt"], "2026-12-01")


@pytest.mark.parametrize(
    "text, message",
    [
        ('inputs = ["a.csv"]\nouput = "o"', "line 2: unknown key 'ouput' (did you mean 'out'?)"),
        (
            'inputs = ["a.csv"]\nout = "o"\nformat = 3',
            "line 3: format must be a string, not a whole",
        ),
        ('inputs = ["a.csv"]\nout = "o"\nforce = "yes"', "line 3: force must be true or false"),
        ('inputs = ["a.csv"]\nout = "o"\nformat = "ods"', "line 3: format 'ods': one of 'csv'"),
        ('inputs = ["a.csv"]\nout = "o\n', "line 2: not TOML: Illegal character"),
        ('inputs = ["a.csv"]\nout = "o"\nas_of = "2026-13-01"', "line 3: as_of must be a date"),
        (
            'inputs = ["a.csv"]\nout = "o"\n\n[map]\n"X" = "emale"',
            "line 5: map: 'X=emale': unknown",
        ),
        ('inputs = ["a.csv"]\nout = "o"\nlei = true', "line 3: lei goes with online"),
        ('inputs = ["a.csv"]\nout = "o"\nsize = "s.csv"', "line 3: size goes with registry"),
        ('out = "o"\n[[input]]\npath = "a.csv"\nsheeet = "x"', "line 4: unknown key 'sheeet' (did"),
        ('out = "o"\n[[input]]\nsheet = "x"', "line 2: an input needs its path"),
        (
            'inputs = [\n  "a.csv",\n  { path = "b.csv", date_order = "x" },\n]\nout = "o"',
            "line 3: date_order 'x'",
        ),
        ('out = "o"', "job.toml: no inputs"),
        ('inputs = ["a.csv"]', "job.toml: no out"),
    ],
)
def test_a_mistake_in_a_job_file_names_the_file_the_line_and_the_key(text, message):
    with pytest.raises(InputError) as caught:
        load_text(text, "job.toml", check_files=False)
    assert str(caught.value).startswith("job.toml")
    assert message in str(caught.value)


def test_a_missing_file_is_named_with_its_line(fixtures, tmp_path):
    job_file = tmp_path / "job.toml"
    (tmp_path / "crm.csv").write_bytes((fixtures / "crm_export.csv").read_bytes())
    job_file.write_text('inputs = [\n  "crm.csv",\n  "leads.xlsx",\n]\nout = "o"\nrules = "mine"\n')
    with pytest.raises(InputError, match=r"job.toml, line 3: input: no such file .* 'leads.xlsx'"):
        load(job_file)
    job_file.write_text('inputs = ["crm.csv"]\nout = "o"\nrules = "mine"\n')
    with pytest.raises(InputError, match=r"job.toml, line 3: rules: no such file or folder 'mine'"):
        load(job_file)


def test_every_key_of_the_starter_is_a_key_of_a_job_file(tmp_path):
    import re

    from enrich.jobfile import KEYS, starter

    text = starter(tmp_path / "job.toml")
    uncommented = re.sub(r"(?m)^# (\[\[input\]\]|[a-z_]+ = )", r"\1", text)
    job = load_text(uncommented, "job.toml", check_files=False).job
    assert set(KEYS) - {"input", "inputs", "out"} <= set(re.findall(r"(?m)^# ([a-z_]+) = ", text))
    assert job.registry.size_file and job.online.lei and job.inputs[-1].sheet == "Dag 1"
    assert job.as_of == "2026-12-01" and job.format == "parquet" and job.suppress
