"""The local model's ik_llama runtime (``assistant/llm/ik.py``): a real ik_llama.cpp child serving the bundled GGUF,
driven with the ``openai`` client as Warta's ``ChatOpenAI`` drives it, and its prompt checked against the GGUF's own
chat template rendered by the llama.cpp runtime.
"""

from __future__ import annotations

import math

import httpx
import openai
import pytest

from assistant.doubt import refusal_probability
from assistant.llm.ik import chatml
from assistant.llm.server import LocalLlamaServer
from assistant.prompts import SYSTEM as ANSWER_SYSTEM
from core.models.prepare import prepare_local_model
from tests.conftest import make_settings

pytestmark = pytest.mark.slow

PASSAGE = ("[1] OpenAI Putus Kerja Sama dengan Scale AI\nMeta menanamkan US$14,3 miliar di Scale AI dan merekrut "
           "pendirinya, Alexandr Wang. Jason Droege menjadi CEO interim Scale AI.")
SYSTEM = "Jawab dari kutipan saja, singkat, dengan penanda [n]."


def messages(question: str, system: str = SYSTEM) -> list[dict[str, str]]:
    return [{"role": "system", "content": system}, {"role": "user", "content": f"{PASSAGE}\n\nPertanyaan: {question}"}]


@pytest.fixture(scope="module")
def model_path(models_dir):
    return prepare_local_model(make_settings(models_dir / "unused", models_dir))


@pytest.fixture(scope="module")
def ik(model_path):
    with LocalLlamaServer(model_path, n_ctx=2048, n_threads=2, runtime="ik_llama") as server:
        yield server


@pytest.fixture(scope="module")
def client(ik):
    return openai.OpenAI(base_url=ik.base_url, api_key=ik.api_key, max_retries=0, timeout=600,
                         http_client=httpx.Client(trust_env=False))


def test_the_prompt_is_the_gguf_chat_template(model_path):
    conversations = [
        messages("Siapa CEO interim Scale AI?"),
        [{"role": "user", "content": "Halo"}],  # no system turn: the template adds Qwen's own
        [*messages("Berapa nilai investasi Meta?"), {"role": "assistant", "content": "US$14,3 miliar [1]."},
         {"role": "user", "content": "Dan siapa pendirinya?"}],
    ]
    with LocalLlamaServer(model_path, n_ctx=2048, n_threads=2, runtime="llama.cpp") as llama:
        root = llama.base_url.removesuffix("/v1")
        with httpx.Client(trust_env=False, timeout=60) as http:
            for conversation in conversations:
                reply = http.post(f"{root}/apply-template", json={"messages": conversation},
                                  headers={"Authorization": f"Bearer {llama.api_key}"})
                assert reply.status_code == 200, reply.text
                assert chatml(conversation) == reply.json()["prompt"]


def test_streamed_and_whole_answers_are_the_same_greedy_answer(client, ik):
    whole = client.chat.completions.create(model=ik.model_name, messages=messages("Siapa CEO interim Scale AI?"),
                                           temperature=0, max_tokens=40)
    text = whole.choices[0].message.content
    assert "Jason Droege" in text, text
    assert whole.choices[0].finish_reason == "stop" and whole.usage.prompt_tokens > 50
    assert whole.usage.completion_tokens > 0

    stream = client.chat.completions.create(model=ik.model_name, messages=messages("Siapa CEO interim Scale AI?"),
                                            temperature=0, max_tokens=40, stream=True,
                                            stream_options={"include_usage": True})
    chunks = list(stream)
    pieces = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(pieces) >= 3 and "".join(pieces) == text
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"


def test_a_saved_prompt_state_gives_the_same_answer_as_reading_it_afresh(client, ik):
    """Between two identical requests, one with another system prompt replaces the live KV cache: the third
    request restores the first prompt's saved state and must answer exactly as the first did."""
    ask = messages("Berapa nilai investasi Meta di Scale AI?")
    first = client.chat.completions.create(model=ik.model_name, messages=ask, temperature=0, max_tokens=40)
    other = client.chat.completions.create(model=ik.model_name, temperature=0, max_tokens=20,
                                           messages=messages("Siapa pendiri Scale AI?", system="Answer in English."))
    again = client.chat.completions.create(model=ik.model_name, messages=ask, temperature=0, max_tokens=40)
    assert "14,3" in first.choices[0].message.content
    assert "Wang" in other.choices[0].message.content
    assert again.choices[0].message.content == first.choices[0].message.content
    # the state was restored (all but the last token not read again), not read afresh after a failed restore
    assert again.usage.prompt_tokens_details.cached_tokens == again.usage.prompt_tokens - 1
    assert other.usage.prompt_tokens_details.cached_tokens < 10  # another system prompt: only "<|im_start|>system"


def test_max_tokens_and_stop_strings_end_the_answer(client, ik):
    capped = client.chat.completions.create(model=ik.model_name, messages=messages("Ceritakan semua isi kutipan."),
                                            temperature=0, max_tokens=3)
    assert capped.choices[0].finish_reason == "length" and capped.usage.completion_tokens == 3
    full = client.chat.completions.create(model=ik.model_name, messages=messages("Siapa CEO interim Scale AI?"),
                                          temperature=0, max_tokens=40).choices[0].message.content
    stopped = client.chat.completions.create(model=ik.model_name, messages=messages("Siapa CEO interim Scale AI?"),
                                             temperature=0, max_tokens=40, stop=["Droege"])
    assert stopped.choices[0].message.content == full[: full.index("Droege")]


def test_errors_are_json_with_a_clear_message_and_the_server_goes_on(client, ik):
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=ik.base_url, api_key="wrong", max_retries=0,
                      http_client=httpx.Client(trust_env=False)).models.list()
    # A refused request's body is read, so the next request on the same kept-alive connection is parsed whole.
    with httpx.Client(trust_env=False, timeout=600) as http:
        refused = http.post(f"{ik.base_url}/chat/completions", headers={"Authorization": "Bearer wrong"},
                            json={"model": ik.model_name, "messages": messages("Siapa CEO interim Scale AI?")})
        assert refused.status_code == 401 and refused.json()["error"]["message"] == "invalid API key"
        same_connection = http.post(f"{ik.base_url}/chat/completions", headers={"Authorization": f"Bearer {ik.api_key}"},
                                    json={"model": ik.model_name, "messages": messages("Siapa CEO interim Scale AI?"),
                                          "temperature": 0, "max_tokens": 40})
        assert same_connection.status_code == 200, same_connection.text
    with pytest.raises(openai.BadRequestError, match="does not fit the context of 2048 tokens"):
        client.chat.completions.create(model=ik.model_name, messages=messages("x " * 3000), max_tokens=10)
    with pytest.raises(openai.BadRequestError, match="messages"):
        client.chat.completions.create(model=ik.model_name, messages=[], max_tokens=10)
    assert [m.id for m in client.models.list().data] == [ik.model_name]
    # A client that hangs up in the middle of a stream does not leave the model busy or broken.
    with httpx.Client(trust_env=False, timeout=600) as http, http.stream(
            "POST", f"{ik.base_url}/chat/completions", headers={"Authorization": f"Bearer {ik.api_key}"},
            json={"model": ik.model_name, "messages": messages("Ceritakan semua isi kutipan."), "stream": True,
                  "max_tokens": 200}) as reply:
        next(reply.iter_lines())
    answer = client.chat.completions.create(model=ik.model_name, messages=messages("Siapa CEO interim Scale AI?"),
                                            temperature=0, max_tokens=40)
    assert "Jason Droege" in answer.choices[0].message.content


def test_logprobs_are_openais_and_agree_with_llama_cpps(client, ik, model_path):
    """``logprobs`` / ``top_logprobs`` as OpenAI returns them, whole and streamed: one item per answer token, the
    greedy token first among its alternatives. The assistant reads the first token's alternatives to see how
    likely the answer begins with the refusal (``assistant.doubt``), so both runtimes must give about the same
    figures for the same prompt."""
    ask = messages("Siapa CEO interim Scale AI?")
    # read once, so that both requests below find the prompt cached and read only its last token (the logits of
    # a token read alone differ a little from those of the same token read in a batch)
    client.chat.completions.create(model=ik.model_name, messages=ask, temperature=0, max_tokens=1)
    whole = client.chat.completions.create(model=ik.model_name, messages=ask, temperature=0, max_tokens=12,
                                           logprobs=True, top_logprobs=5)
    items = whole.choices[0].logprobs.content
    assert len(items) == whole.usage.completion_tokens
    assert "".join(i.token for i in items) == whole.choices[0].message.content
    for item in items:
        alternatives = [a.logprob for a in item.top_logprobs]
        assert len(alternatives) == 5 and alternatives == sorted(alternatives, reverse=True)
        assert item.top_logprobs[0].token == item.token and item.logprob == pytest.approx(alternatives[0])
        assert sum(math.exp(a) for a in alternatives) <= 1.0 + 1e-6
        assert bytes(item.bytes).decode("utf-8", errors="replace") == item.token

    stream = client.chat.completions.create(model=ik.model_name, messages=ask, temperature=0, max_tokens=12,
                                            logprobs=True, top_logprobs=5, stream=True)
    streamed = [i for c in stream if c.choices and c.choices[0].logprobs for i in c.choices[0].logprobs.content]
    assert [(i.token, round(i.logprob, 4)) for i in streamed] == [(i.token, round(i.logprob, 4)) for i in items]

    plain = client.chat.completions.create(model=ik.model_name, messages=ask, temperature=0, max_tokens=4)
    assert plain.choices[0].logprobs is None
    with pytest.raises(openai.BadRequestError, match="'logprobs' must be true"):
        client.chat.completions.create(model=ik.model_name, messages=ask, max_tokens=4, top_logprobs=3)

    # With the assistant's own instructions (refuse when the passages do not say), both runtimes give about the same
    # refusal probability: low when the passage names the CEO, well above it when it gives no headcount.
    answerable = messages("Siapa CEO interim Scale AI?", system=ANSWER_SYSTEM["id"])
    near_miss = messages("Berapa jumlah karyawan Scale AI?", system=ANSWER_SYSTEM["id"])
    with LocalLlamaServer(model_path, n_ctx=2048, n_threads=2, runtime="llama.cpp") as llama:
        other = openai.OpenAI(base_url=llama.base_url, api_key=llama.api_key, max_retries=0, timeout=600,
                              http_client=httpx.Client(trust_env=False))
        doubts = {}
        for server, name in ((client, ik.model_name), (other, llama.model_name)):
            for conversation in (answerable, near_miss):
                first = server.chat.completions.create(model=name, messages=conversation, temperature=0,
                                                       max_tokens=1, logprobs=True, top_logprobs=20)
                doubts[name, conversation is near_miss] = refusal_probability(first.choices[0].logprobs.model_dump(),
                                                                              "id")
    for near in (False, True):
        assert doubts[ik.model_name, near] == pytest.approx(doubts[llama.model_name, near], abs=0.06), doubts
    for name in (ik.model_name, llama.model_name):
        assert doubts[name, False] < 0.05 and doubts[name, True] > 0.1, doubts
