"""The HTTP API of ``warta serve``: Warta's JSON API and an OpenAI-compatible chat API."""
