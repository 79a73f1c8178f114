"""Client side of the offline-first sync: push the outbox, pull and rebase, listen for pokes.

Pure Python + requests; no Qt, so the CLI (``duty-console sync --once``) and tests use it.
"""
