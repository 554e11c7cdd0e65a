import contextlib
import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.dates import (
    FIRST_YEAR,
    LAST_YEAR,
    YEAR_OUT_OF_RANGE,
    DatePrecision,
    KnownDate,
    OutOfRange,
)
from agreements.models import CURRENCY_UNKNOWN, Agreement, Contact, Document, Milestone
from common.numbers import GroupedDecimalField

PARTY_FIELDS = ("scope", "lead_region", "regions", "partners", "agencies")


def formfield(db_field, **kwargs):
    # A link typed without a scheme is taken as https (Django 6's default, asked for explicitly).
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


# What to type into a date known to the day, the month or the year only.
TYPING_HELP = gettext_lazy(
    "Tulis tanggalnya (15/06/2025), bulannya saja (06/2025 atau 2025-06) atau tahunnya saja (2025)."
)


class KnownDateField(forms.DateField):
    """A date as staff type it, known to the day ("15/06/2025", "2025-06-15"), the month
    ("06/2025", "2025-06") or the year ("2025"), read by ``KnownDate.parse`` into a
    ``KnownDate``; shown back as it is known. ``KnownDatesForm`` stores it with its precision.
    """

    default_error_messages = {
        "invalid": gettext_lazy(
            "Tanggal tidak dikenali. Tulis tanggalnya (15/06/2025), bulannya saja (06/2025) "
            "atau tahunnya saja (2025)."
        ),
        "out_of_range": YEAR_OUT_OF_RANGE,
    }

    def __init__(self, *args, help_text="", **kwargs):
        help_text = format_lazy("{} {}", help_text, TYPING_HELP) if help_text else TYPING_HELP
        super().__init__(*args, help_text=help_text, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, KnownDate):
            return value
        if isinstance(value, datetime.date):
            return KnownDate(value)
        try:
            return KnownDate.parse(str(value), typed=True)
        except OutOfRange as error:
            raise forms.ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"year": error.year, "first": FIRST_YEAR, "last": LAST_YEAR},
            ) from None
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        return value.typed if isinstance(value, KnownDate) else value

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            return self.to_python(initial) != self.to_python(data)
        except forms.ValidationError:
            return True


class KnownDatesForm(forms.ModelForm):
    """A form of a model whose dates are known to a day, a month or a year (``KnownDates``):
    each is typed as it is known (``KnownDateField``) and stored with its precision.

    Where the form shows the precision beside the date and the reader changed it, the two must
    agree (``KnownDate.read_as``): a clear error says so when they do not. Where the precision
    is left as loaded, or not shown (the agreement form's milestone table), what was typed
    decides.
    """

    known_dates = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.known_dates:
            if name in self.fields and self.instance.pk is not None:
                # Shown as known ("06/2025"); a month left alone stays that month.
                self.initial[name] = self.instance.known(name)
            elif isinstance(self.initial.get(name), str):
                # From the add form's address (``Agreement.follow_up_initial``), written as
                # files write it ("2026-06"): shown as the reader types it ("06/2026").
                with contextlib.suppress(ValueError):
                    self.initial[name] = KnownDate.parse(self.initial[name])
            if f"{name}_precision" in self.fields:
                self.fields[f"{name}_precision"].help_text = gettext_lazy(
                    "Mengikuti yang ditulis (06/2025 adalah bulan); bila dipilih, harus sesuai "
                    "dengan yang ditulis."
                )

    def clean(self):
        cleaned_data = super().clean()
        for name in self.known_dates:
            if name not in self.fields or name not in cleaned_data:
                continue  # not on the form, or already refused
            self.store_known(name, cleaned_data)
        return cleaned_data

    def _post_clean(self):
        # A date the form refused ("31/02/2025") is, to the model, a date not given: what its
        # checks add to that field ("Isi target tanggal …") would tell whoever typed one what
        # is not so. The form's own reason stands alone.
        refused = {name: len(self.errors[name]) for name in self.known_dates if name in self.errors}
        super()._post_clean()
        for name, count in refused.items():
            del self.errors[name][count:]

    def store_known(self, name, cleaned_data):
        """The date ``name`` typed, as its field's date and its precision, or an error."""
        precision = f"{name}_precision"
        typed = cleaned_data[name]
        if typed is None:
            return
        # A precision the reader chose must agree with the date; one left as the form loaded it
        # is the old date's, not a choice: a month-known date retyped as the day the paper
        # gives ("03/2025" → "10/03/2025") is that day, without touching the precision too.
        chosen = cleaned_data.get(precision) if precision in self.changed_data else None
        known = typed.read_as(chosen)
        if known is None:
            # Neither is written: the record keeps its date and precision, so the model says
            # nothing more of them.
            cleaned_data.pop(precision, None)
            self.add_error(name, disagreement(self[name].data, typed, chosen))
            return
        cleaned_data[name] = known.date
        if precision in self.fields:
            cleaned_data[precision] = known.precision
        # Set on the record too: a ModelForm writes no precision that is not one of its fields
        # (the milestone table) or that was left out of what was posted.
        setattr(self.instance, precision, known.precision)


def disagreement(text, typed, chosen):
    """What to tell someone who typed ``text`` (read as ``typed``) beside a precision ``chosen``
    that disagrees with it."""
    return _(
        "“%(typed)s” ditulis sampai %(typed_precision)s, tetapi ketelitian yang dipilih "
        "%(chosen)s. Tulis %(example)s untuk ketelitian %(chosen)s, atau pilih ketelitian "
        "%(typed_precision)s."
    ) % {
        "typed": str(text).strip(),
        "typed_precision": DatePrecision(typed.precision).label,
        "chosen": DatePrecision(chosen).label,
        "example": KnownDate(typed.date, chosen).typed,
    }


# What a change form posted with a version no version is is told, above the form.
VERSION_UNREADABLE = gettext_lazy(
    "Formulir ini membawa versi yang tidak dapat dibaca; muat ulang halaman lalu ulangi "
    "perubahan Anda."
)

# The most a version can be (``Agreement.version``, a positive integer column).
VERSION_MAX = 2**31 - 1


class LoadedVersionField(forms.IntegerField):
    """The version of the agreement a change form was loaded with, hidden (``loaded_version``).
    Posted as something no version is ("abc", 0, a number past the column), it is refused in
    words of its own (``VERSION_UNREADABLE``), which ``version_unreadable`` shows above the form:
    a hidden field's error is shown nowhere, and the page said only to correct the errors below."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=1, max_value=VERSION_MAX, **kwargs)

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError:
            raise ValidationError(VERSION_UNREADABLE, code="version_unreadable") from None


def version_unreadable(form):
    """Whether ``form``'s posted version was refused (``LoadedVersionField``); its error then
    moved above the form, where the reader sees it. Called from the form's ``clean``."""
    errors = form._errors.pop("loaded_version", None)
    if not errors:
        return False
    form.add_error(None, ValidationError(VERSION_UNREADABLE, code="version_unreadable"))
    return True


class AgreementAdminForm(KnownDatesForm):
    """The agreement as bureau staff edit it.

    The database cannot check the parties against the scope, nor the implementing agencies
    against the party regions (they are many-to-many), so this form does, through
    ``Agreement.party_errors``; date order and status are checked by
    ``Agreement.clean()``.

    A change form carries, hidden, the version of the agreement it was loaded with. If someone
    saved the agreement since, the form is refused, saying who changed what and when, and
    nothing of it is written (the admin saves with ``Agreement.save_if_unchanged``, which checks
    again in the database).
    """

    loaded_version = LoadedVersionField()
    known_dates = Agreement.DATE_FIELDS

    class Meta:
        model = Agreement
        formfield_callback = formfield
        field_classes = {
            **dict.fromkeys(Agreement.DATE_FIELDS, KnownDateField),
            # Grouped in thousands as the reader writes them: a budget runs to billions.
            "budget_amount": GroupedDecimalField,
        }
        fields = [
            "title",
            "title_en",
            "reference",
            "kind",
            "status",
            "summary",
            "summary_en",
            "sectors",
            "scope",
            "lead_region",
            "regions",
            "partners",
            "agencies",
            "proposed_on",
            "signed_on",
            "in_force_from",
            "expires_on",
            "budget_amount",
            "budget_currency",
            "budget_source",
            "signing_place",
            "treaty_room_reference",
            "treaty_room_url",
            "follows",
            "relation",
            "visibility",
            "source_url",
        ]
        # Where a field follows a rule of PP 28/2018 on regional cooperation, its help says so.
        help_texts = {
            "kind": gettext_lazy(
                "Naskah kerja sama (PP 28/2018): pernyataan kehendak, nota kesepahaman atau "
                "kesepakatan bersama, perjanjian kerja sama; kota/provinsi kembar untuk kerja sama "
                "dengan pemerintah daerah di luar negeri."
            ),
            "scope": gettext_lazy(
                "PP 28/2018: kerja sama dengan daerah lain (KSDD), dengan pihak ketiga (KSDPK), "
                "dengan pemerintah daerah di luar negeri (KSDPL) atau dengan lembaga di luar "
                "negeri (KSDLL). Harus sesuai dengan para pihak."
            ),
            "status": gettext_lazy(
                "Yang tercatat. Yang ditampilkan diturunkan dari tanggal: naskah yang lewat "
                "tanggal berakhirnya tampil “Berakhir”."
            ),
            "signed_on": gettext_lazy(
                "PP 28/2018: ditandatangani kepala daerah, atau pejabat yang diberi kuasa "
                "(perjanjian kerja sama oleh kepala perangkat daerah dengan surat kuasa)."
            ),
            "expires_on": gettext_lazy(
                "Akhir jangka waktu yang disepakati dalam naskah. PP 28/2018: kerja sama berakhir "
                "karena jangka waktunya habis, kecuali diperpanjang dengan naskah perpanjangan."
            ),
            "relation": gettext_lazy(
                "PP 28/2018: naskah dapat diubah (adendum/amendemen) atau diperpanjang atas "
                "kesepakatan para pihak; catat naskah sebelumnya di “kelanjutan dari”."
            ),
            "visibility": gettext_lazy(
                "Publik: tampil di halaman umum, sebagai keterbukaan informasi (UU 14/2008). "
                "Internal: hanya untuk pejabat dan staf."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version
        if "budget_currency" in self.fields:
            currency = self.fields["budget_currency"]
            currency.required = False
            # Taken whole, however long: a box of three letters would let the browser cut a
            # word typed into it ("Rupiah" kept as "RUP", a currency of nowhere) without a
            # word. What is no code of ISO 4217 is refused whole at this field, naming it
            # (``CURRENCY_UNKNOWN``), as an import refuses it.
            currency.max_length = None
            currency.validators = [
                v for v in currency.validators if not isinstance(v, MaxLengthValidator)
            ]
            currency.widget.attrs.pop("maxlength", None)
        if "regions" in self.fields:
            # The lead region is added in clean(), so a one-region record needs no second pick.
            self.fields["regions"].required = False
            self.fields["regions"].help_text = gettext_lazy(
                "Semua daerah Indonesia yang menjadi pihak. Daerah pengampu ditambahkan "
                "otomatis bila belum dipilih."
            )

    def clean_budget_currency(self):
        # Rupiah unless said otherwise; typed in any case, stored as the ISO code. What is no
        # code of ISO 4217 ("Rupiah", "RUP") is refused naming what was typed, not as a count
        # of letters.
        typed = (self.cleaned_data.get("budget_currency") or "IDR").strip()
        currency = typed.upper()
        if not Agreement.is_currency_code(currency):
            raise ValidationError(CURRENCY_UNKNOWN, code="budget_currency", params={"value": typed})
        return currency

    def clean(self):
        cleaned_data = super().clean()
        if not version_unreadable(self):
            self.check_unchanged(cleaned_data.get("loaded_version"))
        lead_region = cleaned_data.get("lead_region")
        regions = list(cleaned_data.get("regions") or [])
        partners = list(cleaned_data.get("partners") or [])
        if lead_region is not None and lead_region not in regions:
            regions.append(lead_region)
            cleaned_data["regions"] = regions
        if any(name in self.errors for name in PARTY_FIELDS):
            # Judging the scope from a half-read list of parties would only add noise.
            return cleaned_data
        errors = Agreement.party_errors(
            cleaned_data.get("scope"),
            lead_region,
            regions,
            partners,
            cleaned_data.get("agencies") or (),
            as_stored=self.instance.pk is not None
            and not set(PARTY_FIELDS) & set(self.changed_data),
        )
        for field, message in errors.items():
            self.add_error(field, message)
        self.check_known_apart(cleaned_data)
        return cleaned_data

    # Who saves the form (``AgreementAdmin.get_form``): what they may record as following
    # another text is theirs to decide (``check_following``).
    changer = None

    def _post_clean(self):
        super()._post_clean()
        self.check_ending()
        self.check_following()

    def check_following(self):
        """Refuse an amendment or an extension of a text the one saving may not change
        (``Agreement.following_refused_to``), said at the text it follows. One stored before
        the rule is left as it is until what it follows, or how, changes."""
        if self.changer is None or {"follows", "relation"} & set(self.errors):
            return
        if self.instance.pk is not None and not {"follows", "relation"} & set(self.changed_data):
            return
        refused = self.instance.following_refused_to(self.changer)
        if refused:
            self.add_error("follows" if "follows" in self.fields else None, refused)

    def check_ending(self):
        """Refuse a status that says the cooperation goes on beside its termination recorded
        as done, or that its text is not yet signed beside its signing recorded as done
        (``Agreement.status_step_errors``), said at the status: against the steps as posted in
        the milestone table beside this form (``MilestoneRowsFormSet``), else as stored. Without
        the table, the stored steps are checked against the dates as posted as well."""
        if "status" in self.errors:
            return
        agreement = self.instance
        table = getattr(agreement, "milestone_table", None)
        if table is not None:
            milestones = table.as_posted()
        elif agreement.pk is not None:
            milestones = agreement.milestones.filter(Milestone.records_signing_or_termination_q())
        else:
            milestones = ()
        for field, message in agreement.status_step_errors(milestones).items():
            self.add_error(field, message)
        if table is not None:
            # The table's rows are checked against these dates themselves; the saved steps it
            # was posted without (a row count forged lower) stay as stored and are checked here.
            stored = table.left_out()
        elif agreement.pk is not None:
            # Without the table: the stored steps (``Agreement.step_date_contradictions``).
            stored = agreement.milestones.all()
        else:
            stored = ()
        for message in agreement.step_date_contradictions(stored):
            self.add_error(None, message)

    def check_known_apart(self, cleaned_data):
        """Refuse a second agreement without a reference with the title and lead region of
        another: a file names an agreement by its reference, else by those two (the import),
        and could not tell the two apart. The register's own download would not import again."""
        title, lead_region = cleaned_data.get("title"), cleaned_data.get("lead_region")
        if cleaned_data.get("reference") or not title or lead_region is None:
            return
        other = (
            Agreement.objects.filter(reference="", title=title, lead_region=lead_region)
            .exclude(pk=self.instance.pk)
            .only("pk")
            .first()
        )
        if other is not None:
            # Linked, and said first: mostly it is this very agreement, saved already and sent
            # again (the back button, a second tab), and a reference or another title would
            # make it a second copy. Its lead region is this form's, so its editor opens it.
            told = _(
                "Kerja sama lain tanpa nomor naskah sudah berjudul “{title}” dengan daerah "
                "pengampu yang sama: {other}. Bila itu kerja sama ini, yang sudah tersimpan, "
                "ubah di sana dan jangan simpan formulir ini. Bila bukan, isi nomor naskahnya, "
                "atau bedakan judulnya, agar keduanya dapat dikenali dalam berkas unduhan dan "
                "impor."
            )
            link = format_html(
                '<a href="{}">{}</a>',
                reverse("admin:agreements_agreement_change", args=[other.pk]),
                _("buka kerja sama itu"),
            )
            self.add_error("reference", format_html(told, title=title, other=link))

    def check_unchanged(self, version):
        """Refuse the form if the agreement was saved since it was loaded at ``version``."""
        stored = self.instance
        if stored.pk is None:
            return
        if version is None:
            raise forms.ValidationError(
                _("Formulir ini tidak membawa versi kerja sama; muat ulang halaman lalu ulangi."),
                code="version_missing",
            )
        if version == stored.version:
            return
        conflict = stored.changes_since(version)
        if conflict is not None:
            # Mark each field changed meanwhile where the reader sees it.
            for name in conflict.field_names:
                if name in self.fields:
                    self.add_error(name, _("Diubah orang lain sejak Anda membuka formulir ini."))
        raise forms.ValidationError(conflict_message(conflict), code="changed_meanwhile")


def conflict_message(conflict):
    """What to tell someone whose save was refused because ``conflict`` happened meanwhile."""
    if conflict is None:
        return _(
            "Kerja sama ini sudah diubah orang lain sejak Anda membukanya. Perubahan Anda tidak "
            "disimpan; muat ulang halaman untuk melihat versi terbaru, lalu ulangi perubahan Anda."
        )
    details = {
        "users": ", ".join(conflict.users) or _("seseorang"),
        "when": date_format(timezone.localtime(conflict.when), "DATETIME_FORMAT"),
        "fields": ", ".join(capfirst(str(field)) for field in conflict.fields)
        or _("tidak ada kolom kerja sama; mungkin tahapan atau dokumennya"),
    }
    return (
        _(
            "Kerja sama ini sudah diubah oleh %(users)s pada %(when)s sejak Anda membukanya; yang "
            "berubah: %(fields)s. Perubahan Anda tidak disimpan. Muat ulang halaman untuk melihat "
            "versi terbaru, lalu ulangi perubahan Anda."
        )
        % details
    )


def unknown_version():
    """The refusal of a form posted with a version of its agreement that it never had: not one
    the page was loaded with, so nothing tells what changed since it was opened."""
    return forms.ValidationError(
        _(
            "Formulir ini membawa versi yang tidak dikenal; muat ulang halaman lalu ulangi "
            "perubahan Anda."
        ),
        code="version_unknown",
    )


class RowUnchangedForm(forms.ModelForm):
    """A milestone's or a document's own page carries the version of its agreement it was
    opened at (``loaded_version``, hidden). Saved after someone else changed that very row, on
    its page, in the agreement's table or by the import, it is refused, naming who and when,
    rather than writing the row as it was opened over their change: every such write first
    saves a version of the agreement (``AgreementQuerySet.mark_changed``), and the row's own
    history tells whether it was among what changed since. A change elsewhere in the agreement
    leaves the row's page free to save. The agreement's form checks its table's rows by its own
    version (``AgreementAdminForm.check_unchanged``): not its rows. A version the agreement
    has not reached yet (not one the page wrote) is refused above the form
    (``unknown_version``): it named no version after it, and the check let the page save over a
    colleague's change; one no version is at all ("abc", nought) as the agreement's form refuses
    it (``LoadedVersionField``)."""

    loaded_version = LoadedVersionField()

    checks_version = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.checks_version:
            del self.fields["loaded_version"]
        elif self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.stored_version()

    def stored_version(self):
        return (
            Agreement.objects.filter(pk=self.instance.agreement_id)
            .values_list("version", flat=True)
            .first()
        )

    def clean(self):
        cleaned_data = super().clean()
        version = cleaned_data.get("loaded_version")
        if self.checks_version and version_unreadable(self):
            return cleaned_data
        # No version: a page opened before the register carried it; saved as before.
        if self.checks_version and self.instance.pk is not None and version is not None:
            self.check_row_unchanged(version)
        return cleaned_data

    def check_row_unchanged(self, version):
        row = self.instance
        stored = self.stored_version()
        if stored is None or version == stored:
            return
        if version > stored:
            raise unknown_version()
        since = (
            Agreement.history.filter(id=row.agreement_id, version__gt=version)
            .order_by("history_date")
            .values_list("history_date", flat=True)
            .first()
        )
        if since is None:
            return
        record = (
            type(row)
            .history.filter(id=row.pk, history_date__gte=since)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
            .first()
        )
        if record is None:
            return
        user = record.history_user
        raise forms.ValidationError(
            _(
                "%(row)s ini sudah diubah oleh %(user)s pada %(when)s sejak Anda membukanya. "
                "Perubahan Anda tidak disimpan. Muat ulang halaman untuk melihat versi terbaru, "
                "lalu ulangi perubahan Anda."
            )
            % {
                "row": capfirst(type(row)._meta.verbose_name),
                "user": user.get_username() if user is not None else _("seseorang"),
                "when": date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT"),
            },
            code="changed_meanwhile",
        )


class MilestoneForm(RowUnchangedForm, KnownDatesForm):
    """A milestone as the admin edits it, its dates typed as they are known. Its "recorded as"
    offers the ordinary case under a name that fits a planned step too: the model's
    "Terlaksana" (done) read, on a step still planned, as if it had taken place."""

    known_dates = ("due_on", "done_on")

    class Meta:
        model = Milestone
        # The milestone's page shows them all; the agreement form's table names its own.
        fields = [
            "agreement",
            "kind",
            "title",
            "due_on",
            "due_on_precision",
            "done_on",
            "done_on_precision",
            "waits_on",
            "mark",
            "pdln_number",
            "rating",
            "findings",
            "notes",
        ]
        field_classes = {"due_on": KnownDateField, "done_on": KnownDateField}
        # The steps staff record most that no stage is named after: which stage they are.
        help_texts = {
            "kind": gettext_lazy(
                "Konsultasi rancangan naskah dengan Kementerian Luar Negeri dicatat sebagai "
                "“Penyusunan naskah” (menunggu Kementerian Luar Negeri); program yang "
                "dilaksanakan setelah penandatanganan sebagai “Kegiatan”."
            ),
        }

    # A termination or a signing recorded as done here is checked against its agreement's
    # status (``Agreement.status_step_errors``); the agreement form checks its own table's at
    # the status.
    checks_ending = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "mark" in self.fields:
            self.fields["mark"].choices = [
                (value, _("Terlaksana atau direncanakan") if value == "" else label)
                for value, label in self.fields["mark"].choices
            ]

    def _post_clean(self):
        super()._post_clean()
        milestone = self.instance
        if (
            self.checks_ending
            and "done_on" not in self.errors
            and Milestone.agreement.is_cached(milestone)
        ):
            for message in milestone.agreement.status_step_errors([milestone]).values():
                self.add_error("done_on", message)


# Marks the form of a milestone or document opened from its agreement's form (the pencil of
# a row of its table, or the link of a new row that needs the step's own page): saved, it goes
# back there rather than to the list of every milestone.
FROM_AGREEMENT = "_from_agreement"


class MilestoneInlineForm(MilestoneForm):
    """A row of the agreement form's milestone table, which shows no date precision (it would
    not fit 1,280 pixels; the milestone's own page has it): what is typed into the row says
    it ("06/2024" is June 2024), and a date left alone keeps the precision it has."""

    checks_ending = False  # at the agreement's status (``AgreementAdminForm.check_ending``)
    checks_version = False  # by the agreement's version (``AgreementAdminForm.check_unchanged``)

    # What the model asks of a field the row does not show, said at the field of the row that
    # asked for it: a stage recorded as skipped or not required needs its reason in the notes,
    # which are on the step's own page (``Milestone.clean``). Django refuses to put an error on
    # a field a form lacks: a server error, and the clerk's rows lost with it.
    SHOWN_AT = {"notes": "mark"}

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            placed = {}
            for name, messages in errors.error_dict.items():
                if name != NON_FIELD_ERRORS and name not in self.fields:
                    if name == "notes":
                        # Said where the notes are: the model's "write it in the notes" names
                        # a field the row does not have.
                        messages = [self.notes_elsewhere()]
                    name = self.SHOWN_AT.get(name, NON_FIELD_ERRORS)
                placed.setdefault(name, []).extend(messages)
            errors = ValidationError(placed)
        super()._update_errors(errors)

    # What a new row's link to the step's own page carries over: what was typed into the row.
    CARRIED_TO_OWN_PAGE = ("kind", "title", "due_on", "done_on", "waits_on", "mark")

    def notes_elsewhere(self):
        """Where to write the reason: on the step's own page, linked. A new row of a stored
        agreement is added there with what was typed into it; a stored step is opened there;
        either leads back to the agreement once saved. A row of an agreement not saved yet has
        no page to go to: the agreement is saved first without it. Never "save it here first
        as done or planned": a stage set aside would be told as taken, in the history and on
        the status page, until it was mended."""
        agreement = self.instance.agreement_id
        if self.instance.pk is not None:
            address = "{}?{}".format(
                reverse("admin:agreements_milestone_change", args=[self.instance.pk]),
                urlencode([(FROM_AGREEMENT, "1")]),
            )
            message = _(
                "Catatan ada di halaman tahapan itu sendiri: {link}, pilih tandanya dan tulis "
                "alasannya di sana. Perubahan lain di formulir ini belum tersimpan; bila ada, "
                "kembalikan baris ini seperti semula dan simpan dulu."
            )
            link = _("buka tahapan itu")
        elif agreement is not None:
            carried = [
                (name, self.data.get(self.add_prefix(name), ""))
                for name in self.CARRIED_TO_OWN_PAGE
            ]
            address = "{}?{}".format(
                reverse("admin:agreements_milestone_add"),
                urlencode([("agreement", agreement), *carried, (FROM_AGREEMENT, "1")]),
            )
            message = _(
                "Tahapan baru yang dilewati atau tidak diperlukan dicatat bersama alasannya di "
                "halaman tahapan itu sendiri: {link}. Perubahan lain di formulir ini belum "
                "tersimpan; bila ada, hapus baris ini dan simpan dulu."
            )
            link = _("catat tahapan ini di sana dengan isian baris ini")
        else:
            return ValidationError(
                _(
                    "Tahapan yang dilewati atau tidak diperlukan dicatat bersama alasannya di "
                    "halaman tahapan itu sendiri: hapus baris ini dan simpan dulu kerja sama "
                    "ini, lalu tambahkan tahapan itu lagi di tabel tahapannya."
                )
            )
        return ValidationError(
            format_html(message, link=format_html('<a href="{}">{}</a>', address, link))
        )


class ContactInlineForm(forms.ModelForm):
    """A row of the agreement form's contact persons. A phone it was loaded with is kept as it
    is (``Contact.left_unchecked``): a change elsewhere in the agreement is never refused for
    a phone recorded before phones were checked; typed anew, it is checked."""

    class Meta:
        model = Contact
        fields = ["party", "name", "office", "email", "phone"]

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        # Asked before the form's values are set on the contact: the phone stored.
        if self.instance.pk is not None and "phone" not in self.changed_data:
            exclude |= self.instance.left_unchecked({self.initial.get("phone")})
        return exclude


class DocumentForm(RowUnchangedForm):
    """A document as the admin edits it, on its own page and in its agreement's form. A file
    uploaded in place of the stored one came in now: the document says so ("Diunggah" on the
    status page, ``uploaded_at`` in the downloads), not the day the file it replaces came."""

    class Meta:
        model = Document
        fields = ["agreement", "title", "kind", "language", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only PDFs are accepted (``validate_document_file``): the file picker offers them
        # first, rather than a .docx refused once the whole form is sent.
        if "file" in self.fields:  # not where the reader may only read the document
            self.fields["file"].widget.attrs["accept"] = "application/pdf,.pdf"

    def save(self, commit=True):
        if self.instance.pk is not None and "file" in self.changed_data:
            self.instance.uploaded_at = timezone.now()
        return super().save(commit)


class DocumentInlineForm(DocumentForm):
    """A row of the agreement form's document table."""

    checks_version = False  # by the agreement's version (``AgreementAdminForm.check_unchanged``)
