"""First token side by side: Warta on ik_llama.cpp, Warta on llama.cpp (xllamacpp), and the naive LangChain RAG.

One run, same questions, interleaved (question i goes to the three pipelines in a rotating order, so every
pipeline sees the same background load), each pipeline on its own model server started before the clock:

- ``warta ik_llama`` / ``warta llama.cpp``: ``Assistant.ask`` at the default settings (context budget, prompt,
  worked examples) after ``Assistant.warm_up`` (what ``warta serve`` does), ``local.runtime`` set to each.
  First token = ``Answer.timings_ms["first_token"]``: from the question to the first streamed answer text,
  retrieval and packing included.
- ``naive``: the pipeline of BASELINES.md: RecursiveCharacterTextSplitter(1000/100) over the same passages,
  e5 dense k=4 in Chroma (LangChain), a plain "answer from the context, cite [n], say you don't know" prompt,
  the same GGUF on llama.cpp through ``ChatOpenAI``. First token measured the same way (retrieval included).

Questions: ``--limit`` FacQA questions (random, seed 0) over their passages plus ``--distractors`` other FacQA
passages. Also reported per pipeline: prompt tokens (from the server's usage), generation speed (answer
tokens / (total - first token)) and answers containing a gold answer.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import common
from bench_answer import UsageLLM

NAIVE_PROMPT = ("Answer the question using only the context below. Cite the passages you use as [n]. If the "
                "context does not contain the answer, say you don't know.\n\nContext:\n{context}\n\n"
                "Question: {question}")
WARTA = ("ik_llama", "llama.cpp")


class Naive:
    """The naive LangChain RAG of BASELINES.md over ``passages``, on its own llama.cpp server."""

    def __init__(self, passages: list[dict], folder: Path, embedder, models: Path) -> None:
        import chromadb
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_core.embeddings import Embeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from assistant.llm.local import build_local_chat_model
        from core.models.prepare import prepare_local_model

        class E5(Embeddings):  # Warta's embedder (same e5 model and prefixes), as LangChain embeddings
            def embed_documents(self, texts):
                return embedder.passages(texts).tolist()

            def embed_query(self, text):
                return embedder.queries([text])[0].tolist()

        docs = [Document(page_content=p["text"], metadata={"title": p.get("title") or ""}) for p in passages]
        chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=100).split_documents(docs)
        self.store = Chroma(collection_name="naive", embedding_function=E5(), persist_directory=str(folder / "naive"),
                            client_settings=chromadb.Settings(anonymized_telemetry=False))
        if self.store._collection.count() == 0:
            self.store.add_documents(chunks)
        settings = common.bench_settings(folder / "unused", models)
        built = build_local_chat_model(prepare_local_model(settings), runtime="llama.cpp",
                                       max_tokens=settings.answer.max_answer_tokens)
        self.llm, self.server = UsageLLM(built.llm), built.server
        for _ in self.llm.stream([("human", NAIVE_PROMPT.format(context="", question=""))], max_completion_tokens=1):
            pass  # warm up, as the Warta servers are

    def ask(self, question: str) -> dict:
        started = time.perf_counter()
        docs = self.store.similarity_search(question, k=4)
        context = "\n\n".join(f"[{i}] {d.metadata['title']}\n{d.page_content}" for i, d in enumerate(docs, 1))
        first, text = None, ""
        for chunk in self.llm.stream([("human", NAIVE_PROMPT.format(context=context, question=question))]):
            if chunk.content and first is None:
                first = (time.perf_counter() - started) * 1000
            text += chunk.content
        return {"text": text, "first_token_ms": first, "total_ms": (time.perf_counter() - started) * 1000,
                "usage": self.llm.usage}

    def close(self) -> None:
        self.server.close()


def warta_ask(assistant, llm: UsageLLM, question: str) -> dict:
    answer = assistant.ask(question)
    return {"text": answer.text, "first_token_ms": answer.timings_ms.get("first_token") if llm.usage else None,
            "total_ms": answer.timings_ms.get("total"), "usage": llm.usage, "refused": answer.refused}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, default=100, help="FacQA questions (default 100)")
    parser.add_argument("--distractors", type=int, default=150, help="random other FacQA passages ingested")
    parser.add_argument("--pipelines", default="ik_llama,llama.cpp,naive", help="which pipelines to run")
    args = parser.parse_args(argv)

    from assistant.assistant import Assistant
    from assistant.eval.metrics import contains_gold
    from core.models.prepare import load_embedder
    from ingest.ingestor import Ingestor

    info = common.machine()
    models = common.models_dir(llm=True)
    rng = random.Random(0)
    qa = rng.sample(common.read_jsonl(common.DEV / "facqa_qa.jsonl"), args.limit)
    passages = common.read_jsonl(common.DEV / "facqa_passages.jsonl")
    gold = {pid for q in qa for pid in [q["gold_passage_id"], *q.get("passages_containing_answer", [])]}
    others = [p for p in passages if p["id"] not in gold]
    chosen = [p for p in passages if p["id"] in gold] + rng.sample(others, min(args.distractors, len(others)))
    folder = common.SCRATCH / "runtime" / f"facqa-{args.limit}-{args.distractors}"
    subset = folder / "passages.jsonl"
    subset.parent.mkdir(parents=True, exist_ok=True)
    subset.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in chosen), encoding="utf-8")
    settings = common.bench_settings(folder / "data", models)
    embedder = load_embedder(settings)
    embedder.cache_entries = 0  # every pipeline embeds its own question: nothing carried over between them
    Ingestor(settings, embedder=embedder).ingest([str(subset)])

    pipelines = args.pipelines.split(",")
    asks, closers = {}, []
    try:
        for name in pipelines:  # servers start (and read their system prompts) before any clock runs
            if name == "naive":
                naive = Naive(chosen, folder, embedder, models)
                asks[name], closers = naive.ask, [*closers, naive.close]
                continue
            assistant = Assistant(settings.updated({"local": {"runtime": name}}), embedder=embedder)
            assistant.warm_up()
            backend = assistant.backend()
            backend.llm = llm = UsageLLM(backend.llm)
            asks[name] = lambda q, a=assistant, m=llm: warta_ask(a, m, q)
            closers.append(assistant.close)
        results: dict[str, list[dict]] = {name: [] for name in pipelines}
        for i, q in enumerate(qa):
            for j in range(len(pipelines)):
                name = pipelines[(i + j) % len(pipelines)]
                row = asks[name](q["question"])
                row.update(id=q["id"], gold=contains_gold(row["text"], q["answers"]), load=common.loadavg()[0])
                results[name].append(row)
                print(f"  q{i} {name}: first token {row['first_token_ms']} ms, gold {row['gold']}", file=sys.stderr)
    finally:
        for close in closers:
            close()

    rows, summary = [], {}
    for name in pipelines:
        got = results[name]
        called = [r for r in got if r["first_token_ms"] is not None]
        ft = [r["first_token_ms"] / 1000 for r in called]
        gen = [r["usage"].get("output_tokens", 0) / max(1e-3, (r["total_ms"] - r["first_token_ms"]) / 1000)
               for r in called if r["usage"].get("output_tokens", 0) > 1]
        summary[name] = {"n": len(got), "model_called": len(called), "first_token_p50_s": common.median(ft),
                         "first_token_p95_s": common.pctl(ft, 95),
                         "prompt_tokens_mean": sum(r["usage"].get("input_tokens", 0) for r in called) / max(1, len(called)),
                         "generation_tok_s_p50": common.median(gen),
                         "gold_rate": sum(r["gold"] for r in got) / len(got)}
        s = summary[name]
        rows.append([name, s["n"], s["model_called"], s["prompt_tokens_mean"], s["first_token_p50_s"],
                     s["first_token_p95_s"], s["generation_tok_s_p50"], f"{s['gold_rate']:.0%}"])
    body = (f"{args.limit} FacQA questions (seed 0) over their passages + {args.distractors} distractors; default "
            f"settings (context budget {settings.answer.context_tokens} tokens, {settings.local.threads} threads), "
            "pipelines interleaved.\n\n" + common.table(
                ["pipeline", "questions", "model called", "prompt tokens (mean)", "first token p50 s", "p95 s",
                 "generation tok/s (p50)", "answer contains gold"], rows))
    if "ik_llama" in results and "llama.cpp" in results:
        same = sum(a["text"] == b["text"] for a, b in zip(results["ik_llama"], results["llama.cpp"], strict=True))
        body += f"\n\nSame answer text from both runtimes: {same} of {args.limit}.\n"
    common.publish("runtime", "Local model runtime: first token side by side", info, body,
                   {"summary": summary, "results": results})


if __name__ == "__main__":
    main()
