"""Store failures the officer must understand: each carries a Chinese message and what to do.

Nothing that raises one of these has overwritten or deleted anything.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreError(Exception):
    title = "数据存储错误"

    def __init__(self, message: str, advice: str) -> None:
        super().__init__(message)
        self.message = message
        self.advice = advice

    def __str__(self) -> str:
        return f"{self.title}：{self.message}\n处理建议：{self.advice}"


class DataDirError(StoreError):
    title = "数据文件夹不可用"


class CorruptDatabaseError(StoreError):
    title = "数据库文件已损坏"


class NewerSchemaError(StoreError):
    title = "数据库版本过新"


class DiskFullError(StoreError):
    title = "磁盘空间已满"


class ForbiddenWriteError(RuntimeError):
    """A programming error: a synced table written outside the one write path."""


def corrupt(path: Path, detail: str) -> CorruptDatabaseError:
    return CorruptDatabaseError(
        f"无法读取数据库文件 {path}（{detail}）。文件未被修改。",
        "请不要删除该文件。联系技术保障人员从备份恢复，或使用 --data-dir 指定另一个数据文件夹"
        "临时开展工作，之后由服务器同步补齐数据。",
    )


def disk_full(path: Path) -> DiskFullError:
    return DiskFullError(
        f"数据文件夹所在磁盘已满，本次操作未保存（{path}）。之前已保存的数据完好。",
        "请清理磁盘空间（如删除临时文件、旧的导出文件）后重试；表单中已填写的内容仍保留。",
    )


def translate(error: BaseException, path: Path) -> BaseException:
    """Map a sqlite3 failure to the officer-facing error, or return it unchanged."""
    cause = getattr(error, "orig", None) or error
    if not isinstance(cause, sqlite3.Error):
        return error
    text = str(cause).lower()
    if "disk is full" in text or ("disk i/o error" in text and "full" in text):
        return disk_full(path)
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return corrupt(path, str(cause))
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return DataDirError(
            f"无法写入数据库文件 {path}（{cause}）。",
            "请检查该文件夹的权限和磁盘状态，或使用 --data-dir 指定一个可写的文件夹。",
        )
    return error
