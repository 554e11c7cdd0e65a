"""Where a request really came from when a reverse proxy stands in front of the app."""

from django.conf import settings


def client_ip(request):
    """The client's address: the entry our own proxies appended to X-Forwarded-For.

    Behind ``TRUSTED_PROXY_COUNT`` proxies, each appends the address it was connected from, so the
    client is that many entries from the end; anything further left was sent by the client itself
    and may be forged. Without proxies (the default) it is the connection's own address.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
