"""What every e-mail of the register shares: a text body with an HTML alternative, both from
templates, the one error for a backend that took nothing, and how a mail links the site."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from common.languages import opened_in


class NotAccepted(Exception):
    """The mail backend returned without taking the message."""


def site_link(*parts):
    """The address on the site (``SITE_URL``) of the path ``parts`` make, as a mail written in
    the language active now links it: it opens the page in that language for whoever follows
    it, in a browser that never chose one too (``common.languages``)."""
    return linked(settings.SITE_URL + "".join(str(part) for part in parts))


def linked(url):
    """``url``, an address on the site, as a mail in the language active now links it."""
    return opened_in(url, translation.get_language())


def email(user, subject, template, context, connection=None, headers=None):
    """An e-mail to ``user`` from ``template``.txt with ``template``.html as its alternative,
    rendered in the language active now."""
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject, text, to=[user.email], connection=connection, headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message
