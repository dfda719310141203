"""The local model's ik_llama runtime (``assistant/llm/ik.py``): a real ik_llama.cpp child serving the bundled GGUF,
driven with the ``openai`` client as Warta's ``ChatOpenAI`` drives it, and its prompt checked against the GGUF's own
chat template rendered by the llama.cpp runtime.
"""

from __future__ import annotations

import httpx
import openai
import pytest

from assistant.llm.ik import chatml
from assistant.llm.server import LocalLlamaServer
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
