"""Who cooperates: Indonesian regions (with their Kemendagri codes) and the partners they sign with.

Countries and their ISO 3166-2 subdivisions are reference data loaded by ``load_reference_data``;
bureau staff pick from them rather than typing codes.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Concat, Left
from django.db.models.lookups import Exact
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.choices import ChoiceLabels, choice_values
from common.text import PrintableText, cell_limit, join_values, longer_than
from common.urls import object_url

INDONESIA = "ID"


def reads_english():
    """Whether the active language is English (Indonesian by default): what ``pick_language``
    and the orders by the title shown read."""
    return (get_language() or "id").startswith("en")


def pick_language(indonesian, english):
    """Return the Indonesian or English text for the active language (Indonesian by default)."""
    if reads_english() and english:
        return english
    return indonesian or english


class Country(PrintableText, models.Model):
    """ISO 3166-1 country, named in Indonesian and English."""

    code = models.CharField(_("kode ISO 3166-1"), max_length=2, primary_key=True)
    alpha3 = models.CharField(_("kode alpha-3"), max_length=3, unique=True)
    name_id = models.CharField(_("nama (Indonesia)"), max_length=120)
    name_en = models.CharField(_("nama (Inggris)"), max_length=120)

    class Meta:
        verbose_name = _("negara")
        verbose_name_plural = pgettext_lazy("jamak", "negara")
        ordering = ["name_id"]
        constraints = [
            # Each refusal of a code says how to write it, not the constraint's name.
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}$"),
                name="country_code_is_alpha2",
                violation_error_message=_(
                    "Kode negara ISO 3166-1 ditulis dua huruf kapital, mis. CN atau AU."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return object_url("country-detail", self.code)

    @property
    def name(self):
        return pick_language(self.name_id, self.name_en)


class Subdivision(PrintableText, models.Model):
    """ISO 3166-2 subdivision, e.g. ``CN-AH`` (Anhui) or ``JP-27`` (Osaka)."""

    code = models.CharField(_("kode ISO 3166-2"), max_length=8, primary_key=True)
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="subdivisions", verbose_name=_("negara")
    )
    name = models.CharField(_("nama"), max_length=160)
    kind = models.CharField(_("jenis"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("subdivisi negara")
        verbose_name_plural = pgettext_lazy("jamak", "subdivisi negara")
        ordering = ["code"]
        constraints = [
            # The code starts with its country's code, as ISO 3166-2 defines it.
            models.CheckConstraint(
                condition=Q(Exact(Left("code", 3), Concat("country", models.Value("-")))),
                name="subdivision_code_in_its_country",
                violation_error_message=_(
                    "Kode ISO 3166-2 diawali kode negaranya dan tanda hubung, mis. CN-AH."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class RegionQuerySet(models.QuerySet):
    def provinces(self):
        return self.filter(level=Region.Level.PROVINCE)

    def within(self, region):
        """The region itself and, for a province, every regency and city in it."""
        if region.level == Region.Level.PROVINCE:
            return self.filter(Q(pk=region.pk) | Q(province=region))
        return self.filter(pk=region.pk)

    def ids_within(self, region):
        """The ids of ``within(region)``, as a list: the region's own for a regency or city (no
        query), the province's and its regencies' and cities' for a province (one query).

        Given as numbers, a filter on the party table is estimated from each region's own
        statistics; given as a subquery, PostgreSQL assumes the average region, which for a
        province is several times too many agreements or too few. Read once per ``region``
        object: a page narrows its list, counts and feeds to the same region.
        """
        if region.level != Region.Level.PROVINCE:
            return [region.pk]
        if getattr(region, "_ids_within", None) is None:
            region._ids_within = list(self.within(region).values_list("pk", flat=True))
        return region._ids_within


# Choices are declared at module level so the constraints in ``Meta`` can read them: the
# database then allows exactly what the code offers (``common.choices.choice_values``).
class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Provinsi")
    REGENCY = "regency", _("Kabupaten")
    CITY = "city", _("Kota")


class Region(PrintableText, ChoiceLabels, models.Model):
    """An Indonesian region by Kemendagri code: ``64`` Kalimantan Timur, ``64.72`` Samarinda."""

    Level = RegionLevel

    code = models.CharField(
        _("kode Kemendagri"),
        max_length=5,
        unique=True,
        help_text=_("Dua angka untuk provinsi (64), lalu titik dan dua angka (64.72)."),
    )
    name = models.CharField(_("nama"), max_length=120)
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        limit_choices_to={"level": Level.PROVINCE},
        verbose_name=_("provinsi"),
    )

    history = HistoricalRecords()
    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("daerah")
        verbose_name_plural = pgettext_lazy("jamak", "daerah")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=choice_values(RegionLevel)), name="region_level_valid"
            ),
            # A province has a two-digit code and no province above it; a regency or city has a
            # ``PP.KK`` code and a province. (That ``PP`` is its province's code is checked in
            # clean(): the database would need the province's code, a join a CHECK cannot make.)
            models.CheckConstraint(
                condition=Q(level="province", province__isnull=True, code__regex=r"^[0-9]{2}$")
                | Q(
                    level__in=["regency", "city"],
                    province__isnull=False,
                    code__regex=r"^[0-9]{2}\.[0-9]{2}$",
                ),
                name="region_code_matches_level",
                violation_error_message=_(
                    "Kode provinsi ditulis dua angka (64), tanpa provinsi di atasnya; kode "
                    "kabupaten atau kota ditulis PP.KK (64.72), dengan provinsinya."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return object_url("region-detail", self.code)

    @property
    def is_province(self):
        return self.level == self.Level.PROVINCE

    @staticmethod
    def code_as_typed(text):
        """The code a spreadsheet cell means: ``35.1`` is 35.10, as a spreadsheet shows (and
        saves) the number a clerk typed as 35.10. No code has one digit after its dot, so the
        zero it dropped is the only one it can be; any other text is returned as it is."""
        if re.fullmatch(r"[0-9]{2}\.[0-9]", text):
            return f"{text}0"
        return text

    # How the level is written before a region's name ("Kota Medan", "Kab. Kutai Kartanegara").
    LEVEL_WORDS = ("kabupaten", "kota", "provinsi")
    ABBREVIATIONS = {"kab": "kabupaten", "prov": "provinsi"}

    # How staff begin a region's name in a search: the level, shortened or as the government
    # ("Kab. Bandung", "Pemkot Bogor", "Provinsi Jawa Barat", "Pemerintah Kota Bandung").
    SEARCHED_LEVELS = {
        "kab": "kabupaten",
        "kabupaten": "kabupaten",
        "pemkab": "kabupaten",
        "kota": "kota",
        "pemkot": "kota",
        "prov": "provinsi",
        "provinsi": "provinsi",
        "pemprov": "provinsi",
    }

    @classmethod
    def searched_name(cls, text):
        """``text`` as a search of region names reads it, and the level it names (a
        ``RegionLevel``, or None): a level written before the name, shortened ("Kab.",
        "Pemkot") or after "Pemerintah", is the one the names are written with ("Kabupaten
        Bandung"); a province's name is written without its level ("Jawa Barat"), so "Provinsi"
        is left out and the level kept. A hyphen is a space ("Bau-Bau" is Kota Bau Bau)."""
        words = re.sub(r"(?<=[^\W\d_])\.(?=[^\W\d_])", ". ", text or "").replace("-", " ").split()
        if words and words[0].casefold() in ("pemerintah", "pem.", "pem"):
            words = words[1:]
        level = cls.SEARCHED_LEVELS.get(words[0].casefold().rstrip(".")) if words else None
        if level is None:
            return " ".join(words), None
        rest = words[1:]
        if level == "provinsi":
            return " ".join(rest), RegionLevel.PROVINCE
        name_level = RegionLevel.REGENCY if level == "kabupaten" else RegionLevel.CITY
        return " ".join([level.capitalize(), *rest]), name_level

    def is_named(self, text):
        """Whether ``text`` names this region: its name, ignoring case, accents and spacing, or
        its name without the level ("Medan" for Kota Medan). A text that names a level must
        name this one ("Kabupaten Bekasi" is not Kota Bekasi)."""
        from partners.matching import fold  # the same folding as partner names

        written, own = fold(text).split(), fold(self.name).split()
        written = [self.ABBREVIATIONS.get(word, word) for word in written[:1]] + written[1:]
        if written == own:
            return True
        if written and written[0] in self.LEVEL_WORDS:
            return False
        while own and own[0] in self.LEVEL_WORDS:
            own = own[1:]
        return written == own

    def clean(self):
        if self.province_id and self.code and not self.code.startswith(f"{self.province.code}."):
            raise ValidationError(
                {
                    "code": _("Kode %(code)s tidak diawali kode provinsinya (%(province)s).")
                    % {"code": self.code, "province": self.province.code}
                }
            )


def former_name_list(text):
    """The names of a ``Partner.former_names`` text, one a line, blank lines left out."""
    return [line for line in (text or "").split("\n") if line]


def tidy_former_names(text, name=""):
    """``text`` as ``Partner.former_names`` keeps it: one name a line (any line break, a
    spreadsheet's or a form's, read as one), each without the spaces around it, blank lines,
    repeats and the current ``name`` left out (ignoring case), the order kept."""
    kept, seen = [], {(name or "").strip().casefold()}
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line and line.casefold() not in seen:
            seen.add(line.casefold())
            kept.append(line)
    return "\n".join(kept)


def former_names_too_long(text):
    """What to tell whoever typed the former names ``text`` if the one cell the partners sheet
    writes them in, joined by "; " (``join_values``), cannot hold them; else None."""
    joined = join_values(former_name_list(text))
    return longer_than(
        joined,
        cell_limit(joined),
        _(
            "Nama terdahulu ini terlalu panjang untuk satu sel spreadsheet: lembar mitra "
            "menulisnya dalam satu sel, dipisahkan “; ”, menjadi %(length)s karakter, paling "
            "banyak %(limit)s. Kurangi nama terdahulunya."
        ),
    )


class PartnerQuerySet(models.QuerySet):
    def domestic(self):
        return self.filter(country_id=INDONESIA)

    def foreign(self):
        return self.exclude(country_id=INDONESIA)

    def named_alike(self, name, kind):
        """Those of these partners of ``kind`` whose name is ``name`` as a file's name is read
        (``partners.matching.name_key``: case, accents, punctuation, spacing and the words
        naming a kind of government set aside): "universitas mulawarman" is Universitas
        Mulawarman, "Pemerintah Kota Hefei" Kota Hefei. Of two such partners of one country,
        a file naming either could not tell which it means (``PartnerIndex.find``: ambiguous),
        so a country records such a name once (``PartnerAdminForm``). Reads the names of these
        partners of ``kind``: one query, then the one of those found."""
        from partners.matching import name_key  # it reads this module's models

        key = name_key(name)
        if not key:
            return self.none()
        names = self.filter(kind=kind).values_list("pk", "name")
        return self.filter(pk__in=[pk for pk, stored in names if name_key(stored) == key])

    def visible_to(self, user):
        """Partners ``user`` may know of: those party to an agreement ``user`` may read
        (``AgreementQuerySet.visible_to``). A partner named only by internal agreements is as
        hidden from the public as those agreements; its page, its place among a parent's
        sub-partners and its name in a filter are all read through here.
        """
        # The agreements app builds on this one: reach its model through the relation.
        return self.party_to(self.model.agreements.rel.related_model.objects.visible_to(user))

    def marking_internal_only(self, internal):
        """These partners, each with ``internal_only``: for a reader of internal records
        (``internal``), whether the public may not know of it (``visible_to``: named by internal
        agreements alone), which their lists of partners say beside its name, as an internal
        agreement's row says "Internal"; False for any other reader, who lists no such partner.
        A subquery of each row, no query of its own."""
        if not internal:
            return self.annotate(internal_only=models.Value(False))
        public = self.model.objects.visible_to(None).filter(pk=models.OuterRef("pk"))
        return self.annotate(internal_only=~models.Exists(public))

    def party_to(self, agreements, *, few=False):
        """Partners party to one of ``agreements``: ``visible_to``'s rule, given the agreements
        a reader may read (a search builds its SQL once for each kind of reader,
        ``AgreementQuerySet.visible_as``). ``few``: ``self`` holds a few partners (those a word
        names), each looked up on its own."""
        # Where the counts the database keeps count exactly what the reader sees (the whole
        # register, what the public sees), the partners with any are read from them: a country
        # page listing its 2,000 partners read every party row of 85,000 public agreements to
        # find them (29 ms at 100,000 agreements).
        if few:
            # Compared as the counts' keys are written (text), each partner is one look in
            # their index; against the keys of all 5,000 partners, read whole, asking whether
            # the one partner a word names is a party cost a search 5 ms, three times in each
            # of its queries, at 100,000 agreements. (Read whole is quicker for many.)
            tallied = agreements.tallied_keys("partner", cast="text")
            if tallied is not None:
                return self.alias(tally_key=Cast("pk", models.TextField())).filter(
                    tally_key__in=tallied
                )
        tallied = agreements.tallied_keys("partner")
        if tallied is not None:
            return self.filter(pk__in=tallied)
        parties = self.model.agreements.through.objects.filter(
            agreement__in=agreements.order_by().values("pk")
        )
        return self.filter(pk__in=parties.values("partner_id"))


class PartnerKind(models.TextChoices):
    FOREIGN_REGION = "foreign_region", _("Pemerintah daerah asing (provinsi/negara bagian)")
    FOREIGN_CITY = "foreign_city", _("Kota asing")
    NATIONAL_AGENCY = "national_agency", _("Lembaga pemerintah pusat")
    INTERNATIONAL = "international", _("Organisasi internasional")
    UNIVERSITY = "university", _("Perguruan tinggi")
    COMPANY = "company", _("Badan usaha")
    NGO = "ngo", _("Organisasi kemasyarakatan / LSM")
    OTHER = "other", _("Lainnya")


class Partner(PrintableText, ChoiceLabels, models.Model):
    """A party that is not an Indonesian regional government.

    Foreign governments, cities and institutions carry their country (and, for a sub-national
    government, its ISO 3166-2 subdivision). Domestic third parties of a KSDPK — companies,
    universities, NGOs — are partners whose country is Indonesia.
    """

    Kind = PartnerKind

    GOVERNMENT_KINDS = (Kind.FOREIGN_REGION, Kind.FOREIGN_CITY)

    name = models.CharField(_("nama"), max_length=200)
    name_local = models.CharField(
        _("nama dalam aksara aslinya"), max_length=200, blank=True, help_text=_("Mis. 安徽省")
    )
    # One name a line, in any script: what a rename or a merger left behind. Its agreements are
    # found by them (search, import); the page says "dahulu: …". No dates: when the name
    # changed is in the partner's history, and which name an agreement was signed under is its
    # own text's business (docs/data-dictionary.md).
    former_names = models.TextField(
        _("nama terdahulu"),
        blank=True,
        help_text=_(
            "Satu nama per baris, dalam aksara apa pun: nama yang pernah dipakai mitra ini "
            "sebelum berganti nama atau bergabung, mis. Xiangfan untuk Kota Xiangyang."
        ),
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="partners", verbose_name=_("negara")
    )
    subdivision = models.ForeignKey(
        Subdivision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=_("subdivisi (ISO 3166-2)"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("induk"),
        help_text=_("Mis. provinsi asing tempat kota mitra berada."),
    )
    website = models.URLField(_("situs web"), blank=True)

    history = HistoricalRecords()
    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("mitra")
        verbose_name_plural = pgettext_lazy("jamak", "mitra")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=choice_values(PartnerKind)), name="partner_kind_valid"
            ),
            # A partner's subdivision lies in the partner's own country.
            models.CheckConstraint(
                condition=Q(subdivision__isnull=True)
                | Q(Exact(Left("subdivision", 3), Concat("country", models.Value("-")))),
                name="partner_subdivision_in_country",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="partner_not_its_own_parent"
            ),
            models.UniqueConstraint(
                fields=["name", "country"],
                name="partner_unique_per_country",
                # Django's Indonesian message for a pair of unique fields says the opposite
                # ("… tidak ada", does not exist).
                violation_error_message=_(
                    "Mitra dengan nama ini di negara yang sama sudah tercatat; pilih mitra yang "
                    "sudah ada."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.country_id})"

    def save(self, *args, **kwargs):
        self.former_names = tidy_former_names(self.former_names, self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return object_url("partner-detail", self.pk)

    @property
    def label(self):
        """The name in Latin and in its own script, for lists to choose from: "Pemerintah Kota
        Guangzhou · 广州市人民政府 (CN)", so that either finds it."""
        return self.label_of(self.name, self.name_local, self.country_id)

    @property
    def former_name_list(self):
        """The former names, one per line of ``former_names``, in their order."""
        return former_name_list(self.former_names)

    @staticmethod
    def label_of(name, name_local, country_id):
        """``label`` from the columns alone, for lists of thousands read as plain rows."""
        if name_local:
            return f"{name} · {name_local} ({country_id})"
        return f"{name} ({country_id})"

    @classmethod
    def from_db(cls, db, field_names, values):
        partner = super().from_db(db, field_names, values)
        # The kind and country it was read with: a partner stored before ``place_error`` was a
        # rule still saves with both left as they are.
        partner._stored_place = (partner.__dict__.get("kind"), partner.__dict__.get("country_id"))
        partner._stored_parent = (
            partner.__dict__.get("parent_id"),
            partner.__dict__.get("country_id"),
            partner.__dict__.get("kind"),
        )
        return partner

    def place_error(self):
        """Why its kind does not fit its country, or "": a government abroad (a foreign region
        or city) in Indonesia. An Indonesian regional government is a party region, not a
        partner; a city typed in as "Kota asing" with Indonesia left as its country made its
        sister city a KSDPK, and the agreement form refused "KSDPL" saying its parties showed a
        third party. Said when the partner is new or either is changed, not of one stored so
        before the rule."""
        if self.kind not in self.GOVERNMENT_KINDS or self.country_id != INDONESIA:
            return ""
        if (self.kind, self.country_id) == getattr(self, "_stored_place", None):
            return ""
        return _(
            "Jenis “%(kind)s” untuk pemerintah di luar negeri, tetapi negara mitra ini Indonesia. "
            "Pemerintah daerah di Indonesia dicatat sebagai daerah pihak, bukan sebagai mitra; "
            "pilih negara mitra yang benar, atau jenis lain bagi pihak ketiga di Indonesia."
        ) % {"kind": self.get_kind_display()}

    def clean(self):
        typed = self.former_names or ""
        self.former_names = tidy_former_names(self.former_names, self.name)
        errors = {}
        if message := self.place_error():
            errors["kind"] = message
        # What was typed is held to a cell's limit with every text (``PrintableText``); the
        # partners sheet writes the names in one cell, "; " between them, which may not fit
        # though the lines did.
        if len(typed) <= cell_limit(typed) and (
            message := former_names_too_long(self.former_names)
        ):
            errors["former_names"] = message
        if (
            self.subdivision_id
            and self.country_id
            and not self.subdivision_id.startswith(f"{self.country_id}-")
        ):
            errors["subdivision"] = _("Subdivisi %(code)s tidak berada di negara mitra.") % {
                "code": self.subdivision_id
            }
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = _("Mitra tidak dapat menjadi induk dirinya sendiri.")
        elif message := self.parent_place_error():
            errors["parent"] = message
        elif self.parent_id and self.pk and self._part_of_itself():
            errors["parent"] = _(
                "Induk ini bagian dari mitra ini sendiri; pilih induk lain, atau ubah dulu induk "
                "mitra itu."
            )
        if errors:
            raise ValidationError(errors)

    def parent_place_error(self):
        """Why its parent cannot be the government it lies in, or "": a government abroad (a
        foreign region or city) lies in one of its own country, which its parent's page lists
        it under. An institution may belong to one abroad (a university's campus), and one
        stored so before the rule saves with both left as they are. One query, for the
        parent's country, unless the parent is loaded already (the demo's partners are written
        with theirs) or left as it was stored."""
        if not (self.parent_id and self.country_id and self.kind in self.GOVERNMENT_KINDS):
            return ""
        stored = getattr(self, "_stored_parent", None)
        if stored == (self.parent_id, self.country_id, self.kind):
            return ""
        if Partner.parent.is_cached(self) and self.parent.pk == self.parent_id:
            parent = self.parent
        else:
            parent = Partner.objects.only("name", "country_id").get(pk=self.parent_id)
        if parent.country_id == self.country_id:
            return ""
        return _(
            "Induk pemerintah di luar negeri adalah pemerintah di negaranya sendiri, tetapi "
            "%(parent)s berada di negara lain. Pilih induk di negara mitra ini, atau "
            "kosongkan induknya."
        ) % {"parent": parent}

    def _part_of_itself(self):
        """Whether the parent chosen is part of this partner, directly or through others: one
        query per level up, from the parent (a register has two or three levels)."""
        seen = set()
        parent = self.parent_id
        while parent is not None and parent not in seen:
            if parent == self.pk:
                return True
            seen.add(parent)
            parent = Partner.objects.filter(pk=parent).values_list("parent_id", flat=True).first()
        return False

    @property
    def is_domestic(self):
        return self.country_id == INDONESIA

    @property
    def is_foreign_government(self):
        return not self.is_domestic and self.kind in self.GOVERNMENT_KINDS
