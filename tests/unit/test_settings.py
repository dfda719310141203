"""The settings tree: config.toml documents the defaults; env vars and overrides win; typos fail."""

from __future__ import annotations

import pytest

from core.errors import ConfigError
from core.settings import Settings, defaults_toml, load_settings
from tests.conftest import REPO


def test_config_toml_documents_exactly_the_defaults():
    assert (REPO / "config.toml").read_text() == defaults_toml() + "\n"
    assert load_settings(REPO / "config.toml", environ={}) == Settings()


def test_env_vars_override_each_setting_and_data_dir(tmp_path):
    s = load_settings(environ={"WARTA_RETRIEVAL_K": "8", "WARTA_ANSWER_BACKEND": "extractive",
                               "WARTA_DATA_DIR": str(tmp_path / "d"), "WARTA_UI_UPLOAD_TYPES": '[".txt"]'})
    assert s.retrieval.k == 8 and s.answer.backend == "extractive" and s.ui.upload_types == [".txt"]
    assert s.data_dir == tmp_path / "d" and s.data_dir.is_dir()


def test_warta_config_points_to_a_file(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[retrieval]\nk = 3\n")
    assert load_settings(environ={"WARTA_CONFIG": str(cfg)}).retrieval.k == 3
    assert load_settings(environ={"WARTA_CONFIG": str(cfg), "WARTA_RETRIEVAL_K": "4"}).retrieval.k == 4
    with pytest.raises(ConfigError, match="not a file"):
        load_settings(environ={"WARTA_CONFIG": str(tmp_path / "missing.toml")})


@pytest.mark.parametrize("toml, match", [
    ("[retrieval]\nkk = 3\n", "retrieval.kk"),
    ("[answer]\nbackend = 'gpt'\n", "answer.backend"),
    ("[retrieval\n", "not valid TOML"),
])
def test_bad_config_is_rejected_with_the_key(tmp_path, toml, match):
    cfg = tmp_path / "c.toml"
    cfg.write_text(toml)
    with pytest.raises(ConfigError, match=match):
        load_settings(cfg, environ={})


def test_bad_env_value_names_the_variable():
    with pytest.raises(ConfigError, match="WARTA_RETRIEVAL_K"):
        load_settings(environ={"WARTA_RETRIEVAL_K": "many"})
