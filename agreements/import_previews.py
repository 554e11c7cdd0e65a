"""Import previews kept in the database until confirmed, so that any app server can confirm a
preview another one made (the app servers keep no state of their own, ``docs/deploying.md``)."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# How long a preview stays confirmable. Past it, the preview is deleted the next time anyone
# previews an import, or by ``manage.py clear_import_previews``.
PREVIEW_LIFETIME = datetime.timedelta(hours=1)


class ImportPreviewQuerySet(models.QuerySet):
    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now())

    def confirmable_by(self, user, now=None):
        """The previews ``user`` made that have not expired."""
        return self.filter(user=user, expires_at__gt=now or timezone.now())


class ImportPreview(models.Model):
    """An uploaded file, previewed and waiting to be confirmed.

    ``versions`` holds what the preview showed each row to be (``ImportPlan.versions``): the
    confirm refuses a row whose agreement changed since.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("pengguna")
    )
    filename = models.CharField(_("nama berkas"), max_length=255)
    content = models.BinaryField(_("isi berkas"))
    versions = models.JSONField(_("versi yang dipratinjau"), default=dict)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    expires_at = models.DateTimeField(_("berlaku sampai"), db_index=True)

    objects = ImportPreviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("pratinjau impor")
        verbose_name_plural = pgettext_lazy("jamak", "pratinjau impor")

    def __str__(self):
        return self.filename

    @classmethod
    def keep(cls, user, filename, content, versions):
        """Store a new preview, first deleting every expired one."""
        cls.objects.expired().delete()
        return cls.objects.create(
            user=user,
            filename=filename,
            content=content,
            versions={str(row): version for row, version in versions.items()},
            expires_at=timezone.now() + PREVIEW_LIFETIME,
        )

    @property
    def expected_versions(self):
        return {int(row): int(version) for row, version in self.versions.items()}
