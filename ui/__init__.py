"""Front ends: the ``warta`` CLI and the Gradio web UI. They parse input, call the library, format output."""
