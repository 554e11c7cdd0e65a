"""The admin's delete page in the terms of its reader: what a delete takes with it, less the
bookkeeping the reader never sees in the admin."""

from django.contrib.admin.utils import NestedObjects, quote
from django.db import models, router
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst


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
                if site.is_registered(model):
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

        def shown(obj):
            opts = obj._meta
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
        model_count = {
            model._meta.verbose_name_plural: len(rows)
            for model, rows in collector.model_objs.items()
        }
        return to_delete, model_count, perms_needed, protected
