"""The online lookups under hostile servers and a damaged cache (issue #19): waits capped,
a deadline per lookup and per run, malformed bodies "unknown" with a reason, a corrupt cache
moved aside and a read-only one only read — never an exit 3, never hours of sleep.
Mocked HTTP (``responses``) with the services' real bodies (REGISTRIES.md §3-5), a fake clock
that the fake sleep advances; one test drips a body from a local server (no network)."""

from __future__ import annotations

import http.server
import io
import json
import re
import sqlite3
import threading
import time

import polars as pl
import pytest
import responses

from enrich import messages
from enrich.registry.gleif import GLEIF, gleif
from enrich.registry.http import Client, _key
from enrich.registry.recherche import RECHERCHE, recherche
from enrich.registry.vies import VIES, vies, vies_columns
from tests.registry.services import SG, SG_LEI, VALID

URL = f"{VIES}/ms/BE/vat/0712345630"


class FakeTime:
    """A clock that stands still but for the client's own sleeps (and what a test adds)."""

    def __init__(self) -> None:
        self.now, self.waits = 1000.0, []

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0 and seconds != float("inf")
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def client(tmp_path, clock: FakeTime, **kw) -> Client:
    return Client(tmp_path / "cache.sqlite", sleep=clock.sleep, clock=clock.clock, **kw)


# --- Retry-After: capped, never doubled, never an OverflowError -----------------------------


@responses.activate
@pytest.mark.parametrize(
    "asked",
    ["86400", "inf", "1e999", "Fri, 31 Dec 9999 23:59:59 GMT", "Wed, 01 Jan 3000 00:00:00 GMT"],
)
def test_a_server_asking_for_hours_or_forever_waits_at_most_the_cap(tmp_path, asked):
    t = FakeTime()
    responses.get(URL, status=429, headers={"Retry-After": asked})
    responses.get(URL, json=VALID)
    c = client(tmp_path, t, max_wait=60.0)
    assert vies(c, "BE", "0712345630")["status"] == "valid"
    assert max(t.waits) == 60.0


@responses.activate
def test_the_servers_wait_is_never_doubled_and_the_lookup_has_a_deadline(tmp_path):
    t = FakeTime()
    responses.get(URL, status=503, headers={"Retry-After": "40"})  # every try
    c = client(tmp_path, t, max_wait=60.0, lookup_deadline=120.0, retries=10)
    answer = vies(c, "BE", "0712345630")
    assert answer["status"] == "unknown" and answer["reason"].startswith("deadline")
    assert t.waits == [40.0, 40.0, 40.0]  # the server's 40 s each time, not 80, 160 …
    assert sum(t.waits) <= 120.0 and c.counts["failed"] == 1


@responses.activate
def test_our_own_back_off_doubles_up_to_the_cap(tmp_path):
    t = FakeTime()
    responses.get(URL, status=500)
    c = client(tmp_path, t, max_wait=4.0, lookup_deadline=1000.0, retries=5)
    assert vies(c, "BE", "0712345630")["reason"] == "HTTP 500 after 6 tries"
    assert [w for w in t.waits if w >= 1.0] == [1.0, 2.0, 4.0, 4.0, 4.0]


# --- malformed bodies: unknown with a reason -----------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


@responses.activate
@pytest.mark.parametrize(
    "body, reason",
    [
        ("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", "not JSON"),
        ('["isValid", true]', "not a JSON object"),
        (DEEP, "not JSON"),
        ("\xff\xfe garbage", "not JSON"),
        ('{"isValid": "yes", "userError": "VALID"}', "malformed answer"),
        ('{"errorWrappers": 5}', "malformed answer"),
        ('{"userError": ["MS_UNAVAILABLE"], "isValid": false}', "malformed answer"),
        ('{"errorWrappers": [{"error": "<b>Fehler: 0712345630</b>"}]}', "malformed answer"),
    ],
)
def test_a_malformed_vies_answer_is_unknown_with_the_reason(tmp_path, body, reason):
    responses.get(URL, body=body, content_type="application/json")
    c = client(tmp_path, FakeTime())
    answer = vies(c, "BE", "0712345630")
    assert answer["status"] == "unknown" and reason in answer["reason"]
    assert "0712345630" not in answer["reason"]  # the server's words are not echoed


@responses.activate
def test_a_vies_answer_with_values_of_the_wrong_type(tmp_path):
    responses.get(URL, json={**VALID, "name": {"x": 1}, "address": ["a", "b"]})
    assert vies(client(tmp_path, FakeTime()), "BE", "0712345630") == {
        "status": "valid",
        "name": None,
        "address": None,
        "reason": None,
    }


LEI_URL = re.compile(re.escape(GLEIF) + r".*")
SG_RECORD = SG_LEI["data"][0]


@responses.activate
@pytest.mark.parametrize(
    "body, status",
    [
        ({"data": "none"}, "unknown"),
        ({"errors": [{"status": "500", "title": "Internal"}]}, "unknown"),
        ({"data": [1, "x", None, {"attributes": []}, {"id": 5}]}, "not_found"),
        (
            {
                "data": [
                    {
                        "attributes": {
                            "lei": "O2RNE8IBXP4R0TD8PU41",
                            "entity": [],
                            "registration": "x",
                        }
                    }
                ]
            },
            "found",
        ),
        (
            {
                "data": [
                    SG_RECORD,
                    SG_RECORD,
                    {
                        **SG_RECORD,
                        "attributes": {**SG_RECORD["attributes"], "entity": {"legalName": "SG"}},
                    },
                ]
            },
            "found",
        ),
    ],
)
def test_a_malformed_gleif_answer(tmp_path, body, status):
    responses.get(LEI_URL, json=body)
    answer = gleif(client(tmp_path, FakeTime()), "FR", "552120222")
    assert answer["status"] == status
    if status == "unknown":
        assert answer["reason"].startswith("malformed answer")


@responses.activate
def test_a_malformed_recherche_answer(tmp_path):
    responses.get(re.compile(re.escape(RECHERCHE) + r".*"), json={"results": {"siren": "x"}})
    c = client(tmp_path, FakeTime())
    assert recherche(c, "552120222")["reason"] == "malformed answer (no results)"
    odd = {**SG["results"][0], "siege": [], "etat_administratif": ["A"], "nom_complet": {"a": 1}}
    odd["nom_raison_sociale"] = None
    responses.replace(
        responses.GET, re.compile(re.escape(RECHERCHE) + r".*"), json={"results": [odd]}
    )
    answer = recherche(c, "552120222")  # the malformed answer was not cached: asked again
    assert answer["status"] == "found" and answer["name"] is None
    assert answer["registry_status"] is None and answer["postcode"] is None


# --- deadlines ------------------------------------------------------------------------------


class Drip(io.RawIOBase):
    """A body that never ends: a byte at a time, each a second later on the fake clock."""

    def __init__(self, clock: FakeTime) -> None:
        self.clock = clock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.clock.now += 1.0
        buffer[0:1] = b" "
        return 1


@responses.activate
def test_a_server_dripping_its_answer_is_cut_at_the_lookups_deadline(tmp_path):
    t = FakeTime()
    responses.get(URL, body=io.BufferedReader(Drip(t), buffer_size=1))
    c = client(tmp_path, t, lookup_deadline=30.0)
    answer = vies(c, "BE", "0712345630")
    assert answer["status"] == "unknown" and answer["reason"].startswith("deadline")
    assert 30.0 < t.now - 1000.0 <= 32.0 and len(responses.calls) == 1  # not tried again


class _DripHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        for _ in range(400):  # a byte every 20 ms: each read well within the read timeout
            try:
                self.wfile.write(b" ")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.02)

    def log_message(self, *args) -> None:
        pass


def test_a_real_server_dripping_bytes_holds_a_lookup_no_longer_than_its_deadline(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _DripHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        c = Client(tmp_path / "c.sqlite", timeout=(1.0, 1.0), lookup_deadline=0.5, retries=0)
        started = time.monotonic()
        answer = c.call("GET", f"http://127.0.0.1:{server.server_address[1]}/vat")
        took = time.monotonic() - started
        c.close()
    finally:
        server.shutdown()
        server.server_close()
    assert answer.error and answer.error.startswith("deadline")
    assert took < 3.0  # the server would have dripped for 8 s


@responses.activate
def test_after_the_runs_deadline_the_rest_is_unknown_and_said_once(tmp_path):
    t = FakeTime()
    numbers = [f"07123456{n:02d}" for n in range(10)]
    for n in numbers:
        responses.get(f"{VIES}/ms/BE/vat/{n}", json=VALID)
    c = client(tmp_path, t, run_deadline=100.0)
    frame = pl.DataFrame({"vat": [f"BE{n}" for n in numbers]})

    def slow(*args, **kwargs):  # each lookup takes 30 s of the run's time
        t.now += 30.0
        return original(*args, **kwargs)

    original = c._attempt
    c._attempt = slow
    out = vies_columns(frame, c)
    answered = out.filter(pl.col("vies_status") == "valid").height
    late = out.filter(pl.col("vies_reason").str.starts_with("deadline"))
    # 3 answered by t+90 s; the 4th, 10 s left, cut at the run's deadline; 6 never asked
    assert answered == 3 and late.height == 7 and answered + late.height == 10  # no row lost
    assert c.counts["deadline"] == 6 and len(responses.calls) == 4
    lines = messages.online_counts(
        out.with_columns(pl.lit(None, pl.String).alias("recherche_status")), c.counts, False
    )
    assert sum("deadline" in line for line in lines) == 1


# --- the cache -----------------------------------------------------------------------------


def filled_cache(tmp_path, answers: int = 200) -> None:
    """A cache holding *answers* VIES answers, in the client's own table."""
    Client(tmp_path / "cache.sqlite").close()
    db = sqlite3.connect(tmp_path / "cache.sqlite")
    rows = [(f"k{n}", time.time(), json.dumps({**VALID, "pad": "x" * 500})) for n in range(answers)]
    db.executemany("INSERT INTO answers VALUES (?, ?, ?)", rows)
    db.commit()
    db.close()


@responses.activate
@pytest.mark.parametrize("damage", ["garbage", "truncated", "garbage inside"])
def test_a_corrupt_cache_is_moved_aside_and_made_again(tmp_path, damage):
    path = tmp_path / "cache.sqlite"
    if damage == "garbage":
        path.write_bytes(b"this is not a database, just some bytes\x00\x01" * 100)
    else:
        filled_cache(tmp_path)
        data = path.read_bytes()
        if damage == "truncated":
            path.write_bytes(data[: len(data) // 3])
        else:
            path.write_bytes(data[:8192] + b"\xde\xad\xbe\xef" * 4096 + data[8192 + 16384 :])
    before = path.read_bytes()
    responses.get(URL, json=VALID)
    c = client(tmp_path, FakeTime())
    assert vies(c, "BE", "0712345630")["status"] == "valid"
    assert vies(c, "BE", "0712345630")["status"] == "valid" and c.counts["cached"] == 1
    c.close()
    assert any("was corrupt: moved to" in note for note in c.notes)
    assert (tmp_path / "cache.sqlite.corrupt").read_bytes() == before  # kept, for a look
    assert sqlite3.connect(path).execute("SELECT count(*) FROM answers").fetchone() == (1,)


@responses.activate
def test_a_read_only_cache_is_read_and_not_written(tmp_path, monkeypatch):
    c = Client(tmp_path / "cache.sqlite", sleep=lambda s: None)
    c.cache.put(_key("GET", f"{VIES}/ms/BE/vat/0403170701", None), VALID)
    c.close()

    def read_only(path):  # what a read-only file or folder does (the tests run as root)
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr("enrich.registry.http._connect", read_only)
    responses.get(URL, json=VALID)
    c = client(tmp_path, FakeTime())
    assert vies(c, "BE", "0403170701")["status"] == "valid" and c.counts["cached"] == 1
    assert vies(c, "BE", "0712345630")["status"] == "valid" and c.counts["calls"] == 1
    c.close()
    assert c.notes == [
        f"online cache {tmp_path / 'cache.sqlite'} cannot be written: answers read from it, new ones not kept"
    ]


@responses.activate
def test_a_cache_that_cannot_be_opened_is_not_used(tmp_path):
    (tmp_path / "cache.sqlite").mkdir()  # a folder where the file should be
    responses.get(URL, json=VALID)
    c = client(tmp_path, FakeTime())
    assert vies(c, "BE", "0712345630")["status"] == "valid"
    assert vies(c, "BE", "0712345630")["status"] == "valid" and c.counts["calls"] == 2
    c.close()
    assert c.notes and "run without a cache" in c.notes[0]


@responses.activate
def test_master_online_with_a_broken_service_and_a_corrupt_cache_goes_on(
    run_cli, fixtures, tmp_path, monkeypatch
):
    """`enrich master --online`: every service answering an HTML error page, the cache
    garbage — exit 0, every row kept, the reasons counted in run.json, the cache rebuilt,
    and said even by a quiet run."""
    monkeypatch.setattr("enrich.registry.http.time.sleep", lambda s: None)
    html = "<html><body>Service Unavailable</body></html>"
    responses.get(re.compile(r"https://.*"), body=html, status=200)
    cache = tmp_path / "c.sqlite"
    cache.write_bytes(b"\x00garbage" * 1000)
    out = tmp_path / "m"
    result = run_cli(
        "master",
        fixtures / "crm_export.csv",
        "-o",
        out,
        "-q",
        "--online",
        "--lei",
        "--cache",
        cache,
    )
    assert result.exit_code == 0, result.output
    assert "was corrupt: moved to" in result.output
    summary = json.loads((out / "run.json").read_text())
    online = summary["master"]["online"]
    assert online["unknown"]["vies"] == {
        "malformed answer (not JSON)": online["unknown"]["vies"]["malformed answer (not JSON)"]
    }
    assert online["calls"] > 0 and online["failed"] == online["calls"]
    lineage = pl.read_csv(out / "lineage.csv", infer_schema=False)
    assert lineage.height == len(pl.read_csv(fixtures / "crm_export.csv", infer_schema=False))


def test_the_limits_come_from_the_rules_and_a_steward_can_change_them(tmp_path):
    from enrich.errors import InputError
    from enrich.registry.http import limits
    from enrich.ruleset import Rules

    assert limits(Rules.load(None)) == {
        "retries": 4,
        "timeout": (5.0, 20.0),
        "max_wait": 60.0,
        "lookup_deadline": 120.0,
        "run_deadline": 3600.0,
    }
    (tmp_path / "registry.toml").write_text("[online]\nmax_wait_s = 5\nrun_deadline_s = 600\n")
    mine = limits(Rules.load(str(tmp_path)))
    assert mine["max_wait"] == 5.0 and mine["run_deadline"] == 600.0 and mine["retries"] == 4
    (tmp_path / "registry.toml").write_text('[online]\nmax_wait_s = "a minute"\n')
    with pytest.raises(InputError, match="max_wait_s"):
        limits(Rules.load(str(tmp_path)))
