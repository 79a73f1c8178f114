"""Fixtures for import and export: a store with its writer and queries in the test's folder."""

from testkit.stores import fresh_database, queries, sample, store, writer

__all__ = ["fresh_database", "queries", "sample", "store", "writer"]
