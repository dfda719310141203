"""Getting answers out: condense -> retrieve -> pack -> generate -> cite."""
