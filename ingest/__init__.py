"""Getting articles in: sources -> clean -> chunk -> embed -> store."""
