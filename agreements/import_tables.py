"""The other tables of an XLSX or JSON export, read back beside its agreements.

The XLSX export holds a sheet per table of ``export_columns.TABLES`` after the agreements, the
JSON export a list per table (``docs/data-dictionary.md``). ``AgreementImport`` plans them with
the agreements and writes them in the same transaction, after the agreements, so a milestone of
an agreement the file creates finds it. Each table is planned like the agreements: every row
found (by its key), compared and validated with the model's own rules, and said to create,
update, leave unchanged or be rejected, with the reason.

- ``parties`` is read from the agreements sheet (``region_codes``, ``partners`` …): the sheet is
  there to read, one row per party, and the importer does not read it back.
- ``partners``: the partner of that name in that country, found or created; its local name,
  former names, subdivision, kind, parent and website as the row gives them (its former names
  as stored when the sheet has no such column).
- ``milestones`` and ``documents``: of the agreement the row names (its reference, else its title
  and lead region). A milestone is its agreement's milestone of that kind and title (the first,
  second … of them, in order); a document its agreement's document stored under that file name.
  Only the documents' metadata: the files themselves are copied with the media directory. A
  document's file is a path inside the documents' folder (``models.is_document_path``) that no
  other document holds: its download is checked against its own agreement only. Nor, for a
  user held to their regions, one a document of an agreement they may not change held before
  (its file stays in storage once the document is deleted or given another).
- ``surveys``: the survey of that title on that date; ``potentials``: the region's potential of
  that title.

A row of a table is never deleted by an import: what the file does not name stays as it is.
"""

import datetime
import functools
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from agreements.dates import (
    FIRST_MOMENT,
    LAST_MOMENT,
    KnownDate,
    OutOfRange,
    is_storable_moment,
)
from agreements.export_columns import TABLES, labelled_columns, split_values
from agreements.models import (
    DOCUMENT_FOLDER,
    Agreement,
    Document,
    Milestone,
    Potential,
    PotentialSurvey,
    Sector,
    is_document_path,
    stored_document_names,
)
from partners.models import Country, Partner, Region, Subdivision, tidy_former_names

CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"
# The tables read back, in the order they are written: a potential names its survey, a partner
# its parent (found after every partner of the file is written).
WRITTEN = ("partners", "surveys", "potentials", "milestones", "documents")
READ_ONLY = ("parties",)


def read_known_date(value, column):
    """The date a file's cell ``value`` of ``column`` gives, as it is known, and what is wrong
    with it: ``(KnownDate, None)``, ``(None, message)``, or ``(None, None)`` for an empty cell.
    Written as the export writes it (``1982``, ``2018-05``, ``2018-05-03``) or as staff type it
    and a spreadsheet saved with Indonesian settings writes it, day first (``KnownDate.parse``):
    every sheet of every import reads a date so; a month also as a spreadsheet shows a date
    cell of the format "mmm-yy" and saves it to CSV ("Des-23")."""
    if not value:
        return None, None
    try:
        return KnownDate.parse(value, typed=True, spreadsheet=True), None
    except OutOfRange as error:
        return None, error.in_column(column)
    except ValueError:
        return None, _(
            "Kolom %(column)s: tanggal “%(value)s” tidak valid; tulis TTTT-BB-HH atau "
            "HH/BB/TTTT, TTTT-BB atau BB/TTTT (bulan saja), atau TTTT (tahun saja)."
        ) % {"column": column, "value": value}


@dataclass
class TableRow:
    table: str
    number: int  # the row in its sheet; the header is row 1
    action: str = REJECT
    errors: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    instance: object = None
    after: dict = field(default_factory=dict)  # what is set once everything is written
    # What the admin's save would warn of, written all the same (``AgreementImport``'s
    # ``_warn_of_step_order``).
    warnings: list = field(default_factory=list)

    @property
    def rejected(self):
        return self.action == REJECT


def label_not_read(label, written, column, value):
    """The warning of a label column (``status_label``) that names another value than the
    column it shows (``status``): labels are for people and never read back, so the row is
    written as that column says, and the clerk is told which column to change."""
    return _(
        "Kolom %(label)s (“%(written)s”) tidak sesuai dengan kolom %(column)s "
        "(“%(value)s”) dan tidak dibaca saat impor: yang disimpan adalah nilai "
        "kolom %(column)s. Untuk mengubahnya, ubah kolom %(column)s."
    ) % {"label": label, "written": written, "column": column, "value": value}


def _choice_key(text):
    return " ".join(text.split()).casefold()


@functools.cache
def _labelled(table):
    """{label column: (the column it shows, {value or label in either language: value})} of
    ``table``'s sheet."""
    (columns,) = [t.columns for t in TABLES if t.name == table] or [[]]
    rules = {column.name: column.rule for column in columns}
    labelled = {}
    for label, column in labelled_columns(columns).items():
        choices = rules[label].choices
        keys = {_choice_key(value): value for value in choices.values}
        for language in ("id", "en"):
            with translation.override(language):
                keys.update({_choice_key(str(name)): value for value, name in choices.choices})
        labelled[label] = (column, keys)
    return labelled


def ignored_labels(table, cells):
    """A warning for each label column of a row of ``table`` that names another value than
    the column it shows (``label_not_read``)."""
    warned = []
    for label, (column, keys) in _labelled(table).items():
        written, value = cells.get(label, ""), cells.get(column, "")
        named = keys.get(_choice_key(value))
        if written and named is not None and keys.get(_choice_key(written)) != named:
            warned.append(label_not_read(label, written, column, value))
    return warned


def _text(cells, column):
    return cells.get(column, "")


class _Reader:
    """One row's cells of a table, read into field values, errors collected."""

    def __init__(self, row, cells):
        self.row = row
        self.cells = cells

    def text(self, column):
        return _text(self.cells, column)

    def error(self, message):
        self.row.errors.append(message)

    def choice(self, column, choices, blank=False):
        value = self.text(column)
        keys = {v.casefold(): v for v in choices.values}
        keys.update({str(label).casefold(): v for v, label in choices.choices})
        if not value:
            return "" if blank or "" in choices.values else self._missing(column)
        found = keys.get(value.casefold())
        if found is None:
            self.error(
                _("Kolom %(column)s: nilai “%(value)s” tidak dikenal.")
                % {"column": column, "value": value}
            )
            return ""
        return found

    def _missing(self, column):
        self.error(_("Kolom %(column)s wajib diisi.") % {"column": column})
        return ""

    def known_date(self, column):
        known, problem = read_known_date(self.text(column), column)
        if problem:
            self.error(problem)
        return known

    def day(self, column, required=False):
        value = self.text(column)
        if not value:
            return self._missing(column) or None if required else None
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            self.error(
                _("Kolom %(column)s: tanggal “%(value)s” tidak valid; tulis TTTT-BB-HH.")
                % {"column": column, "value": value}
            )
            return None

    def moment(self, column):
        value = self.text(column)
        if not value:
            return None
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            self.error(
                _("Kolom %(column)s: waktu “%(value)s” tidak valid (ISO 8601).")
                % {"column": column, "value": value}
            )
            return None
        moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        if not is_storable_moment(moment):
            self.error(
                _(
                    "Kolom %(column)s: waktu “%(value)s” di luar rentang yang dapat disimpan "
                    "(%(first)s sampai %(last)s)."
                )
                % {
                    "column": column,
                    "value": value,
                    "first": FIRST_MOMENT.date().isoformat(),
                    "last": LAST_MOMENT.date().isoformat(),
                }
            )
            return None
        return moment

    def region(self, column, regions, required=True):
        code = self.text(column)
        if not code:
            return self._missing(column) or None if required else None
        region = regions.get(code)
        if region is None:
            self.error(_("Daerah “%(value)s” tidak dikenal.") % {"value": code})
        return region


def _validate(instance, row, exclude=()):
    try:
        instance.full_clean(
            exclude=list(exclude), validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            try:
                label = instance._meta.get_field(name).verbose_name
            except Exception:  # noqa: BLE001 — not a field: the message alone
                row.errors.extend(messages)
                continue
            row.errors.extend(f"{label}: {message}" for message in messages)


def _compare(row, stored, instance, fields):
    """Decide the row's action from what it would change of ``stored`` (None: a new row)."""
    if row.errors:
        row.action = REJECT
    elif stored is None:
        row.action = CREATE
    else:
        row.changes = [name for name in fields if getattr(stored, name) != getattr(instance, name)]
        row.action = UPDATE if row.changes else UNCHANGED


def _copy(obj):
    copy = type(obj)()
    copy.__dict__.update({k: v for k, v in obj.__dict__.items() if k != "_state"})
    copy._state.adding = False
    copy._state.db = obj._state.db
    return copy


class TablesImport:
    """The tables of one file besides its agreements: ``tables`` maps a table's name to its
    ``(header, rows)`` as ``imports.read_tables`` gives them.

    ``authorise(record, original)`` returns a message when the importing user may not write
    ``record`` (``original``: its stored version, None for a new one), as for the agreements
    (``AgreementImport``): every row that would create or change a partner, survey, potential,
    milestone or document is asked, and a milestone or document of an agreement the user may
    not change is refused even when it changes nothing, as that agreement's row is.
    """

    def __init__(self, tables, change_reason="", authorise=None):
        self.tables = {name: tables[name] for name in (*WRITTEN, *READ_ONLY) if name in tables}
        self.change_reason = change_reason
        self.authorise = authorise
        # {agreement id: whether the user may not change it}, asked once per agreement of the
        # file's documents that held their files before (``_held_for_another``).
        self.refused_holders = {}

    # The row being written when the database refuses one (``AgreementImport.apply``).
    writing = None

    def __bool__(self):
        return any(name in self.tables for name in WRITTEN)

    # -- plan -----------------------------------------------------------------------------------

    def plan(self, agreement_rows, as_filed=None):
        """{table: [TableRow]} for every table of the file that is read back; ``agreement_rows``
        are the file's agreements (``(number, cells)``), which its milestones and documents may
        name before they are written. ``as_filed``: {id: agreement} of the stored agreements
        the file changes, as it leaves them, against whose dates their milestones are checked
        (``Milestone.agreement_date_errors``) before they are written: a file moving a signing
        date and its signing step together is not refused for the date it replaces."""
        self._as_filed = as_filed or {}
        self._regions = {region.code: region for region in Region.objects.all()}
        self._find_agreement = _AgreementFinder(
            agreement_rows,
            [cells for name in ("milestones", "documents") for _n, cells in self._cells(name)],
        )
        planned = {}
        for name in WRITTEN:
            if name in self.tables:
                header, rows = self.tables[name]
                planned[name] = getattr(self, f"_plan_{name}")(rows)
        return planned

    def _cells(self, name):
        return self.tables[name][1] if name in self.tables else []

    def _rows(self, name, rows):
        for number, cells in rows:
            row = TableRow(name, number, warnings=ignored_labels(name, cells))
            yield row, _Reader(row, cells)

    def _authorise(self, row, original):
        """Refuse a row that would create or change a record the user may not write. A
        milestone or document of an agreement the file is to create is asked once that
        agreement is written (``AgreementImport.apply`` plans the tables again)."""
        if row.action not in (CREATE, UPDATE) or self.authorise is None:
            return
        if row.table in ("milestones", "documents") and row.instance.agreement_id is None:
            return
        message = self.authorise(row.instance, original)
        if message:
            row.errors.append(str(message))
            row.action = REJECT

    def _plan_partners(self, rows):
        countries = set(Country.objects.values_list("code", flat=True))
        subdivisions = set(Subdivision.objects.values_list("code", flat=True))
        stored = {(p.name.casefold(), p.country_id): p for p in Partner.objects.all()}
        named = set(stored)
        keys = {p.pk: key for key, p in stored.items()}
        # Parents no public download names, being party to no public agreement
        # (``Partner.visible_to``; an official's and an editor's downloads are public ones): an
        # empty cell says nothing of them, and leaves them as stored.
        never_named = set(
            Partner.objects.exclude(pk__in=Partner.objects.visible_to(AnonymousUser()))
            .filter(children__isnull=False)
            .values_list("pk", flat=True)
        )
        planned, seen = [], {}
        with_former_names = "former_names" in self.tables["partners"][0]
        for row, reader in self._rows("partners", rows):
            name, country = reader.text("name"), reader.text("country").upper()
            if not name:
                reader._missing("name")
            if country not in countries:
                reader.error(_("Negara “%(value)s” tidak dikenal.") % {"value": country})
            key = (name.casefold(), country)
            if key in seen:
                reader.error(_("Mitra yang sama sudah ada di baris %(row)d.") % {"row": seen[key]})
            seen[key] = row.number
            named.add(key)
            original = stored.get(key)
            partner = _copy(original) if original else Partner(name=name, country_id=country)
            partner.name_local = reader.text("name_local")
            # A file written before the column was (or a sheet without it) leaves them as stored.
            if with_former_names:
                partner.former_names = tidy_former_names(
                    "\n".join(split_values(reader.text("former_names"))), name
                )
            subdivision = reader.text("subdivision").upper()
            if subdivision and subdivision not in subdivisions:
                reader.error(
                    _("Subdivisi ISO 3166-2 “%(value)s” tidak dikenal.") % {"value": subdivision}
                )
            partner.subdivision_id = subdivision or None
            partner.kind = reader.choice("kind", Partner.Kind) or Partner.Kind.OTHER
            partner.website = reader.text("website")
            parent = (reader.text("parent_name").casefold(), reader.text("parent_country").upper())
            row.after["parent"] = parent if parent[0] else None
            if not parent[0] and original is not None and original.parent_id in never_named:
                row.after["parent"] = keys.get(original.parent_id)
            # The parent is set once every partner of the file is written (``_write_partners``).
            parent_changed = original is not None and (
                keys.get(original.parent_id) != row.after["parent"]
            )
            if not row.errors:
                _validate(partner, row, exclude=["parent", "country", "subdivision"])
            row.instance = partner
            _compare(
                row,
                original,
                partner,
                ["name_local", "former_names", "subdivision_id", "kind", "website"],
            )
            if parent_changed and row.action in (UPDATE, UNCHANGED):
                row.action, row.changes = UPDATE, [*row.changes, "parent"]
            self._authorise(row, original)
            planned.append(row)
        # Each partner's parent as it would be after the import: the file's, else the stored.
        parent_of = {key: keys.get(p.parent_id) for key, p in stored.items()}
        for row in planned:
            if row.instance is not None:
                parent_of[(row.instance.name.casefold(), row.instance.country_id)] = row.after.get(
                    "parent"
                )
        for row in planned:
            parent = row.after.get("parent")
            if parent and parent not in named and not row.rejected:
                row.errors.append(
                    _("Induk “%(name)s” (%(country)s) tidak ada di register maupun di berkas.")
                    % {"name": parent[0], "country": parent[1]}
                )
                row.action = REJECT
            elif parent and not row.rejected:
                key = (row.instance.name.casefold(), row.instance.country_id)
                if parent_loops_back(key, parent_of):
                    row.errors.append(
                        _(
                            "Induk “%(name)s” (%(country)s) adalah mitra ini sendiri atau bagian "
                            "darinya; pilih induk lain."
                        )
                        % {"name": parent[0], "country": parent[1]}
                    )
                    row.action = REJECT
        return planned

    def _plan_surveys(self, rows):
        stored = {(s.title, s.held_on): s for s in PotentialSurvey.objects.all()}
        participants = {}
        for survey_id, region_id in PotentialSurvey.participants.through.objects.values_list(
            "potentialsurvey_id", "region_id"
        ):
            participants.setdefault(survey_id, set()).add(region_id)
        planned = []
        for row, reader in self._rows("surveys", rows):
            title, held_on = reader.text("title"), reader.day("held_on", required=True)
            if not title:
                reader._missing("title")
            original = stored.get((title, held_on))
            survey = _copy(original) if original else PotentialSurvey(title=title, held_on=held_on)
            host = reader.region("host_region_code", self._regions)
            survey.host_region = host
            for column in ("organiser", "summary", "source_url"):
                setattr(survey, column, reader.text(column))
            codes = split_values(reader.text("participant_codes"))
            regions = [self._regions.get(code) for code in codes]
            for code, region in zip(codes, regions, strict=True):
                if region is None:
                    reader.error(_("Daerah “%(value)s” tidak dikenal.") % {"value": code})
            row.after["participants"] = {region.pk for region in regions if region}
            if not row.errors:
                _validate(survey, row, exclude=["host_region"])
            row.instance = survey
            _compare(
                row, original, survey, ["host_region_id", "organiser", "summary", "source_url"]
            )
            if (
                original is not None
                and not row.rejected
                and participants.get(original.pk, set()) != row.after["participants"]
            ):
                row.changes.append("participants")
                row.action = UPDATE
            self._authorise(row, original)
            planned.append(row)
        return planned

    def _plan_potentials(self, rows):
        stored = {(p.region_id, p.title): p for p in Potential.objects.all()}
        sectors = {sector.slug: sector for sector in Sector.objects.all()}
        surveys = {(s.title, s.held_on): s for s in PotentialSurvey.objects.all()}
        in_file = set()
        if "surveys" in self.tables:
            for _number, cells in self.tables["surveys"][1]:
                try:
                    held_on = datetime.date.fromisoformat(_text(cells, "held_on")[:10])
                except ValueError:
                    continue
                in_file.add((_text(cells, "title"), held_on))
        planned = []
        for row, reader in self._rows("potentials", rows):
            region = reader.region("region_code", self._regions)
            title = reader.text("title")
            if not title:
                reader._missing("title")
            original = stored.get((region.pk if region else None, title))
            potential = _copy(original) if original else Potential(region=region, title=title)
            sector = sectors.get(reader.text("sector"))
            if sector is None:
                reader.error(
                    _("Bidang “%(value)s” tidak dikenal.") % {"value": reader.text("sector")}
                )
            potential.sector = sector
            potential.description = reader.text("description")
            survey_key = (reader.text("survey_title"), reader.day("survey_held_on"))
            potential.survey = surveys.get(survey_key) if survey_key[0] else None
            row.after["survey"] = survey_key if survey_key[0] else None
            if survey_key[0] and potential.survey is None and survey_key not in in_file:
                reader.error(
                    _("Identifikasi potensi “%(title)s” tidak ada di register maupun di berkas.")
                    % {"title": survey_key[0]}
                )
            if not row.errors:
                _validate(potential, row, exclude=["region", "sector", "survey"])
            row.instance = potential
            _compare(row, original, potential, ["sector_id", "description", "survey_id"])
            if row.action == UNCHANGED and survey_key[0] and potential.survey is None:
                row.action = UPDATE  # its survey is created by this file
            self._authorise(row, original)
            planned.append(row)
        return planned

    def _agreement(self, row, reader):
        """The stored agreement the row names; None when the file is to create it (then its
        rows are created with it) or when it is not found (an error)."""
        agreement, problem = self._find_agreement(self._key(reader))
        if problem:
            reader.error(problem)
        elif agreement is not None and self.authorise is not None:
            message = self.authorise(agreement, agreement)
            if message:
                reader.error(str(message))
        return agreement

    def _plan_milestones(self, rows):
        rows = list(self._rows("milestones", rows))
        agreements = [self._agreement(row, reader) for row, reader in rows]
        stored = {}
        ids = {agreement.pk for agreement in agreements if agreement is not None}
        # In the order the export writes them, so the second of two of a title is the second.
        ordered = Milestone.objects.filter(agreement_id__in=ids).order_by(
            "agreement_id", *Milestone._meta.ordering
        )
        for milestone in ordered:
            key = (milestone.agreement_id, milestone.kind, milestone.title)
            stored.setdefault(key, []).append(milestone)
        fields = [
            "due_on",
            "due_on_precision",
            "done_on",
            "done_on_precision",
            "waits_on",
            "mark",
            "rating",
            "findings",
            "notes",
            "pdln_number",
        ]
        taken = {}
        planned = []
        for (row, reader), agreement in zip(rows, agreements, strict=True):
            kind = reader.choice("kind", Milestone.Kind)
            title = reader.text("title")
            key = (agreement.pk if agreement else None, kind, title)
            index = taken.get(key, 0)
            taken[key] = index + 1
            candidates = stored.get(key, []) if agreement is not None else []
            original = candidates[index] if index < len(candidates) else None
            milestone = _copy(original) if original else Milestone(kind=kind, title=title)
            if agreement is not None:
                milestone.agreement = self._as_filed.get(agreement.pk, agreement)
                if original is not None:
                    original.agreement = agreement  # read once for every row of it
            for column in ("due_on", "done_on"):
                known = reader.known_date(column)
                setattr(milestone, column, known.date if known else None)
                setattr(milestone, f"{column}_precision", known.precision if known else "day")
            milestone.waits_on = reader.choice("waits_on", Milestone.WaitsOn, blank=True)
            milestone.mark = reader.choice("mark", Milestone.Mark, blank=True)
            rating = reader.text("rating")
            try:
                milestone.rating = int(rating) if rating else None
            except ValueError:
                reader.error(_("Kolom rating: “%(value)s” bukan angka.") % {"value": rating})
            for column in ("findings", "notes", "pdln_number"):
                setattr(milestone, column, reader.text(column))
            if not row.errors:
                _validate(milestone, row, exclude=["agreement"])
            row.instance = milestone
            row.after["agreement"] = self._key(reader)
            _compare(row, original, milestone, fields)
            self._authorise(row, original)
            planned.append(row)
        return planned

    def _plan_documents(self, rows):
        rows = list(self._rows("documents", rows))
        agreements = [self._agreement(row, reader) for row, reader in rows]
        ids = {agreement.pk for agreement in agreements if agreement is not None}
        documents = list(Document.objects.filter(agreement_id__in=ids))
        stored = {(document.agreement_id, document.file.name): document for document in documents}
        # The public's downloads name a file uploaded while its agreement was internal without
        # the folder of that year: read back as that document's, under its stored name.
        names = stored_document_names(
            documents,
            [
                (
                    agreement.pk if agreement is not None else None,
                    reader.text("file"),
                    reader.text("title"),
                )
                for (_row, reader), agreement in zip(rows, agreements, strict=True)
            ],
        )
        holders = {}  # {file: ids of the documents holding it}
        held_for = {}  # {file: ids of the agreements a document of held it, now or before}
        for batch in _batched(set(names) - {""}):
            for pk, name in Document.objects.holding(batch).values_list("pk", "file"):
                holders.setdefault(name, set()).add(pk)
            if self.authorise is not None:
                for name, agreement_id in (
                    Document.history.filter(file__in=batch)
                    .values_list("file", "agreement_id")
                    .distinct()
                ):
                    held_for.setdefault(name, set()).add(agreement_id)
        named = {}  # {file: the row of the file naming it first}
        planned = []
        for (row, reader), agreement, name in zip(rows, agreements, names, strict=True):
            if not name:
                reader._missing("file")
            original = stored.get((agreement.pk, name)) if agreement is not None else None
            if name and not is_document_path(name):
                reader.error(
                    _(
                        "Kolom file: “%(value)s” bukan berkas dokumen tersimpan; tulis jalurnya di "
                        "dalam folder %(folder)s/, tanpa “..” dan tanpa garis miring di awal."
                    )
                    % {"value": name, "folder": DOCUMENT_FOLDER}
                )
            elif holders.get(name, set()) - {original.pk if original else None} or (
                self._held_for_another(held_for.get(name, ()), agreement)
            ):
                reader.error(
                    _("Kolom file: berkas “%(value)s” milik dokumen lain.") % {"value": name}
                )
            elif name in named:
                reader.error(
                    _("Kolom file: berkas “%(value)s” sudah dipakai di baris %(row)d.")
                    % {"value": name, "row": named[name]}
                )
            named.setdefault(name, row.number)
            document = _copy(original) if original else Document(file=name)
            if agreement is not None:
                document.agreement = agreement
                if original is not None:
                    original.agreement = agreement  # read once for every row of it
            document.title = reader.text("title")
            document.kind = reader.choice("kind", Document.Kind)
            document.language = reader.choice("language", Document.Language)
            uploaded_at = reader.moment("uploaded_at")
            if original is not None:
                # When a stored document's file came is this register's record, not a file's
                # to move: the public's download says "since it was published" of one uploaded
                # while its agreement was internal, and a clerk importing it back moved the
                # upload. A new document's is written (a register rebuilt from its files).
                uploaded_at = original.uploaded_at
            row.after["uploaded_at"] = uploaded_at
            if not row.errors:
                _validate(document, row, exclude=["agreement", "file"])
            row.instance = document
            row.after["agreement"] = self._key(reader)
            _compare(row, original, document, ["title", "kind", "language"])
            self._authorise(row, original)
            planned.append(row)
        return planned

    def _held_for_another(self, agreement_ids, agreement):
        """Whether a document of an agreement the user may not change held the file once: the
        file of a document deleted, or replaced on its page, stays in storage, and naming it
        for an agreement of theirs would hand another region's (internal) text to whoever
        reads theirs. An agreement since deleted is asked as it last was."""
        refused = self.refused_holders
        for pk in set(agreement_ids) - {agreement.pk if agreement is not None else None}:
            if pk not in refused:
                holder = Agreement.objects.filter(pk=pk).first()
                if holder is None:
                    last = Agreement.history.filter(id=pk).order_by("-history_date").first()
                    holder = last.instance if last is not None else None
                refused[pk] = holder is not None and bool(self.authorise(holder, holder))
            if refused[pk]:
                return True
        return False

    @staticmethod
    def _key(reader):
        return (
            reader.text("agreement_reference"),
            reader.text("agreement_title"),
            reader.text("agreement_lead_region_code"),
        )

    # -- write ----------------------------------------------------------------------------------

    @staticmethod
    def parts_changing(planned):
        """The ids of the agreements whose milestones or documents the planned rows create or
        change (their agreements are written by now)."""
        return {
            row.instance.agreement_id
            for name in ("milestones", "documents")
            for row in planned.get(name, [])
            if row.action in (CREATE, UPDATE)
        }

    def write(self, planned):
        """Write the planned rows (every agreement of the file is written by now)."""
        self._write_partners(planned.get("partners", []))
        self._write_simple(planned.get("surveys", []), PotentialSurvey)
        for row in planned.get("surveys", []):
            if row.action in (CREATE, UPDATE):
                row.instance.participants.set(row.after["participants"])
        surveys = {(s.title, s.held_on): s for s in PotentialSurvey.objects.all()}
        for row in planned.get("potentials", []):
            if row.after.get("survey"):
                row.instance.survey = surveys.get(row.after["survey"])
        self._write_simple(planned.get("potentials", []), Potential)
        for name, model in (("milestones", Milestone), ("documents", Document)):
            self._write_simple(planned.get(name, []), model)
        for row in planned.get("documents", []):
            if row.action == CREATE and row.after.get("uploaded_at"):
                Document.objects.filter(pk=row.instance.pk).update(
                    uploaded_at=row.after["uploaded_at"]
                )

    def _write_simple(self, rows, model):
        new = [row for row in rows if row.action == CREATE]
        if new:
            self.writing = new[0]  # the database refuses a batch, not a row
            bulk_create_with_history(
                [row.instance for row in new],
                model,
                batch_size=500,
                default_change_reason=self.change_reason,
            )
        for row in rows:
            if row.action == UPDATE:
                self.writing = row
                if self.change_reason:
                    row.instance._change_reason = self.change_reason
                row.instance.save()

    def _write_partners(self, rows):
        self._write_simple(rows, Partner)
        if not any(row.action in (CREATE, UPDATE) for row in rows):
            return
        partners = {(p.name.casefold(), p.country_id): p for p in Partner.objects.all()}
        for row in rows:
            if row.action not in (CREATE, UPDATE):
                continue
            parent = row.after.get("parent")
            parent_id = partners[parent].pk if parent else None
            if row.instance.parent_id != parent_id:
                self.writing = row
                row.instance.parent_id = parent_id
                if self.change_reason:
                    row.instance._change_reason = self.change_reason
                row.instance.save(update_fields=["parent"])


def parent_loops_back(key, parent_of):
    """Whether the partner ``key``'s parents, followed up through ``parent_of`` (key → its
    parent's key or None), come back to it: a partner its own parent, or part of what is
    part of it."""
    seen = set()
    parent = parent_of.get(key)
    while parent is not None and parent not in seen:
        if parent == key:
            return True
        seen.add(parent)
        parent = parent_of.get(parent)
    return False


class _AgreementFinder:
    """The agreement a row of another table names by ``(reference, title, lead region code)``:
    the stored one (two queries a batch of keys, for every row together), or ``None`` when the
    file's agreements sheet is to create it; a problem when it is neither."""

    def __init__(self, agreement_rows, cells):
        self.in_file = set()
        for _number, row in agreement_rows:
            reference = row.get("reference", "")
            self.in_file.add(
                ("reference", reference)
                if reference
                else ("title", row.get("title", ""), row.get("lead_region_code", ""))
            )
        references = {row.get("agreement_reference") for row in cells} - {"", None}
        titles = {
            row.get("agreement_title") for row in cells if not row.get("agreement_reference")
        } - {"", None}
        self.stored = {}
        for batch in _batched(references):
            for agreement in Agreement.objects.filter(reference__in=batch):
                self.stored[("reference", agreement.reference)] = agreement
        for batch in _batched(titles):
            for agreement in Agreement.objects.filter(reference="", title__in=batch).select_related(
                "lead_region"
            ):
                key = ("title", agreement.title, agreement.lead_region.code)
                self.stored[key] = None if key in self.stored else agreement  # None: not one

    def __call__(self, key):
        reference, title, lead_code = key
        found = ("reference", reference) if reference else ("title", title, lead_code)
        if found in self.stored:
            if self.stored[found] is None:
                return None, _(
                    "Ada beberapa kerja sama tanpa nomor naskah berjudul “%(title)s” dengan daerah "
                    "pengampu yang sama; isi nomor naskahnya."
                ) % {"title": title}
            return self.stored[found], None
        if found in self.in_file:
            return None, None
        return None, _("Kerja sama “%(value)s” tidak ada di register maupun di berkas.") % {
            "value": reference or title
        }


def _batched(values, size=500):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]
