"""Text tools shared by every stage: language, sentences."""
