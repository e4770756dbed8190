"""The address a request came from, as the audit log and the login lockout see it.

Behind the finance bureau's web server every request arrives from the proxy's address; the client's
own address is then only in X-Forwarded-For, which the client can also write. So the header is read
only when the request came from a trusted proxy (PERFGOALS_TRUSTED_PROXIES, empty meaning any when a
proxy count is set), and only the entries the trusted proxies appended are believed: with
``PERFGOALS_PROXY_COUNT = n`` the client is the n-th address from the right, the one the outermost
trusted proxy saw. What a client prepends is ignored; a value that is not an IP address (``unknown``,
``999.1.1.1``) is never returned, so the address column (PostgreSQL inet) is never handed junk.
"""

import ipaddress

from django.conf import settings


def _address(text):
    """``text`` as a normalised IP address, or None when it is not one."""
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _trusted(address):
    networks = getattr(settings, "PERFGOALS_TRUSTED_PROXIES", ())
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)


def client_address(request):
    """The client's IP address, or None when nothing trustworthy names one."""
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR"))
    count = getattr(settings, "PERFGOALS_PROXY_COUNT", 0)
    if count <= 0 or remote is None or not _trusted(remote):
        return remote
    forwarded = [item.strip() for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item.strip()]
    if len(forwarded) < count:
        return remote
    return _address(forwarded[-count]) or remote
