"""Security of what others choose: URLs that must not reach this machine or its network (SSRF), and the
brake on password guessing. Real servers on loopback throughout; the address policy is the production one,
with its resolver or its idea of "public" swapped only where a test needs a public-looking host offline.
"""

from __future__ import annotations

import http.server
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from core.errors import SourceError
from core.records import Article
from core.settings import IngestSettings
from ingest.sources.fetch import Fetcher
from ingest.sources.load import load_sources
from ingest.sources.netpolicy import AddressPolicy as Policy
from tests.conftest import run_cli
from tests.helpers.servers import WartaServer, free_port

CFG = IngestSettings(max_item_mb=1.0, fetch_timeout_s=2.0, max_redirects=3)  # the default: public addresses only
BODY = "Pemerintah mengumumkan kebijakan baru tentang harga beras di pasar tradisional. " * 3
PAGE = (f"<html><head><title>Inflasi Turun</title></head><body><article><h1>Inflasi Turun</h1><p>{BODY}</p>"
        f"<p>{BODY}</p></article></body></html>")
HOW_TO_ALLOW = "--allow-private-urls"


def load(*sources: str, cfg: IngestSettings = CFG) -> list:
    return list(load_sources(list(sources), cfg))


# --- SSRF: the address policy -----------------------------------------------------------------------


@pytest.mark.parametrize("host, kind", [
    ("127.0.0.1", "loopback"), ("localhost", "loopback"), ("2130706433", "loopback"), ("0x7f000001", "loopback"),
    ("0x7f.1", "loopback"), ("127.1", "loopback"), ("[::1]", "loopback"), ("[::ffff:127.0.0.1]", "loopback"),
    ("0.0.0.0", "unspecified"),
])
def test_urls_reaching_this_machine_are_refused_whatever_the_spelling(site, host, kind):
    url = site.add("/berita", PAGE).replace("127.0.0.1", host, 1)
    (item,) = load(url)
    assert isinstance(item, SourceError) and item.item == url, item
    assert re.search(rf"^refused: .*\b{kind} address\b", item.reason), item.reason
    assert HOW_TO_ALLOW in item.reason
    assert site.hits == []  # nothing reached the server


@pytest.mark.parametrize("host, kind", [
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"), ("[fc00::1]", "private"),
    ("169.254.169.254", "link-local"), ("[fe80::1]", "link-local"), ("224.0.0.1", "multicast"),
    ("[ff02::1]", "multicast"), ("240.0.0.1", "reserved"), ("100.64.0.1", "non-public"),
    ("[64:ff9b::a00:1]", "private"), ("[2002:a00:1::]", "private"),  # NAT64 and 6to4 forms of 10.0.0.1
])
def test_private_link_local_multicast_and_reserved_addresses_are_refused(host, kind):
    url = f"http://{host}/latest/meta-data/"
    (item,) = load(url)
    assert isinstance(item, SourceError) and item.item == url, item
    assert re.search(rf"^refused: .*\b{kind} address\b", item.reason), item.reason


def test_malformed_address_spellings_are_named_not_crashed():
    url = "http://0177.0.0.1/berita"  # octal: inet_aton reads 127.0.0.1; httpx refuses the URL
    items = load(url, "http://[::1/x")
    assert [type(i) for i in items] == [SourceError, SourceError]
    assert items[0].item == url and "not a valid URL" in items[0].reason


def test_a_host_name_is_judged_by_every_address_it_resolves_to():
    def resolver(answers):
        return lambda host, port: answers

    fetcher = Fetcher(CFG, policy=Policy(resolve=resolver(["10.1.2.3"])))
    with pytest.raises(SourceError, match=r"refused: intranet.example resolves to 10\.1\.2\.3, a private address"):
        fetcher.fetch("http://intranet.example/x")
    fetcher = Fetcher(CFG, policy=Policy(resolve=resolver(["93.184.215.14", "127.0.0.1"])))
    with pytest.raises(SourceError, match=r"resolves to 127\.0\.0\.1, a loopback address"):
        fetcher.fetch("https://mixed.example/x")  # one bad address is enough: no connection is tried


@dataclass(frozen=True)
class OnePublicServer(Policy):
    """The production policy, except that the loopback server on ``port`` stands in for a public site."""

    port: int = 0

    def blocked(self, address, port: int) -> str | None:
        return None if port == self.port else super().blocked(address, port)


@pytest.fixture
def canary() -> Iterator[list[str]]:
    """A second loopback server that records every request it gets (it should get none)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hits.append(f"port {server.server_port}")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield hits
    server.shutdown()
    server.server_close()


def test_a_redirect_from_a_public_site_to_this_machine_is_refused(site, canary):
    port = int(canary.pop(0).split()[1])

    def redirect(handler) -> None:
        handler.send_response(302)
        handler.send_header("Location", f"http://2130706433:{port}/exfil?q=secret")
        handler.end_headers()

    site.routes["/go"] = redirect
    site_port = int(site.base.rsplit(":", 1)[1])
    fetcher = Fetcher(CFG, policy=OnePublicServer(port=site_port))
    assert "Inflasi Turun" in fetcher.fetch(site.add("/berita", PAGE)).text  # the "public" site itself is fine
    with pytest.raises(SourceError) as refused:
        fetcher.fetch(f"{site.base}/go")
    assert refused.value.item == f"{site.base}/go"
    assert re.search(r"refused: a redirect led to 2130706433, which resolves to 127\.0\.0\.1, a loopback address",
                     refused.value.reason), refused.value.reason
    assert canary == []


def test_the_connection_goes_to_the_address_that_was_checked(site):
    """A host name is resolved once, checked, and connected to at that address: a second DNS answer (DNS
    rebinding) never comes into play. ``pinned.test`` exists only in this resolver."""
    site_port = int(site.base.rsplit(":", 1)[1])
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    fetcher = Fetcher(CFG, policy=OnePublicServer(resolve=resolve, port=site_port))
    site.add("/berita", PAGE)
    page = fetcher.fetch(f"http://pinned.test:{site_port}/berita")
    assert "Inflasi Turun" in page.text and asked == ["pinned.test"]


def test_feed_links_to_this_machine_are_refused(site, tmp_path):
    linked = site.add("/a1", PAGE)
    feed = tmp_path / "feed.rss"
    feed.write_text(f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Warta Feed</title>
      <item><title>Judul Satu</title><link>{linked}</link><description>Ringkasan pendek.</description></item>
      <item><title>Judul Dua</title><link>http://[::1]:{free_port()}/x</link><description>Pendek.</description></item>
    </channel></rss>""")
    items = load(str(feed))
    assert all(isinstance(i, SourceError) for i in items) and len(items) == 2
    assert items[0].item == f"{feed} entry 1 ({linked})"
    assert re.search(r"linked article could not be fetched: refused: .*loopback address", items[0].reason)
    assert "loopback address" in items[1].reason
    assert site.hits == []
    allowed = load(str(feed), cfg=CFG.model_copy(update={"allow_private_urls": True}))
    assert [a.title for a in allowed if isinstance(a, Article)] == ["Judul Satu"]


def test_cli_refuses_private_urls_unless_allowed(cli_env, capsys, site):
    url = site.add("/berita", PAGE)
    code, out, _ = run_cli(capsys, "ingest", "-q", url)
    assert code == 1 and f"failed: {url}: refused: 127.0.0.1 is a loopback address" in out
    assert site.hits == []
    code, out, _ = run_cli(capsys, "ingest", "-q", "--allow-private-urls", url)
    assert code == 0 and out.startswith("1 added"), out
    assert site.hits == ["/berita"]


# --- the login brake ---------------------------------------------------------------------------------


def test_failed_logins_earn_growing_delays_then_a_lockout_that_runs_out():
    from ui.web.login import FailedLogins

    now = [1000.0]
    brake = FailedLogins(max_failures=4, lockout_s=300, delay_s=1.0, clock=lambda: now[0])
    assert [brake.failed("10.0.0.7") for _ in range(3)] == [1.0, 2.0, 4.0]
    assert brake.locked_for("10.0.0.7") == 0 and brake.locked_for("10.0.0.8") == 0
    assert brake.failed("10.0.0.7") == 0 and brake.locked_for("10.0.0.7") == 300  # the 4th locks
    assert brake.failed("10.0.0.8") == 1.0  # other clients are not affected
    now[0] += 299
    assert brake.locked_for("10.0.0.7") == 1
    now[0] += 2
    assert brake.locked_for("10.0.0.7") == 0 and brake.failed("10.0.0.7") == 1.0  # a fresh start
    brake.succeeded("10.0.0.7")
    assert brake.failed("10.0.0.7") == 1.0  # a success forgets the failures
    now[0] += 301
    assert brake.failed("10.0.0.7") == 1.0  # and so does a quiet lockout period


def test_failed_logins_remember_a_bounded_number_of_clients():
    from ui.web.login import FailedLogins

    now = [0.0]
    brake = FailedLogins(max_failures=3, lockout_s=60, delay_s=0.5, clock=lambda: now[0], max_clients=100)
    for i in range(1000):
        now[0] += 0.001
        brake.failed(f"198.51.100.{i}")
    assert len(brake._clients) <= 101
    assert brake.failed("198.51.100.999") == 1.0  # the newest are kept


PASSWORD = "kata-sandi-panjang-123"


@pytest.fixture
def guarded_server(cli_env, tmp_path) -> Iterator[WartaServer]:
    """`warta serve` with a login and a quick brake: 3 wrong passwords pause logins for 4 s."""
    env = {**cli_env, "WARTA_UI_USER": "redaksi", "WARTA_UI_PASSWORD": PASSWORD, "WARTA_UI_LOGIN_MAX_FAILURES": "3",
           "WARTA_UI_LOGIN_LOCKOUT_S": "4", "WARTA_UI_LOGIN_DELAY_S": "0.4"}
    with WartaServer(env, tmp_path / "serve.log") as server:
        yield server


def test_password_guessing_is_slowed_then_paused_and_a_right_password_resets_it(guarded_server):
    with httpx.Client(base_url=guarded_server.url, trust_env=False, timeout=60) as client:
        def login(password: str) -> httpx.Response:
            return client.post("login", data={"username": "redaksi", "password": password})

        with ThreadPoolExecutor(8) as pool:  # a burst in parallel is taken one at a time
            burst = sorted(r.status_code for r in pool.map(login, [f"tebakan-{i}" for i in range(8)]))
        assert burst == [400, 400] + [429] * 6, burst
        paused = login(PASSWORD)  # the right password too, while paused
        assert paused.status_code == 429 and "access-token" not in str(paused.headers)
        assert re.fullmatch(r"Too many wrong passwords from your address: logins are paused for \d s\. "
                            r"Try again later\.", paused.json()["detail"])
        time.sleep(int(paused.headers["retry-after"]) + 0.5)
        assert login(PASSWORD).status_code == 200
        started = time.monotonic()
        assert login("salah-1").status_code == 400 and login("salah-2").status_code == 400  # counting from 0 again
        assert time.monotonic() - started >= 0.4 + 0.8  # each answered after its delay (a lower bound)


def test_session_routes_need_a_login_and_reveal_nothing(guarded_server):
    routes = [("POST", "gradio_api/cancel", {"session_hash": "abc", "fn_index": 0, "event_id": "e1"}),
              ("POST", "gradio_api/reset", {"event_id": "e1"}), ("GET", "gradio_api/heartbeat/abc", None)]
    with httpx.Client(base_url=guarded_server.url, trust_env=False, timeout=30) as anonymous:
        for method, path, body in routes:
            response = anonymous.request(method, path, json=body)
            assert response.status_code == 401 and response.json() == {"detail": "Not authenticated"}, path
    with httpx.Client(base_url=guarded_server.url, trust_env=False, timeout=30) as user:
        assert user.post("login", data={"username": "redaksi", "password": PASSWORD}).status_code == 200
        for method, path, body in routes[:2]:  # (the heartbeat is an endless stream)
            assert user.request(method, path, json=body).json() == {"success": True}, path
