from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path
from django.views.static import serve

from coopdb.health import health


@staff_member_required
def uploaded_file(request, path):
    """An uploaded file, for staff only (the admin links to them).

    Everyone else downloads a document through its agreement, which checks that the reader may
    see it; a production web server must not publish MEDIA_ROOT either.
    """
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", uploaded_file),
    path("", include("agreements.urls")),
    path("", include("reminders.urls")),
]
