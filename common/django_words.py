"""Django's own messages in the words this site uses.

Django's Indonesian catalogue writes a few of the messages editors meet most in words officials
do not write: "Field ini tidak boleh kosong" (half English; the forms say "Bidang ini", and
"bidang" is this site's word for a sector), "dibawah" (written "di bawah"), "Rubah atau
tampilkan tautan kunjungan" (the admin index's hidden column header: "rubah" for "ubah", and a
"visit link" where the column holds the links to change or view each list). Marked here, they
enter the project's own catalogue (``make messages``), which Django reads before its own
(``LOCALE_PATHS``); nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = (
    gettext_noop("This field cannot be blank."),
    gettext_noop("This field cannot be null."),
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1),
    gettext_noop("Change or view list link"),
)
