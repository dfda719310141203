"""Evaluation of retrieval and answers on QA sets, in an isolated store."""
