"""The admin's delete page in the terms of its reader: what a delete takes with it, less the
bookkeeping the reader never sees in the admin, and the links of many-to-many fields named by
what they link."""

from collections import Counter

from django.contrib.admin.utils import NestedObjects, quote
from django.db import models, router
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _


def link_field(model):
    """The many-to-many field whose rows ``model`` holds, if Django made it for that field (an
    agreement's party regions, ``Agreement.regions.through``); else None."""
    declaring = model._meta.auto_created
    if not declaring:
        return None
    return next((f for f in declaring._meta.many_to_many if f.remote_field.through is model), None)


def link_shown(link, parent):
    """(what it is, what it links to) of a row of a many-to-many field Django made, deleted
    with ``parent``, in the words of that field: Django names it "Hubungan agreement-region:
    Agreement_regions object (164)". Deleted with its agreement, a link of its party regions
    is "keterkaitan dengan daerah pihak" and names the region, which stays; deleted with the
    region (or a partner, a sector), it names the agreement."""
    field = link_field(type(link))
    source = type(link)._meta.get_field(field.m2m_field_name())
    target = type(link)._meta.get_field(field.m2m_reverse_field_name())
    from_source = parent is None or (
        isinstance(parent, source.related_model) and getattr(link, source.attname) == parent.pk
    )
    if from_source:
        what, end = field.verbose_name, getattr(link, target.name)
    else:
        what, end = field.model._meta.verbose_name, getattr(link, source.name)
    return _("keterkaitan dengan %(what)s") % {"what": what}, end


class ShownToReader(NestedObjects):
    """Django's collector of what a delete takes with it, for the delete page: records of a model
    ``hidden`` says the reader may not see, which go with the deleted record (``CASCADE``), are
    left out. The delete itself collects afresh and removes them all the same."""

    def __init__(self, *args, hidden, **kwargs):
        super().__init__(*args, **kwargs)
        self.hidden = hidden

    def related_objects(self, related_model, related_fields, objs):
        related = super().related_objects(related_model, related_fields, objs)
        cascades = all(field.remote_field.on_delete is models.CASCADE for field in related_fields)
        if cascades and self.hidden(related_model):
            return related.none()
        if link_field(related_model) is not None:
            # A link is named by what it links (``link_shown``): read with it, not row by row.
            ends = [f.name for f in related_model._meta.concrete_fields if f.is_relation]
            related = related.select_related(*ends)
        return related


class DeletionAsSeen:
    """ModelAdmin mixin: deleting a record does not need, nor list, the records that go with it
    and that the reader may not see in the admin: the reminders mailed of an agreement
    (``reminders.Notice``) and the followed selections holding it. An editor deleting their own
    agreement was refused for lack of the right to delete "pemberitahuan", a model no editor
    sees, and the page listed who had been reminded and which selection followed it. Django's
    own ``get_deleted_objects``, with that collector."""

    def get_deleted_objects(self, objs, request):
        try:
            first = objs[0]
        except IndexError:
            return [], {}, set(), []
        site = self.admin_site
        seen = {}

        def hidden(model):
            if model not in seen:
                if link_field(model) is not None:
                    # A link of a many-to-many field (an agreement's party regions) has no
                    # permissions of its own: it is seen as the record holding the field is.
                    seen[model] = hidden(model._meta.auto_created)
                elif site.is_registered(model):
                    seen[model] = not site.get_model_admin(model).has_view_permission(request)
                else:
                    opts = model._meta
                    seen[model] = not request.user.has_perm(
                        f"{opts.app_label}.view_{opts.model_name}"
                    )
            return seen[model]

        collector = ShownToReader(
            using=router.db_for_write(first._meta.model), origin=objs, hidden=hidden
        )
        collector.collect(objs)
        perms_needed = set()
        parents = {
            child: parent
            for parent, children in collector.edges.items()
            if parent is not None
            for child in children
        }

        def shown(obj):
            opts = obj._meta
            if link_field(obj.__class__) is not None:
                what, end = link_shown(obj, parents.get(obj))
                return f"{capfirst(what)}: {end}"
            if not site.is_registered(obj.__class__):
                return f"{capfirst(opts.verbose_name)}: {obj}"
            if not site.get_model_admin(obj.__class__).has_delete_permission(request, obj):
                perms_needed.add(opts.verbose_name)
            try:
                url = reverse(
                    f"{site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[quote(obj.pk)],
                )
            except NoReverseMatch:
                return f"{capfirst(opts.verbose_name)}: {obj}"
            return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

        to_delete = collector.nested(shown)
        protected = [shown(obj) for obj in collector.protected]
        model_count = Counter()
        for model, rows in collector.model_objs.items():
            if link_field(model) is None:
                model_count[model._meta.verbose_name_plural] += len(rows)
            else:  # in the words each row is named by
                model_count.update(link_shown(row, parents.get(row))[0] for row in rows)
        return to_delete, dict(model_count), perms_needed, protected
