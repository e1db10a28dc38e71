"""The record of changes made from the app: one JSON line per applied change, in the user's data
folder. Each line has the time, account, signed-in extension, action, numbers, before, after and
RingCentral's answer; never a token (every string passes through secret redaction)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rc_sms_desktop.infra.redaction import redact

FILE_NAME = "changes.jsonl"


def default_audit_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("rc-sms-desktop")) / FILE_NAME


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class AuditLog:
    """Appends to and reads back `path` (created with owner-only permissions)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_audit_path()

    def append(self, *, account: str | None, extension: str | None, action: str,
               numbers: list[str], before: Any, after: Any, answer: Any,
               outcome: str) -> dict[str, Any]:
        entry = _clean({
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "account": account, "extension": extension, "action": action,
            "numbers": numbers, "before": before, "after": after,
            "answer": answer, "outcome": outcome,
        })
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return dict(entry)

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """The last `limit` entries, newest first; unreadable lines are skipped."""
        try:
            with self.path.open(encoding="utf-8", errors="replace") as handle:
                lines = handle.readlines()[-limit:]
        except OSError:
            return []
        entries: list[dict[str, Any]] = []
        for line in reversed(lines):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                entries.append(value)
        return entries
