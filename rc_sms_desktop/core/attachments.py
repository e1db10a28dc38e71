"""MMS attachments against RingCentral's limits: 10 files, 1.5 MB in all, supported media types.

The media type comes from the file name through a fixed table (RingCentral's published list of
MMS content types), not from the platform's `mimetypes` database, which differs between
Windows, macOS and Linux; `mimetypes` only names the type of a file we refuse. This module does
no I/O: the caller supplies the size it measured.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Final

MAX_ATTACHMENTS: Final = 10
MAX_TOTAL_BYTES: Final = 1_500_000
"""The spec's figure: "limited up to 1500000 bytes" for all attachments of one message."""

# RingCentral's "supported MMS content types" table (developer guide, Sending MMS).
SUPPORTED_MEDIA_TYPES: Final[dict[str, str]] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".bmp": "image/bmp",
    ".gif": "image/gif",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".3gp": "video/3gpp",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mpeg": "video/mpeg",
    ".mpg": "video/mpeg",
    ".avi": "video/avi",
    ".flv": "video/x-flv",
    ".wmv": "video/x-ms-wmv",
    ".mov": "video/quicktime",
    ".qt": "video/quicktime",
    ".webm": "video/webm",
    ".ogg": "video/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".oga": "audio/ogg",
    ".wav": "audio/wav",
    # The guide lists "audio/arm .arm" (sic); kept as published, plus the AMR spelling it means.
    ".arm": "audio/arm",
    ".amr": "audio/amr",
    ".vcf": "text/vcard",
    ".vcard": "text/vcard",
    ".zip": "application/zip",
    ".gzip": "application/gzip",
    ".gz": "application/gzip",
    ".rtf": "application/rtf",
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".ics": "text/calendar",
}


@dataclass(frozen=True)
class Attachment:
    """One file the user attached: its name, measured size and the media type we will send."""

    path: str
    size: int
    media_type: str | None
    """The supported type this file is sent as, or None when RingCentral does not accept it."""
    problem: str | None = None
    """Why this file cannot be sent (unsupported type, empty, unreadable), in words."""

    @property
    def name(self) -> str:
        return PurePath(self.path).name


def describe_attachment(
    path: str, size: int | None, *, read_error: str | None = None
) -> Attachment:
    """An `Attachment` for a file of `size` bytes (None with `read_error` when it cannot be read)."""
    name = PurePath(path).name
    media_type = SUPPORTED_MEDIA_TYPES.get(PurePath(path).suffix.lower())
    if read_error is not None or size is None:
        why = read_error or "could not be read"
        return Attachment(path, 0, media_type, f"{name}: {why}.")
    if size == 0:
        # RingCentral refuses it (MSG-347 "Attachment body is empty"); say so before sending.
        return Attachment(path, 0, media_type, f"{name} is empty.")
    if media_type is None:
        guessed, _ = mimetypes.guess_type(name, strict=False)
        shown = f" ({guessed})" if guessed else ""
        return Attachment(
            path,
            size,
            None,
            f"{name}{shown} is not a type RingCentral sends by MMS: use an image, video, "
            "audio, vCard, PDF, RTF, ZIP/GZIP, or a text, HTML, CSV or calendar file.",
        )
    return Attachment(path, size, media_type)


@dataclass(frozen=True)
class AttachmentCheck:
    """The whole set of attachments against RingCentral's limits."""

    count: int
    total_bytes: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """E.g. `2 files, 340 KB of 1.5 MB`."""
        noun = "file" if self.count == 1 else "files"
        return f"{self.count} {noun}, {format_size(self.total_bytes)} of {format_size(MAX_TOTAL_BYTES)}"


def check_attachments(attachments: Sequence[Attachment]) -> AttachmentCheck:
    """Each file's own problem, then the count and total-size limits."""
    problems = [a.problem for a in attachments if a.problem]
    total = sum(a.size for a in attachments)
    if len(attachments) > MAX_ATTACHMENTS:
        problems.append(
            f"{len(attachments)} files attached; RingCentral accepts at most {MAX_ATTACHMENTS} "
            "per message."
        )
    if total > MAX_TOTAL_BYTES:
        problems.append(
            f"Attachments total {format_size(total)}; RingCentral accepts at most "
            f"{format_size(MAX_TOTAL_BYTES)} per message in all."
        )
    return AttachmentCheck(len(attachments), total, tuple(problems))


def format_size(size: int) -> str:
    """Decimal units, as RingCentral states its limit (1.5 MB = 1,500,000 bytes)."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB".replace(".0 MB", " MB")
