"""Walking RingCentral's paged lists safely.

A list answer carries `records`, `paging` (`page`, `perPage`, `totalPages`, `totalElements`) and
usually `navigation.nextPage.uri`. We follow the server's `nextPage` link only when it points at
the same scheme, host and port as the session (the bearer token must never go anywhere else),
otherwise the next page number. A cycle, an off-host link, a link past the reported total, a
malformed later page or the page bound ends paging with the records so far and a warning: the
user sees what we have rather than an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

MAX_PER_PAGE = 1000  # EnumeratedPagingModel: perPage 1..1000
MAX_PAGE_NUMBER = 1000  # EnumeratedPagingModel: page 1..1000
DEFAULT_MAX_PAGES = 200

QueryParams = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class PageInfo:
    """One page as received: raw records and what the server said about paging."""

    records: tuple[object, ...]
    page: int | None
    per_page: int | None
    total_pages: int | None
    total_elements: int | None
    next_page_uri: str | None


@dataclass
class PagedResult:
    """Every record of a paged list, plus warnings when paging stopped early."""

    records: list[object] = field(default_factory=list)
    pages: int = 0
    total_elements: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when paging ended normally (no warning)."""
        return not self.warnings


class NotAPage(ValueError):
    """The body is not a RingCentral list answer (no `records` array)."""


def read_page(body: object) -> PageInfo:
    """The paging facts of a list answer; raises `NotAPage` only when there is no records array."""
    if not isinstance(body, Mapping):
        raise NotAPage("the answer is not a JSON object")
    records = body.get("records")
    if not isinstance(records, list):
        raise NotAPage("the answer has no records list")
    paging = body.get("paging")
    paging = paging if isinstance(paging, Mapping) else {}
    navigation = body.get("navigation")
    navigation = navigation if isinstance(navigation, Mapping) else {}
    next_page = navigation.get("nextPage")
    next_uri = next_page.get("uri") if isinstance(next_page, Mapping) else None
    return PageInfo(
        records=tuple(records),
        page=_int(paging.get("page")),
        per_page=_int(paging.get("perPage")),
        total_pages=_int(paging.get("totalPages")),
        total_elements=_int(paging.get("totalElements")),
        next_page_uri=next_uri if isinstance(next_uri, str) and next_uri else None,
    )


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


@dataclass(frozen=True)
class NextRequest:
    """Where the next page is: a path (on the session's server) and its query."""

    path: str
    params: tuple[tuple[str, str], ...]

    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """Identity for cycle detection (query order does not matter)."""
        return self.path.rstrip("/"), tuple(sorted(self.params))


def with_page(params: QueryParams, page: int, per_page: int) -> tuple[tuple[str, str], ...]:
    """`params` with `page` and `perPage` set (perPage clamped to the spec's 1..1000)."""
    kept = [(k, v) for k, v in params if k not in ("page", "perPage")]
    per_page = max(1, min(MAX_PER_PAGE, per_page))
    return (*kept, ("page", str(page)), ("perPage", str(per_page)))


class PageWalker:
    """Decides, page after page, which page to fetch next, or why to stop.

    Pure logic (no I/O) so every bad shape can be tested directly; `RingCentralClient.paginate`
    drives it with real requests.
    """

    def __init__(
        self,
        server_url: str,
        path: str,
        params: QueryParams = (),
        *,
        per_page: int = MAX_PER_PAGE,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        base = urlsplit(server_url)
        self._origin = (base.scheme.lower(), (base.hostname or "").lower(), _port(base))
        self._max_pages = max_pages
        self._per_page = max(1, min(MAX_PER_PAGE, per_page))
        self.first = NextRequest(path, with_page(params, 1, self._per_page))
        self._seen = {self.first.key()}
        self._pages = 0
        self._first_total: int | None = None  # totalPages as the first page announced it
        self.warnings: list[str] = []

    def after(self, request: NextRequest, page: PageInfo) -> NextRequest | None:
        """The request for the page after `page` (fetched with `request`), or None to stop."""
        self._pages += 1
        current = page.page if page.page is not None else _page_param(request.params)
        total = page.total_pages
        if self._pages == 1:
            self._first_total = total
        elif (self._first_total is not None and total is not None
              and self._pages >= 2 * self._first_total + 2):
            # A list may grow a little while we walk it (a number added meanwhile), but one
            # that keeps growing never ends: the walk is bounded by twice what was first announced.
            return self._stop(
                f"The server kept adding pages (first {self._first_total}, now {total}); "
                f"stopped after {self._pages} pages."
            )
        if total is not None and current is not None and current >= total:
            return None
        if not page.records and page.next_page_uri is None:
            return None
        if page.next_page_uri is not None:
            nxt = self._from_link(page.next_page_uri)
            if nxt is None:
                return None
        elif total is not None and current is not None:
            nxt = NextRequest(request.path, with_page(request.params, current + 1, self._per_page))
        else:
            return None  # no link and no total: this was the only page
        nxt_page = _page_param(nxt.params)
        if total is not None and nxt_page is not None and nxt_page > total:
            return self._stop(
                f"The server linked to page {nxt_page} of {total}; stopped at the reported total."
            )
        if current is not None and nxt_page is not None and nxt_page <= current:
            return self._stop(f"The server linked back to page {nxt_page}; stopped to avoid a loop.")
        if nxt.key() in self._seen:
            return self._stop("The server linked to a page we already read; stopped to avoid a loop.")
        if nxt_page is not None and nxt_page > MAX_PAGE_NUMBER:
            return self._stop(f"Stopped at page {MAX_PAGE_NUMBER}, RingCentral's maximum.")
        if self._pages >= self._max_pages:
            return self._stop(f"Stopped after {self._max_pages} pages; the list may be incomplete.")
        self._seen.add(nxt.key())
        return nxt

    def _from_link(self, uri: str) -> NextRequest | None:
        parts = urlsplit(uri)
        if parts.scheme or parts.netloc:
            origin = (parts.scheme.lower(), (parts.hostname or "").lower(), _port(parts))
            if origin != self._origin:
                return self._stop(
                    "The server's next-page link pointed to another host; stopped there."
                )
        path = parts.path
        if not path.startswith("/"):
            return self._stop("The server's next-page link was not a path; stopped there.")
        return NextRequest(path, tuple(parse_qsl(parts.query, keep_blank_values=True)))

    def _stop(self, warning: str) -> NextRequest | None:
        """Record why paging ends; always None (the "no next page" answer)."""
        self.warnings.append(warning)
        return None


def _page_param(params: QueryParams) -> int | None:
    for key, value in params:
        if key == "page":
            return _int(value)
    return None


def _port(parts: object) -> int | None:
    try:
        port: int | None = getattr(parts, "port", None)
    except ValueError:  # a non-numeric port in a hostile link
        return -1
    if port is None:
        scheme = getattr(parts, "scheme", "").lower()
        return {"http": 80, "https": 443}.get(scheme)
    return port


def query_string(params: QueryParams) -> str:
    """Encode a query for logs and links."""
    return urlencode(list(params))
