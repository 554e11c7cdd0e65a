"""Atom feed of newly signed and newly changed public agreements.

Public only, whoever asks: feed readers fetch without logging in, and aggregators cache and
pass the feed on, so it never depends on the reader.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement

FEED_LENGTH = 50


class AgreementsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Kerja sama daerah: terbaru")
    subtitle = _("Kerja sama publik yang baru ditandatangani atau baru diubah.")
    link = reverse_lazy("agreement-list")

    def items(self):
        # Recording a signature changes the agreement, so "newly changed" covers newly signed.
        return (
            Agreement.objects.public()
            .select_related("lead_region")
            .prefetch_related("regions", "partners")
            .order_by("-updated_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Rendered as HTML by feed readers: everything a user typed is escaped.
        facts = [
            (_("Jenis"), item.get_kind_display()),
            (_("Status"), item.get_shown_status_display()),
            (_("Daerah pengampu"), item.lead_region.name),
            (_("Para pihak"), ", ".join(party.name for party in self.parties(item))),
        ]
        if item.signed_on:
            facts.append((_("Ditandatangani"), date_format(item.signed_on, "DATE_FORMAT")))
        if item.expires_on:
            facts.append((_("Berakhir pada"), date_format(item.expires_on, "DATE_FORMAT")))
        description = format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", facts))
        if item.summary:
            description += format_html("<p>{}</p>", item.summary)
        return description

    @staticmethod
    def parties(item):
        return [*item.regions.all(), *item.partners.all()]

    def item_link(self, item):
        return item.get_absolute_url()

    def item_author_name(self, item):
        return item.lead_region.name

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        if item.signed_on:
            return timezone.make_aware(datetime.datetime.combine(item.signed_on, datetime.time()))
        return item.created_at

    def item_categories(self, item):
        return [item.get_kind_display()]
