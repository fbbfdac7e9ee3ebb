"""CPU and Python function calls per page, in one process, on the load bench's seeded database.

    LOAD_KEEP=1 LOAD_SECONDS=10 LOAD_SOAK_SECONDS=0 make bench PYTEST_ARGS="-k 'load and not knee'"
    set -a; . /tmp/chengnuo-load-XXXX/env.sh; set +a
    .venv/bin/python -m tests.bench.load.profile_pages /tmp/chengnuo-load-XXXX/plan.json [requests per page]

The requests go through the whole middleware stack (Django's test client, production settings), so
the figures are a worker's CPU for the page without the WSGI server. CPU time on a shared machine
varies with what else runs; the number of Python function calls does not, and moves with it: compare
calls before and after a change, read the CPU columns as an order of magnitude.
"""

import cProfile
import json
import pstats
import re
import sys
import time

import django


def _client():
    from django.test import Client

    return Client(HTTP_X_FORWARDED_PROTO="https", SERVER_NAME="127.0.0.1")


def _login(client, username, password):
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, f"{username} could not log in ({response.status_code})"
    return client


def pages(plan) -> dict:
    """The load mix's pages, each with the client (anonymous or a signed-in role) that asks for it."""
    anonymous = _client()
    citizen = _login(_client(), plan["citizens"][0]["username"], plan["password"])
    verifier = _login(_client(), plan["verifiers"][0], plan["password"])
    clerk = _login(_client(), plan["clerks"][0], plan["password"])
    mine = re.findall(r'href="/applications/(\d+)/"', citizen.get("/applications/").content.decode())
    at_desk = re.findall(r'href="/desk/applications/(\d+)/"', clerk.get("/desk/?state=submitted").content.decode())
    found = {
        "GET /bench/minimal/ (baseline)": (anonymous, "/bench/minimal/"),
        "GET /": (anonymous, "/"),
        "GET /catalog/": (anonymous, "/catalog/"),
        "GET /catalog/matters/[id]/": (anonymous, f"/catalog/matters/{plan['matters'][0]}/"),
        "GET /publicity/": (anonymous, "/publicity/"),
        "GET /accounts/login/": (anonymous, "/accounts/login/"),
        "GET /complaints/new/": (anonymous, "/complaints/new/"),
        "GET /applications/ (citizen)": (citizen, "/applications/"),
        "GET /catalog/ (citizen)": (citizen, "/catalog/"),
        "GET /verification/queue/": (verifier, "/verification/queue/"),
        "GET /desk/": (clerk, "/desk/"),
    }
    if mine:
        found["GET /applications/[id]/ (citizen)"] = (citizen, f"/applications/{mine[0]}/")
    if at_desk:
        found["GET /desk/applications/[id]/"] = (clerk, f"/desk/applications/{at_desk[0]}/")
    searcher = _client()
    searcher.get("/catalog/")
    searcher.post("/catalog/", {"q": plan["search_words"][0]})  # the search box posts; the page shows ?s=1
    found["GET /catalog/?s=1 (a search)"] = (searcher, "/catalog/?s=1")
    claimed = verifier.post("/verification/queue/claim-next/").get("Location", "")
    if re.match(r"/verification/tasks/\d+/$", claimed):
        found["GET /verification/tasks/[id]/ (held)"] = (verifier, claimed)
    return found


def measure(client, url, n):
    for _ in range(3):  # warm: templates compiled, caches filled
        assert client.get(url).status_code == 200, url
    cpu = []
    for _ in range(n):
        started = time.process_time()
        client.get(url)
        cpu.append((time.process_time() - started) * 1000)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(5):
        client.get(url)
    profile.disable()
    cpu.sort()
    return cpu[0], cpu[len(cpu) // 2], pstats.Stats(profile).total_calls / 5


def main():
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = json.load(open(sys.argv[1], encoding="utf-8"))
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    print(f"{'page':<42}{'CPU min ms':>11}{'median':>9}{'calls':>9}{'queries':>9}")
    for name, (client, url) in pages(plan).items():
        fewest, median, calls = measure(client, url, n)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"{name:<42}{fewest:>11.1f}{median:>9.1f}{calls:>9,.0f}{len(queries.captured_queries):>9}", flush=True)


if __name__ == "__main__":
    main()
