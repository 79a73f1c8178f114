"""Full-text search that works for two-character Chinese queries (山洪, 滑坡, 火灾).

SQLite 3.40's trigram tokenizer needs three characters, so the workstation indexes CJK text
as overlapping character BIGRAMS: "山洪暴发" is stored as "山洪 洪暴 暴发"; latin words and
digits stay whole. A two-character query is then one exact token, a longer one an AND of
its bigrams (plus a phrase check by the caller if needed); a one-character query falls back
to prefix/LIKE. The index (FTS5 table ``incident_search``) is kept by triggers that call the
SQL function ``dc_bigrams``, registered on every connection of the workstation engine;
raw sqlite3 connections that write incidents must call :func:`register` first.
"""

from __future__ import annotations

import re
import sqlite3

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_IS_CJK = re.compile(rf"[{_CJK}]")


def bigrams(text: str | None) -> str:
    """Index text: CJK runs as overlapping bigrams (a lone character stays as is)."""
    if not text:
        return ""
    out: list[str] = []
    for run in _RUNS.findall(text):
        if _IS_CJK.match(run):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run.lower())
    return " ".join(out)


def match_query(query: str) -> str | None:
    """FTS5 MATCH expression for what the officer typed; None if nothing searchable.

    Each term must match (AND); a term is a bigram, a latin word (prefix), or a single CJK
    character (prefix, which also finds bigrams starting with it).
    """
    terms: list[str] = []
    for run in _RUNS.findall(query):
        if _IS_CJK.match(run):
            if len(run) == 1:
                terms.append(f'"{run}"*')
            else:
                terms.extend(f'"{run[i : i + 2]}"' for i in range(len(run) - 1))
        else:
            terms.append(f'"{run.lower()}"*')
    return " AND ".join(terms) if terms else None


def register(conn: sqlite3.Connection) -> None:
    conn.create_function("dc_bigrams", 1, bigrams, deterministic=True)
