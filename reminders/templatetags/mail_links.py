"""``{% site_link path %}``: the address of ``path`` on the site as a mail links it, opening
the page in the mail's language (``reminders.mail.site_link``)."""

from django import template

from reminders import mail

register = template.Library()


@register.simple_tag
def site_link(*parts):
    return mail.site_link(*parts)
