"""The online client against mocked HTTP (``responses``): the cache, retries and back-off,
the spacing of calls, timeouts and malformed answers — with VIES's bodies (REGISTRIES.md §4),
no network, no real waiting."""

import requests
import responses

from enrich.registry.http import Client
from enrich.registry.vies import VIES, vies
from tests.registry.services import VALID, client

URL = f"{VIES}/ms/BE/vat/0712345630"


@responses.activate
def test_a_valid_number_and_the_cache_spares_the_second_call(tmp_path):
    responses.get(URL, json=VALID)
    c, _ = client(tmp_path)
    assert vies(c, "BE", "0712345630") == {
        "status": "valid",
        "name": "EXEMPLE SRL",
        "address": "Rue de l'Exemple 1\n1000 Bruxelles",
        "reason": None,
    }
    assert vies(c, "BE", "0712345630")["status"] == "valid"
    assert len(responses.calls) == 1 and c.counts == {
        "calls": 1,
        "cached": 1,
        "failed": 0,
        "deadline": 0,
    }
    c.close()
    again, _ = client(
        tmp_path, offline=True
    )  # a rerun, offline: answered from the persistent cache
    assert vies(again, "BE", "0712345630")["name"] == "EXEMPLE SRL" and len(responses.calls) == 1


@responses.activate
def test_429_with_retry_after_then_success(tmp_path):
    responses.get(URL, status=429, headers={"Retry-After": "7"})
    responses.get(URL, json=VALID)
    c, waits = client(tmp_path)
    assert vies(c, "BE", "0712345630")["status"] == "valid"
    assert 7.0 in waits  # the server's Retry-After, not our own back-off


@responses.activate
def test_500_then_success_with_back_off(tmp_path):
    responses.get(URL, status=500)
    responses.get(URL, status=503)
    responses.get(URL, json=VALID)
    c, waits = client(tmp_path)
    assert vies(c, "BE", "0712345630")["status"] == "valid"
    assert [w for w in waits if w >= 1.0][:2] == [1.0, 2.0]  # exponential


@responses.activate
def test_timeouts_and_malformed_answers_are_unknown_with_the_reason(tmp_path):
    responses.get(URL, body=requests.exceptions.ConnectTimeout())
    c, _ = client(tmp_path, retries=2)
    assert vies(c, "BE", "0712345630") == {
        "status": "unknown",
        "name": None,
        "address": None,
        "reason": "timeout after 3 tries",
    }
    responses.replace(responses.GET, URL, body="<html>Service unavailable</html>", status=200)
    assert vies(c, "BE", "0712345630")["reason"] == "malformed answer (not JSON)"
    assert c.counts["failed"] == 2
    offline, _ = client(tmp_path, offline=True)
    assert vies(offline, "FR", "40303265045")["reason"] == "offline: not in the cache"


@responses.activate
def test_calls_to_one_host_are_spaced(tmp_path):
    for n in ("0712345630", "0765432146", "1001234592"):
        responses.get(f"{VIES}/ms/BE/vat/{n}", json=VALID)
    now = [100.0]
    waits = []
    c = Client(
        tmp_path / "cache.sqlite",
        sleep=waits.append,
        clock=lambda: now[0],
        rates={"ec.europa.eu": 2.0},
    )
    for n in ("0712345630", "0765432146", "1001234592"):
        vies(c, "BE", n)
    assert waits == [0.5, 0.5]  # 2 calls a second at most, the clock standing still
