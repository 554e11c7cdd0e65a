"""Where a request really came from when a reverse proxy stands in front of the app."""

import ipaddress

from django.conf import settings


def from_trusted_proxy(address):
    """Whether ``address`` (the connection's own) is one of ``TRUSTED_PROXY_ADDRESSES``."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXY_NETWORKS)


def client_ip(request):
    """The client's address: the entry our own proxies appended to X-Forwarded-For.

    Behind ``TRUSTED_PROXY_COUNT`` proxies, each appends the address it was connected from, so the
    client is that many entries from the end; anything further left was sent by the client itself
    and may be forged. Without proxies (the default) it is the connection's own address, and so
    it is for a connection that does not come from the proxy (``TRUSTED_PROXY_ADDRESSES``):
    whoever reaches gunicorn directly could write any X-Forwarded-For.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count and from_trusted_proxy(request.META.get("REMOTE_ADDR")):
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
