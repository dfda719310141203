"""Serving the web UI and the HTTP API (``ui.http.api``) on one port: ``serve()`` binds 127.0.0.1 unless told
otherwise, and asks for a login when the variables named by ``ui.auth_user_env`` / ``ui.auth_password_env`` are
set, with a brake on password guessing (``ui.web.login``). Gradio runs offline: no analytics, API page,
monitoring or raw errors in the browser.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from assistant.assistant import Assistant
from core.errors import ConfigError
from core.net import is_loopback
from core.paths import DataDir
from core.settings import Settings, load_settings
from ui.http.api import Api
from ui.http.state import remove_state, write_state
from ui.web.app import I18N, WebApp
from ui.web.assets import CSS, HEAD
from ui.web.login import FailedLogins, LoginBrake, login_message

# The bundled font's SemiBold face is incomplete in Gradio 6.31 ("OpenAI" renders in mixed fonts);
# declaring only 400 and 700 makes the browser use the complete Bold face for weight 600.
THEME = gr.themes.Default(font=[gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)),
                                "ui-sans-serif", "system-ui", "sans-serif"])


def launch_options(settings: Settings) -> dict[str, Any]:
    """``Blocks.launch`` options: offline, no API page or monitoring, no raw errors in the browser."""
    return dict(
        share=False, quiet=True, show_error=False, ssr_mode=False, mcp_server=False, enable_monitoring=False,
        run_history=False, footer_links=["settings"], i18n=I18N, css=CSS, head=HEAD, theme=THEME,
        max_file_size=settings.ui.max_upload_bytes,
    )


def ui_auth(settings: Settings) -> tuple[str, str] | None:
    """(user, password) from the environment variables named in ``ui``, or None when neither is set.

    Raises:
        ConfigError: only one of the two is set.
    """
    user = os.environ.get(settings.ui.auth_user_env, "")
    password = os.environ.get(settings.ui.auth_password_env, "")
    if bool(user) != bool(password):
        raise ConfigError(f"Set both {settings.ui.auth_user_env} and {settings.ui.auth_password_env} to require a "
                          "login for the web UI, or neither.")
    return (user, password) if user else None


def exposure_warning(settings: Settings, host: str, auth: tuple[str, str] | None) -> str:
    """The warning to print when ``host`` reaches beyond this machine without a login, else ""."""
    if is_loopback(host) or auth is not None:
        return ""
    return (f"warning: Warta is reachable from the network on {host} without a login; set "
            f"{settings.ui.auth_user_env} and {settings.ui.auth_password_env} to require one.")


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # Gradio closes the server on it; serve() then removes its state file


def serve(settings: Settings | None = None, host: str | None = None, port: int | None = None,
          backend: str | None = None, *, assistant: Assistant | None = None, block: bool = True) -> gr.Blocks:
    """Start the web UI on ``host:port`` (default ``ui.host``/``ui.port``: http://127.0.0.1:7860).

    Args:
        settings: the settings tree; ``None`` loads ``config.toml`` + environment.
        host: interface to bind; anything but loopback exposes Warta to the network.
        port: TCP port.
        backend: answer backend (default ``answer.backend``).
        assistant: an ``Assistant`` to use (tests pass one with a preloaded embedder).
        block: wait until interrupted (the CLI); False returns the running app (tests; ``.close()`` it).

    Raises:
        ConfigError: only one of the login variables is set.
    """
    settings = settings or load_settings()
    host = host or settings.ui.host
    port = port or settings.ui.port
    auth = ui_auth(settings)
    warning = exposure_warning(settings, host, auth)
    if warning:
        print(warning, file=sys.stderr)
    app = WebApp(settings, assistant, backend)
    threading.Thread(target=app.warm_up, name="warta-warm-up", daemon=True).start()
    demo = app.build()
    demo.queue(default_concurrency_limit=1)
    shown_host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)
    print(f"Warta is running on http://{shown_host}:{port} (Ctrl-C to stop)", flush=True)
    polling = app.library.start_polling()  # feeds refresh themselves (feeds.poll), beside the chat
    failures = FailedLogins.from_settings(settings.ui)  # one count of wrong passwords for the UI and the API
    # `warta serve` (block) tells the CLI where it answers, so `warta ask` on this data dir uses its models
    state_file = DataDir.of(settings).server
    state = write_state(state_file, f"http://{shown_host}:{port}") if block else None
    if block and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)  # `kill`, systemd, docker stop: shut down as Ctrl-C does
    api = Api(settings, app.assistant, auth=auth, failures=failures, backend=backend,
              token=state.token if state else None, ingestor=app.library.ingestor)
    # /api and /v1 beside Gradio's own routes
    app_kwargs: dict[str, Any] = {"routes": api.routes(), "exception_handlers": api.exception_handlers()}
    if auth:
        app_kwargs["middleware"] = [Middleware(LoginBrake, failures=failures)]
    try:
        demo.launch(server_name=host, server_port=port, auth=auth, auth_message=login_message(settings.ui),
                    app_kwargs=app_kwargs, prevent_thread_lock=not block, **launch_options(settings))
    except BaseException:
        app.library.stop_polling()
        raise
    finally:
        if state is not None:
            remove_state(state_file, state)
        if block:
            app.library.stop_polling()
            app.assistant.close()
    if polling and not block:  # the caller's ``demo.close()`` stops the poller too
        close = demo.close

        def close_all(*args: Any, **kwargs: Any) -> None:
            app.library.stop_polling()
            close(*args, **kwargs)

        demo.close = close_all  # type: ignore[method-assign]
    return demo
