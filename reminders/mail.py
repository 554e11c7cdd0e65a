"""What every e-mail of the register shares: a text body with an HTML alternative, both from
templates, and the one error for a backend that took nothing."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


class NotAccepted(Exception):
    """The mail backend returned without taking the message."""


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
