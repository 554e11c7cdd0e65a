"""The dashboard: where the register stands, what expires soon, what is overdue.

Every number starts from ``Agreement.objects.visible_to(user)``, so the public never counts, sees
or reads about an internal agreement here. The page runs a fixed number of queries whatever the
size of the register (``tests/test_dashboard.py`` pins it); each is named where it runs.
"""

import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from agreements import maps
from agreements.attention import soonest_expiring
from agreements.charts import Datum, bar_chart, column_chart
from agreements.filters import LATE
from agreements.models import (
    DUE_WITHIN_DAYS,
    EXPIRY_WINDOWS,
    Agreement,
    AgreementKind,
    AgreementStatus,
    Milestone,
    waits_on_label,
)
from agreements.views import selection_feeds

EXPIRING_WITHIN_DAYS = max(EXPIRY_WINDOWS)
# The lists show the most urgent rows; the figures above them give the full count.
LIST_LENGTH = 10
# Long category charts draw their top rows; their data tables hold every row.
CHART_TOP = 12


def list_url(**filters):
    """The agreement list narrowed the way a bar counts, so a number leads to its rows."""
    return f"{reverse('agreement-list')}?{urlencode(filters)}"


def list_url_several(**filters):
    """The agreement list narrowed by filters of several values each."""
    return f"{reverse('agreement-list')}?{urlencode(filters, doseq=True)}"


def expiring_filters(today):
    """The list's filters for the agreements expiring soon (``expiring_within``): signed or in
    force, expiring by the end of the widest window, soonest first."""
    return {
        "status": [AgreementStatus.SIGNED, AgreementStatus.IN_FORCE],
        "expires_before": (today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)).isoformat(),
        "sort": "expires",
    }


def status_chart(counts):
    data = [
        Datum(AgreementStatus(status).label, n, list_url(status=status))
        for status, n in counts.items()
    ]
    return bar_chart(
        data,
        chart_id="status",
        title=_("Kerja sama menurut status"),
        description=_("Status yang tampil, menurut tanggal berlaku dan berakhir."),
        label_heading=_("Status"),
        value_heading=_("Jumlah kerja sama"),
    )


def kind_chart(counts):
    data = [Datum(AgreementKind(kind).label, n, list_url(kind=kind)) for kind, n in counts.items()]
    return bar_chart(
        data,
        chart_id="kind",
        title=_("Kerja sama menurut jenis naskah"),
        label_heading=_("Jenis naskah"),
        value_heading=_("Jumlah kerja sama"),
    )


def _top_chart(data, *, chart_id, title, label_heading, description, note_template):
    note = ""
    if len(data) > CHART_TOP:
        note = note_template % {"shown": CHART_TOP, "all": len(data)}
    return bar_chart(
        data[:CHART_TOP],
        table=data,
        chart_id=chart_id,
        title=title,
        label_heading=label_heading,
        value_heading=_("Jumlah kerja sama"),
        description=description,
        note=note,
    )


def sector_chart(sectors):
    return _top_chart(
        [Datum(s.name, s.agreement_count, list_url(sector=s.slug)) for s in sectors],
        chart_id="sector",
        title=_("Kerja sama menurut bidang"),
        label_heading=_("Bidang"),
        description=_("Satu kerja sama dapat mencakup lebih dari satu bidang."),
        note_template=_("Grafik memuat %(shown)s dari %(all)s bidang; tabel data memuat semuanya."),
    )


def country_chart(countries):
    return _top_chart(
        [Datum(c.name, c.agreement_count, list_url(country=c.code)) for c in countries],
        chart_id="country",
        title=_("Kerja sama luar negeri menurut negara mitra"),
        label_heading=_("Negara"),
        description=_(
            "Satu kerja sama dapat melibatkan mitra dari lebih dari satu negara; "
            "mitra dalam negeri tidak dihitung."
        ),
        note_template=_("Grafik memuat %(shown)s dari %(all)s negara; tabel data memuat semuanya."),
    )


def signing_year_chart(counts):
    """Columns for every year from the first signing to the last, empty years included."""
    years = range(min(counts), max(counts) + 1) if counts else []
    # The year is text, not a number: 2024 must not be localised to "2.024".
    data = [
        Datum(str(year), counts.get(year, 0), list_url(year=year) if counts.get(year) else "")
        for year in years
    ]
    return column_chart(
        data,
        chart_id="year",
        title=_("Kerja sama menurut tahun penandatanganan"),
        label_heading=_("Tahun"),
        value_heading=_("Jumlah kerja sama"),
    )


def dashboard_context(user, today=None):
    """Everything the dashboard shows to ``user``, read in a fixed number of queries."""
    today = today or timezone.localdate()
    agreements = Agreement.objects.visible_to(user)

    # Queries 1–5: one GROUP BY each.
    by_status = agreements.counts_by_status(today)
    by_kind = agreements.counts_by_kind()
    by_sector = agreements.counts_by_sector()
    by_country = agreements.counts_by_partner_country()
    by_year = agreements.counts_by_signing_year()

    # Query 6: the soonest to expire, with how many expire soon in all, each marked where a
    # signed extension already carries it on.
    expiring_soonest, expiring_count = soonest_expiring(
        agreements, EXPIRING_WITHIN_DAYS, LIST_LENGTH, today
    )

    # The steps of the agreements that count; one rule says which are overdue (none of a
    # cooperation cancelled, terminated or ended).
    overdue = Milestone.objects.overdue(today).filter(agreement__in=agreements.order_by())
    # Queries 7–8: how many steps are overdue, and the longest overdue with their agreements.
    overdue_count = agreements.overdue_step_count(today)
    overdue_oldest = list(
        overdue.select_related("agreement", "agreement__lead_region").order_by(
            *Milestone.SOONEST_DUE_FIRST
        )[:LIST_LENGTH]
    )

    # Query 9: the steps coming due within two weeks, soonest first (as in the digest).
    due_soon = list(
        Milestone.objects.due_within(DUE_WITHIN_DAYS, today)
        .filter(agreement__in=agreements.order_by())
        .select_related("agreement", "agreement__lead_region")
        .order_by(*Milestone.SOONEST_DUE_FIRST)[:LIST_LENGTH]
    )

    # Query 10: how many cooperations wait on each party, and on nobody named yet (the stored
    # rule, one GROUP BY), as the report counts them.
    waiting = agreements.counts_by_waits_on(today)
    # Query 11: how many are dormant (*mati suri*).
    dormant_count = agreements.dormant_count(today)

    # Query 12: the last agreements to change.
    recently_changed = list(
        agreements.select_related("lead_region").order_by("-updated_at", "-id")[:LIST_LENGTH]
    )

    return {
        "today": today,
        "list_url": reverse("agreement-list"),
        "feeds": selection_feeds("", page=reverse("agreement-list")),
        "in_force_url": list_url(status=AgreementStatus.IN_FORCE),
        "expiring_within_days": EXPIRING_WITHIN_DAYS,
        "total": sum(by_status.values()),
        "in_force_count": by_status[AgreementStatus.IN_FORCE],
        "expiring_count": expiring_count,
        "expiring": expiring_soonest,
        # The same agreements on the list: in force (or signed) and expiring by the window's end.
        "expiring_url": list_url_several(**expiring_filters(today)),
        "overdue_count": overdue_count,
        "overdue": overdue_oldest,
        "overdue_url": list_url(late=LATE),
        "due_soon": due_soon,
        "due_within_days": DUE_WITHIN_DAYS,
        "recently_changed": recently_changed,
        "waiting": [
            {
                "party": party,
                "label": waits_on_label(party),
                "count": count,
                "url": list_url(waits_on=party),
            }
            for party, count in waiting.items()
        ],
        "waiting_ministries_url": list_url_several(waits_on=["dprd", "kemendagri", "kemlu"]),
        "dormant_count": dormant_count,
        "dormant_url": list_url(dormant="yes"),
        # Queries 14-16: the provinces, the counts per province and per outline (the world map
        # reads the countries counted above).
        "maps": [maps.indonesia_map(agreements), maps.world_map(agreements, countries=by_country)],
        "charts": {
            "status": status_chart(by_status),
            "kind": kind_chart(by_kind),
            "sector": sector_chart(by_sector),
            "country": country_chart(by_country),
            "year": signing_year_chart(by_year),
        },
    }


class DashboardView(TemplateView):
    template_name = "agreements/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(dashboard_context(self.request.user))
        return context
