"""The HTTP API of a real ``warta serve`` (the web UI's server, on a free loopback port): Warta's JSON API with
plain HTTP, and the OpenAI-compatible chat API with the ``openai`` Python client, as other programs use them.

The extractive backend answers here (seconds on 2 cores); one test runs the bundled model through a chat
client's multi-turn history.
"""

from __future__ import annotations

import json
import socket

import httpx
import openai
import pytest

from assistant.assistant import Assistant
from core.models.prepare import prepare_local_model
from ingest.ingestor import Ingestor
from tests.conftest import SEED, make_settings
from ui.web.server import serve

SEED_TITLE = "OpenAI Putus Kerja Sama dengan Scale AI setelah Meta Investasi Rp472 Triliun"
USER, PASSWORD = "reader", "s3cret-pass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(settings, assistant, monkeypatch=None):
    port = free_port()
    demo = serve(settings, host="127.0.0.1", port=port, assistant=assistant, block=False)
    return demo, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def server(tmp_path_factory, models_dir, embedder):
    settings = make_settings(tmp_path_factory.mktemp("api") / "data", models_dir)
    assistant = Assistant(settings, embedder=embedder)
    report = Ingestor(settings, index=assistant.index, embedder=embedder).ingest([str(SEED)])
    assert not report.failed, report.failed
    demo, url = start(settings, assistant)
    yield {"url": url, "settings": settings, "assistant": assistant}
    demo.close()


def sse_events(response: httpx.Response) -> list[tuple[str, dict]]:
    """(event, data) of a server-sent event stream."""
    events, event = [], "message"
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and line != "data: [DONE]":
            events.append((event, json.loads(line[6:])))
            event = "message"
    return events


def test_ask_returns_the_answer_with_citations_as_data(server):
    r = httpx.post(f"{server['url']}/api/ask", json={"question": "Berapa nilai investasi Meta di Scale AI?"},
                   timeout=120)
    assert r.status_code == 200
    body = r.json()
    assert not body["refused"] and "[1]" in body["answer"]
    assert body["citations"][0]["n"] == 1 and body["citations"][0]["title"] == SEED_TITLE
    assert body["citations"][0]["quote"] and {"outlet", "date", "url", "article_id"} <= set(body["citations"][0])
    assert body["language"] == "id"


def test_ask_streams_drafts_then_the_checked_answer(server):
    with httpx.stream("POST", f"{server['url']}/api/ask", timeout=120,
                      json={"question": "Why did OpenAI drop Scale AI?", "stream": True}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = sse_events(r)
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"draft"}
    final = events[-1][1]
    assert final["citations"] and final["citations"][0]["title"] == SEED_TITLE and final["language"] == "en"


def test_search_list_stats_and_the_article_lifecycle(server):
    url = server["url"]
    hits = httpx.post(f"{url}/api/search", json={"query": "Meta investasi Scale AI", "k": 3}, timeout=60).json()
    assert hits["relevant"] and hits["hits"][0]["title"] == SEED_TITLE
    before = httpx.get(f"{url}/api/stats", timeout=60).json()
    article = {"title": "Bendungan Sukamaju diresmikan", "outlet": "Contoh", "date": "2025-07-01",
               "url": "https://example.org/sukamaju",
               "text": "Presiden meresmikan Bendungan Sukamaju di Jawa Barat pada Selasa. Bendungan senilai "
                       "Rp3,4 triliun itu mengairi 12.000 hektare sawah. " * 3}
    added = httpx.post(f"{url}/api/articles", json={"articles": [article, {"title": "no text"}]}, timeout=120)
    assert added.status_code == 207  # one stored, one refused: both named
    statuses = [(r["item"], r["status"]) for r in added.json()["results"]]
    assert ("articles[0]", "added") in statuses and ("articles[1]", "failed") in statuses
    listed = httpx.get(f"{url}/api/articles", timeout=60).json()
    assert "Bendungan Sukamaju diresmikan" in [a["title"] for a in listed]
    assert httpx.get(f"{url}/api/stats", timeout=60).json()["articles"] == before["articles"] + 1
    found = httpx.post(f"{url}/api/search", json={"query": "Bendungan Sukamaju", "k": 1}, timeout=60).json()
    assert found["hits"][0]["title"] == "Bendungan Sukamaju diresmikan"
    removed = httpx.delete(f"{url}/api/articles/https://example.org/sukamaju", timeout=60)
    assert removed.status_code == 200 and removed.json()["removed"][0]["title"] == "Bendungan Sukamaju diresmikan"
    assert httpx.delete(f"{url}/api/articles/https://example.org/sukamaju", timeout=60).status_code == 404
    assert httpx.get(f"{url}/api/stats", timeout=60).json()["articles"] == before["articles"]


@pytest.mark.parametrize("path, body, status, says", [
    ("/api/ask", b"{not json", 400, "not valid JSON"),
    ("/api/ask", b"[1, 2]", 400, "JSON object"),
    ("/api/ask", b'{"history": []}', 400, "'question' is missing"),
    ("/api/ask", b'{"question": "x", "history": [{"role": "robot"}]}', 400, "'history'[0]"),
    ("/api/ask", b'{"question": "x", "filters": {"year": 2020}}', 400, "unknown filter"),
    ("/api/search", b'{"query": "Meta", "k": 0}', 400, "'k'"),
    ("/api/articles", b'{"urls": ["file:///etc/passwd"]}', 400, "http(s)"),
    ("/v1/chat/completions", b'{"messages": []}', 400, "'messages'"),
    ("/v1/chat/completions", b'{"model": "gpt-4", "messages": [{"role": "user", "content": "hi"}]}', 404,
     "unknown model"),
])
def test_bad_requests_get_a_clear_error_and_no_traceback(server, path, body, status, says):
    r = httpx.post(f"{server['url']}{path}", content=body, headers={"content-type": "application/json"}, timeout=60)
    assert r.status_code == status
    message = r.json()["error"]["message"]
    assert says in message and "Traceback" not in r.text


def test_odd_unicode_questions_are_answered_not_crashed(server):
    for question in ["Bahá'í 🙂 ？", "\x00\x01 Meta?", "ｍｅｔａ　ｓｃａｌｅ？"]:
        r = httpx.post(f"{server['url']}/api/ask", json={"question": question}, timeout=120)
        assert r.status_code == 200, r.text
        assert r.json()["answer"]
    r = httpx.post(f"{server['url']}/api/ask", json={"question": "\u200b\u200b"}, timeout=60)  # nothing visible
    assert r.status_code == 400 and "empty" in r.json()["error"]["message"]


def test_openai_client_chat_completion_with_citations(server):
    client = openai.OpenAI(base_url=f"{server['url']}/v1", api_key="unused", timeout=120)
    assert {m.id for m in client.models.list()} >= {"warta", "warta-extractive"}
    reply = client.chat.completions.create(model="warta", messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Berapa nilai investasi Meta di Scale AI?"}])
    text = reply.choices[0].message.content
    assert "[1]" in text and reply.choices[0].finish_reason == "stop"
    citations = reply.model_extra["citations"]
    assert citations[0]["n"] == 1 and citations[0]["title"] == SEED_TITLE
    assert reply.model_extra["warta"]["refused"] is False


def test_openai_client_streams_the_checked_answer(server):
    client = openai.OpenAI(base_url=f"{server['url']}/v1", api_key="unused", timeout=120)
    pieces, citations, finish = [], None, None
    for chunk in client.chat.completions.create(model="warta-extractive", stream=True, messages=[
            {"role": "user", "content": "Why did OpenAI drop Scale AI?"}]):
        choice = chunk.choices[0]
        pieces.append(choice.delta.content or "")
        if choice.finish_reason:
            finish, citations = choice.finish_reason, chunk.model_extra["citations"]
    streamed = "".join(pieces)
    assert finish == "stop" and "[1]" in streamed and citations[0]["title"] == SEED_TITLE
    # what was streamed is the checked answer, the same text a non-streaming request gets
    whole = client.chat.completions.create(model="warta-extractive", messages=[
        {"role": "user", "content": "Why did OpenAI drop Scale AI?"}])
    assert streamed == whole.choices[0].message.content


def test_the_ui_login_guards_the_api(tmp_path, models_dir, embedder, monkeypatch):
    settings = make_settings(tmp_path / "data", models_dir, ui={"login_delay_s": 0.0})
    monkeypatch.setenv(settings.ui.auth_user_env, USER)
    monkeypatch.setenv(settings.ui.auth_password_env, PASSWORD)
    assistant = Assistant(settings, embedder=embedder)
    demo, url = start(settings, assistant)
    try:
        refused = httpx.get(f"{url}/api/stats", timeout=30)
        assert refused.status_code == 401 and "log in" in refused.json()["error"]["message"]
        assert httpx.get(f"{url}/api/stats", auth=(USER, "wrong"), timeout=30).status_code == 401
        assert httpx.get(f"{url}/api/stats", auth=(USER, PASSWORD), timeout=30).status_code == 200
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=f"{url}/v1", api_key="wrong", timeout=30).models.list()
        models = openai.OpenAI(base_url=f"{url}/v1", api_key=PASSWORD, timeout=30).models.list()
        assert "warta" in {m.id for m in models}
    finally:
        demo.close()


def test_a_chat_clients_multi_turn_history_with_the_bundled_model(server):
    """A chat client sends the whole conversation each time, earlier answers with their [n] markers: the
    follow-up is answered from it, by the bundled model, with the article's name (a few minutes on 2 cores)."""
    settings = server["settings"].updated({"answer": {"backend": "local"}})
    prepare_local_model(settings)
    assistant = Assistant(settings, index=server["assistant"].index, embedder=server["assistant"].embedder)
    demo, url = start(settings, assistant)
    try:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", timeout=600)
        messages = [{"role": "user", "content": "Why did OpenAI drop Scale AI?"}]
        first = client.chat.completions.create(model="warta", messages=messages)
        assert first.model_extra["warta"]["backend"] == "local"
        messages += [{"role": "assistant", "content": first.choices[0].message.content},
                     {"role": "user", "content": "and who is the interim CEO?"}]
        second = client.chat.completions.create(model="warta", messages=messages)
        assert "Jason Droege" in second.choices[0].message.content
        assert second.model_extra["citations"][0]["title"] == SEED_TITLE
    finally:
        demo.close()
        assistant.close()
