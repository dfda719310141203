"""``warta brief`` as a user runs it, on real components (e5, Chroma, stories): articles of a developing story
and their syndicated copies come in twice; the briefing of the second batch shows each story once with its other
outlets, says what changed since the first batch, and every sentence is stated by the article it cites."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime

from tests.conftest import REPO, run_cli

STORY = {a["id"]: a for a in map(json.loads, (REPO / "benchmarks" / "data" / "temporal" / "developing_story.jsonl")
                                  .read_text(encoding="utf-8").splitlines())}
TOLL_7 = STORY["fx-tirtamaya-02"]  # Kabar Nusa Lestari, 6 February: 7 dead, 13 missing
FIRE = STORY["fx-palindo-02"]


def record(article: dict, **changes: str) -> dict:
    base = {k: article[k] for k in ("id", "title", "text", "date", "outlet", "url", "lang")}
    return {**base, **changes}


def syndicated(article: dict, outlet: str, slug: str, **changes: str) -> dict:
    """The same wire text under another outlet's dateline, URL and id."""
    text = changes.pop("text", article["text"]).replace(article["outlet"], outlet, 1) + f"\n\n(Sumber: {outlet})"
    return record(article, id=f"{slug}-{article['id']}", outlet=outlet, url=f"https://{slug}.example/{article['id']}",
                  text=text, **changes)


def write(path, records: list[dict]) -> str:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    return str(path)


def test_a_briefing_shows_each_story_once_what_changed_and_cites_every_sentence(cli_env, capsys, tmp_path):
    first = [record(TOLL_7), syndicated(TOLL_7, "Lembah Pos", "lembahpos")]
    assert run_cli(capsys, "ingest", "--quiet", write(tmp_path / "first.jsonl", first))[0] == 0
    time.sleep(1.1)  # the catalog records arrival to the second
    mark = datetime.now(UTC).isoformat(timespec="seconds")
    time.sleep(1.1)
    update = TOLL_7["text"].replace("menjadi 7 orang", "menjadi 12 orang").replace("13 warga", "8 warga")
    second = [record(TOLL_7, id="knl-update", url="https://kabarnusalestari.example/update", date="2024-02-07",
                     text=update),
              syndicated(TOLL_7, "Warta Lembah", "wartalembah", text=update, date="2024-02-07"),
              record(FIRE)]
    assert run_cli(capsys, "ingest", "--quiet", write(tmp_path / "second.jsonl", second))[0] == 0

    code, out, err = run_cli(capsys, "brief", "--since", mark, "--lang", "id", "--json")
    assert code == 0, err
    brief = json.loads(out)
    assert len(brief["items"]) == 2  # the fire, and the flood story once (two copies came in)
    flood = next(i for i in brief["items"] if "Tirtamaya" in i["title"])
    assert flood["copies"] == 2
    cited = {c["n"]: c for c in brief["citations"]}
    assert cited[flood["sentences"][0]["n"]]["also_in"]  # the story's other outlets are named
    changes = [(c["now"], c["before"]) for c in flood["changes"]]
    assert any("12 orang" in now and "7 orang" in before for now, before in changes), changes

    texts = {r["id"]: r["text"] for r in first + second}
    stated = [(s["text"], s["n"]) for i in brief["items"] for s in i["sentences"]]
    stated += [(c["now"], c["n"]) for c in flood["changes"]] + [(c["before"], c["before_n"]) for c in flood["changes"]]
    for sentence, n in stated:  # as quoted, less the relative dates spelled out ("Selasa (6/2) (6 Februari 2024)")
        plain = re.sub(r" \([^()]*\d{4}\)", "", sentence)
        assert plain in texts[cited[n]["article_id"]], (sentence, cited[n]["article_id"])

    code, out, _ = run_cli(capsys, "brief", "--since", mark, "--lang", "en")
    assert code == 0 and "Briefing since" in out and "Changed:" in out and "also published by" in out
    code, out, _ = run_cli(capsys, "brief", "--since", "2099-01-01", "--lang", "en")
    assert code == 0 and out.startswith("No new articles since")


def test_a_bad_since_is_refused_naming_it(cli_env, capsys):
    code, out, err = run_cli(capsys, "brief", "--since", "kemarin")
    assert code == 2 and "'kemarin'" in err and "Traceback" not in err + out
