"""Addresses of records, as lists link them."""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def object_url(viewname, arg):
    """``reverse(viewname, args=[arg])``, kept per URL configuration and script prefix.

    A list links every row's agreement and each of its regions, partners and sectors: a page
    of 25 agreements reversed 115 addresses, a region's page 156, each walking the resolver's
    patterns again for an address it had written a moment before."""
    return _object_url(viewname, arg, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())


@functools.lru_cache(maxsize=16384)
def _object_url(viewname, arg, root_urlconf, urlconf, prefix):
    return reverse(viewname, args=[arg], urlconf=urlconf)
