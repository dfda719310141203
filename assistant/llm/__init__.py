"""The answer models: backends, and the local llama.cpp server."""
