"""The import rule, checked on every module's imports (top-level, inside functions, under TYPE_CHECKING):

    core  <-  store  <-  ingest, assistant  <-  ui

A package may import itself and the packages to its left, never those to its right: the library (core, store,
ingest, assistant) never imports its front ends (ui), ingest and assistant do not import each other, and core
imports nothing of ours. One exception, named here: ``assistant.eval`` ingests its passages file into an
isolated store, so it may use ``ingest``. And each heavy or outward-facing library has one door (docs/architecture.md).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

ALLOWED = {  # package -> the packages of ours it may import
    "core": {"core"},
    "store": {"core", "store"},
    "ingest": {"core", "store", "ingest"},
    "assistant": {"core", "store", "assistant"},
    "ui": {"core", "store", "ingest", "assistant", "ui"},
}
EXCEPTIONS = {  # module prefix -> extra packages it may import, and why
    "assistant.eval": ({"ingest"}, "an evaluation ingests its passages file into its own isolated store"),
}
DOORS = {  # third-party package -> the only modules that may import it
    "chromadb": ("store.vectors",),
    "bm25s": ("store.keywords",),
    "torch": ("core.models.",),
    "sentence_transformers": ("core.models.",),
    "transformers": ("core.models.",),
    "tokenizers": ("core.models.",),
    "openvino": ("core.models.",),
    "tiktoken": ("core.models.prepare", "core.text.tokens"),
    "xllamacpp": ("assistant.llm.child",),
    "ik_llama_cpp": ("assistant.llm.ik",),
    "langchain_openai": ("assistant.llm.",),
    "gradio": ("ui.web.",),
    "starlette": ("ui.web.", "ui.http."),
    "fastapi": ("ui.http.",),
    # articles, the local model's endpoint, a running server; and the dictionary's one download from Debian's archive
    "httpx": ("ingest.sources.", "assistant.llm.local", "ui.cli.remote", "core.models.dictionary"),
    "httpcore": ("ingest.sources.netpolicy",),
    "trafilatura": ("ingest.clean",),
    "feedparser": ("ingest.sources.feed",),
    "frontmatter": ("ingest.sources.article",),
}


def modules() -> Iterator[tuple[str, Path]]:
    """Every module of the library and the front ends, by dotted name."""
    for package in ALLOWED:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def imports(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """``(line, imported module)`` for every import statement of a module, relative ones resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            if node.module:
                yield node.lineno, target
            else:  # "from . import x": each name is a module of the package
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}"


def where(module: str, path: Path, line: int, target: str) -> str:
    return f"{path.relative_to(REPO)}:{line} ({module}) imports {target}"


def test_modules_are_found():
    found = dict(modules())
    assert {"core.settings", "store.index", "ingest.ingestor", "assistant.assistant", "ui.cli.main"} <= found.keys()


def test_each_package_imports_only_its_own_and_those_below():
    offences = []
    for module, path in modules():
        package = module.split(".")[0]
        allowed = set(ALLOWED[package])
        for prefix, (extra, _why) in EXCEPTIONS.items():
            if module == prefix or module.startswith(prefix + "."):
                allowed |= extra
        for line, target in imports(module, path):
            root = target.split(".")[0]
            if root in ALLOWED and root not in allowed:
                offences.append(f"{where(module, path, line, target)}: {package} may import only "
                                f"{', '.join(sorted(allowed))}")
    assert not offences, "the import rule (core <- store <- ingest, assistant <- ui) is broken:\n" + "\n".join(offences)


def test_each_outside_library_has_one_door():
    offences = []
    for module, path in modules():
        for line, target in imports(module, path):
            doors = DOORS.get(target.split(".")[0])
            if doors and not any(module == door or (door.endswith(".") and module.startswith(door)) for door in doors):
                offences.append(f"{where(module, path, line, target)}: only {', '.join(doors)} may")
    assert not offences, "a library imported outside its door:\n" + "\n".join(offences)


@pytest.mark.parametrize(("source", "package", "found"), [
    ("from ui.cli import main\n", "store.index", "ui.cli"),
    ("def f():\n    import ingest.chunk\n", "assistant.context", "ingest.chunk"),
    ("from ..records import Hit\n", "store.sub.index", "store.records"),
    ("from . import render\n", "ui.web.app", "ui.web.render"),
])
def test_the_checker_sees_every_kind_of_import(tmp_path, source, package, found):
    path = tmp_path / "mod.py"
    path.write_text(source)
    assert found in {target for _, target in imports(package, path)}
