"""``{% agreement_rows agreements %}``: the rows of the agreement table
(``includes/agreement_table.html``), on the list and on every subject page.

Written here rather than in the template: the template engine's lookups cost about 0.4 ms a
row, 10 ms a page of 25, more than reading the rows. The markup is the one the template wrote,
every value from the register escaped (``escaped``) as its autoescaping did.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from agreements.templatetags.known_dates import known, on_time
from common.widgets import escaped

register = template.Library()


@register.simple_tag
def agreement_rows(agreements):
    """One ``<tr>`` per agreement: title, kind and reference (and "Internal" where it is);
    status; whom it waits on; its parties; its sectors; when it was signed and when it ends (a
    terminated one: when it was terminated, ``Agreement.terminated_on``), and that it is
    already extended where it is (``is_extended``, read with the rows by ``browse``), or
    already followed up (``is_followed_up``, likewise). Rows of
    ``AgreementQuerySet.for_list_page``."""
    labels = {
        "status": escaped(_("Status")),
        "waiting": escaped(_("Menunggu")),
        "parties": escaped(_("Para pihak")),
        "sectors": escaped(_("Bidang")),
        "signed": escaped(_("Ditandatangani")),
        "expires": escaped(_("Berakhir pada")),
    }
    words = {
        "not_yet": escaped(_("belum")),
        "date_unknown": escaped(_("tanggal tidak tercatat")),
        "nobody_named": escaped(_("belum ditentukan")),
        "overdue": escaped(_("terlambat")),
        # The step of the text carrying it out (a signed LoI's), late there: the list's
        # "Tahapan terlambat" lists that text, not this one.
        "overdue_elsewhere": escaped(_("terlambat pada naskah lanjutan")),
        "terminated_on": escaped(_("Diakhiri %(date)s")),
        "terminated_undated": escaped(_("Diakhiri; tanggal tidak tercatat")),
        "internal": escaped(_("Internal")),
        "extended": escaped(_("sudah diperpanjang")),
        "followed_up": escaped(_("sudah ditindaklanjuti")),
    }
    return mark_safe("".join(_row(agreement, labels, words) for agreement in agreements))


def _row(agreement, labels, words):
    none = '<span class="none">—</span>'
    meta = escaped(agreement.get_kind_display())
    if agreement.reference:
        meta += f" · {escaped(agreement.reference)}"
    if agreement.visibility == agreement.Visibility.INTERNAL:
        # Only officials and staff read such a row: marked, as its status page is, since the
        # downloads of an official leave it out.
        meta += f' · <span class="badge badge-internal">{words["internal"]}</span>'
    status = agreement.shown_status
    who, pending = agreement.waits_on_now, agreement.has_next_step_now
    if who:
        waiting = escaped(who)
    elif pending:
        waiting = f'<span class="none">{words["nobody_named"]}</span>'
    else:
        waiting = none
    if pending and agreement.next_step_overdue:
        late = words["overdue_elsewhere" if agreement.next_step_on_another_text else "overdue"]
        waiting += f' · <span class="flag flag-overdue">{late}</span>'
    parties = [
        f'<li><a href="{escaped(region.get_absolute_url())}">{escaped(region.name)}</a></li>'
        for region in agreement.regions_lead_first
    ] + [
        f'<li><a href="{escaped(partner.get_absolute_url())}">{escaped(partner.name)}</a> '
        f'<span class="country-code">{escaped(partner.country_id)}</span></li>'
        for partner in agreement.listed_partners
    ]
    sectors = [
        f'<li><a href="{escaped(sector.get_absolute_url())}">{escaped(sector.name)}</a></li>'
        for sector in agreement.listed_sectors
    ]
    sectors_cell = f'<ul class="inline-list">{"".join(sectors)}</ul>' if sectors else none
    if agreement.signed_on:
        signed = known(agreement, "signed_on")
    elif agreement.is_signed:
        signed = f'<span class="none">{words["date_unknown"]}</span>'
    else:
        signed = f'<span class="none">{words["not_yet"]}</span>'
    if agreement.terminated_undated:
        expires = words["terminated_undated"]
    elif agreement.terminated_on is not None and not agreement.term_ran_out_first:
        # Ended on the day its termination step was done, not on the expiry first agreed
        # (unless that term had run out before: it ended then).
        expires = words["terminated_on"] % {"date": on_time(agreement.terminated_on)}
    elif agreement.expires_on:
        expires = known(agreement, "expires_on")
    else:
        expires = none
    if getattr(agreement, "is_extended", False):
        # A signed extension the reader may see extends it (``browse``), as the dashboard's
        # list of what expires soon says: its term goes on, not about to lapse.
        extended = f"<strong>{words['extended']}</strong>"
        expires = extended if expires == none else f"{expires} · {extended}"
    if getattr(agreement, "is_followed_up", False):
        # A signed follow-up the reader may see carries it on (the MoU after its LoI, the PKS
        # after its MoU; ``browse``): its cooperation goes on there.
        followed_up = f"<strong>{words['followed_up']}</strong>"
        expires = followed_up if expires == none else f"{expires} · {followed_up}"
    return (
        '<tr><th scope="row" class="cell-title">'
        f'<a href="{escaped(agreement.get_absolute_url())}">{escaped(agreement.shown_title)}</a>'
        f' <span class="meta">{meta}</span></th>'
        f'<td data-label="{labels["status"]}"><span class="badge status-{escaped(status)}">'
        f"{escaped(status.label)}</span></td>"
        f'<td data-label="{labels["waiting"]}">{waiting}</td>'
        f'<td data-label="{labels["parties"]}"><ul class="inline-list">{"".join(parties)}</ul></td>'
        f'<td data-label="{labels["sectors"]}">{sectors_cell}</td>'
        f'<td data-label="{labels["signed"]}">{signed}</td>'
        f'<td data-label="{labels["expires"]}">{expires}</td></tr>'
    )
