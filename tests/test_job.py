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
        (Job([Input("a.csv")], "o", format="xlsx"), "format 'xlsx'"),
        (Job([Input("a.csv", delimiter=":")], "o"), "delimiter ':'"),
        (Job([Input("a.csv")], "o", registry=Registry("r", lang="de")), "lang 'de'"),
    ],
)
def test_a_job_that_cannot_run_says_why(job, message):
    with pytest.raises(InputError, match=message):
        job.check()
