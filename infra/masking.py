"""Secrets inside addresses, masked before an address is printed or recorded: a URL's password and the values of
its query string (where webhook tokens and API keys travel). What is left still says where it points."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"


def masked(address: str | None, *, query: bool = True) -> str | None:
    """``address`` with its secret parts replaced by ``***``: a URL's password and, with ``query``, the values of its
    query string (a database URL's query names a socket or an SSL mode: ``query=False``). An e-mail address, or
    anything not a URL, as is."""
    if not address or "://" not in address:
        return address
    try:
        parts = urlsplit(address)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return MASK
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None:
        netloc += f":{port}"
    if parts.username is not None:
        secret = ":" + MASK if parts.password else ":" if parts.password == "" else ""
        netloc = f"{parts.username}{secret}@{netloc}"
    kept = urlencode([(k, MASK) for k, _ in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, kept if query else parts.query, ""))
