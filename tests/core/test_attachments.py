"""MMS attachment limits: what the compose panel refuses before anything is sent."""

from __future__ import annotations

from rc_sms_desktop.core.attachments import (
    MAX_TOTAL_BYTES,
    check_attachments,
    describe_attachment,
    format_size,
)


def test_supported_types_by_extension_case_insensitive() -> None:
    assert describe_attachment("/tmp/Photo.JPG", 10).media_type == "image/jpeg"
    assert describe_attachment("clip.mov", 10).media_type == "video/quicktime"
    assert describe_attachment("card.vcf", 10).media_type == "text/vcard"
    assert describe_attachment("doc.pdf", 10).problem is None


def test_unsupported_type_is_named_and_refused() -> None:
    item = describe_attachment("report.docx", 1000)
    assert item.media_type is None
    assert item.problem is not None
    assert "report.docx" in item.problem
    assert "not a type RingCentral sends" in item.problem


def test_file_without_extension_is_refused() -> None:
    assert describe_attachment("README", 5).problem is not None


def test_empty_and_unreadable_files() -> None:
    assert "empty" in (describe_attachment("a.png", 0).problem or "")
    item = describe_attachment("gone.png", None, read_error="no such file")
    assert item.problem == "gone.png: no such file."


def test_ten_files_pass_eleven_do_not() -> None:
    ten = [describe_attachment(f"{i}.png", 100) for i in range(10)]
    assert check_attachments(ten).ok
    eleven = [*ten, describe_attachment("10.png", 100)]
    check = check_attachments(eleven)
    assert not check.ok
    assert "at most 10" in check.problems[0]


def test_total_size_limit_is_1_5_megabytes_in_all() -> None:
    half = MAX_TOTAL_BYTES // 2
    assert check_attachments(
        [describe_attachment("a.png", half), describe_attachment("b.png", half)]
    ).ok
    over = check_attachments(
        [describe_attachment("a.png", half), describe_attachment("b.png", half + 1)]
    )
    assert not over.ok
    assert "1.5 MB" in over.problems[0]


def test_each_file_problem_is_reported() -> None:
    check = check_attachments([describe_attachment("a.exe", 5), describe_attachment("b.png", 0)])
    assert len(check.problems) == 2


def test_sizes_read_as_people_expect() -> None:
    assert format_size(512) == "512 B"
    assert format_size(340_000) == "340 KB"
    assert format_size(1_500_000) == "1.5 MB"
    assert format_size(2_000_000) == "2 MB"
    assert check_attachments([describe_attachment("a.png", 340_000)]).summary() == (
        "1 file, 340 KB of 1.5 MB"
    )
