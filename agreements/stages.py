"""The stages a cooperation passes, per document kind and scope: the table, written once.

PP 28/2018 on *Kerja Sama Daerah* names the forms of cooperation and their steps; Permendagri
22/2020 lays out the procedure of cooperation between regions and with third parties (KSDD,
KSDPK), Permendagri 25/2020 that of cooperation abroad (KSDPL, KSDLL). The stages belong to the
cooperation, not to each document (shared design, "Stages belong to the cooperation"): an LoI is
a step on the way to the main text, and a document that carries out another (a PKS under an
MoU) does not pass its approvals again.

This module holds the table as plain values (the machine values of ``AgreementKind``,
``Scope``, ``MilestoneKind`` and ``MilestoneWaitsOn``) so that the models read it without an
import cycle; ``docs/stages.md`` is written from it (``markdown_table``) and a test holds the
two together. ``agreements.models.stage_path_of`` applies it.
"""

from dataclasses import dataclass

# The stage kinds, in the order of a cooperation's life (``MilestoneKind``).
INITIATIVE = "initiative"
EXPLORATION = "exploration"
LOI = "loi"
PLAN = "plan"
TKKSD = "tkksd"
DPRD = "dprd"
MINISTRY = "ministry"
DRAFTING = "drafting"
INITIALLING = "initialling"
FULL_POWERS = "full_powers"
SIGNING = "signing"

DOMESTIC = ("ksdd", "ksdpk")
ABROAD = ("ksdpl", "ksdll")
ALL_SCOPES = (*DOMESTIC, *ABROAD)
# The cooperation's main text: what an LoI leads to and a PKS carries out.
MAIN_TEXTS = ("mou", "sister_city", "sister_province", "other")

PP_28_2018 = "PP 28/2018"
PERMENDAGRI_22_2020 = "Permendagri 22/2020"
PERMENDAGRI_25_2020 = "Permendagri 25/2020"

# What a document takes over from the one it carries on (``CARRYING_OUT``): the way to the
# cooperation's intent. The text that follows still has its own plan, approvals, drafting and
# signing: an MoU's DPRD approval does not approve the sister-city text after it.
INHERITED = (INITIATIVE, EXPLORATION, LOI)

# Whom a stage waits on when the bureau has not named anyone: the body that decides it.
DECIDED_BY = {
    TKKSD: "tkksd",
    DPRD: "dprd",
    MINISTRY: "kemendagri",
    FULL_POWERS: "kemlu",
}


@dataclass(frozen=True)
class PathRule:
    """One row of the table: the stages of documents of ``kinds`` in ``scopes``.

    ``carries_out`` narrows the row to documents that carry out a predecessor (``True``) or
    stand alone (``False``); ``None`` takes both. ``optional`` stages show only when the
    cooperation records them (DPRD approval of a domestic cooperation is needed only where it
    burdens the public or a budget not planned for it). ``waived_after`` names stages a
    predecessor's kind makes unnecessary: {stage: kinds}.
    """

    kinds: tuple
    scopes: tuple
    stages: tuple
    sources: tuple
    note: str
    carries_out: bool | None = None
    optional: tuple = ()
    waived_after: tuple = ()  # ((stage, (kind, …)), …)

    def matches(self, kind, scope, carries_out):
        return (
            kind in self.kinds
            and scope in self.scopes
            and (self.carries_out is None or self.carries_out == bool(carries_out))
        )

    def waived_by(self, stage, predecessor_kinds):
        """The predecessor kind that makes ``stage`` unnecessary, or None."""
        for waived, kinds in self.waived_after:
            if waived == stage:
                return next((kind for kind in predecessor_kinds if kind in kinds), None)
        return None


ABROAD_STAGES = (
    INITIATIVE,
    EXPLORATION,
    LOI,
    PLAN,
    TKKSD,
    DPRD,
    MINISTRY,
    DRAFTING,
    INITIALLING,
    FULL_POWERS,
    SIGNING,
)
DOMESTIC_STAGES = (INITIATIVE, EXPLORATION, PLAN, TKKSD, DPRD, DRAFTING, SIGNING)

# The first row that matches a document decides its path.
STAGE_TABLE = (
    PathRule(
        kinds=("loi",),
        scopes=ALL_SCOPES,
        stages=(INITIATIVE, EXPLORATION, LOI),
        sources=(PP_28_2018, PERMENDAGRI_25_2020),
        note="Signing an LoI passes exploration and the LoI: it is a step towards the main text, "
        "not the text the DPRD and the ministries approve.",
    ),
    PathRule(
        kinds=("pks", "amendment"),
        scopes=ALL_SCOPES,
        carries_out=True,
        stages=(DRAFTING, SIGNING),
        sources=(PP_28_2018, PERMENDAGRI_22_2020, PERMENDAGRI_25_2020),
        note="A PKS that carries out an MoU, or an amendment of a signed text, is drafted and "
        "signed (often by an agency head under a power of attorney); the approvals of the text "
        "it carries out are not asked again. A PKS signed straight after an LoI carries out no "
        "text: the LoI passed exploration and intent only, so the PKS takes the path of its "
        "scope (row 3, 4 or 5).",
    ),
    PathRule(
        kinds=(*MAIN_TEXTS, "pks", "amendment"),
        scopes=("ksdpl",),
        stages=ABROAD_STAGES,
        sources=(PP_28_2018, PERMENDAGRI_25_2020),
        note="With a regional government abroad: DPRD approval, verification by the Ministry of "
        "Home Affairs, drafting with the Ministry of Foreign Affairs, initialling and full powers. "
        "An MoU that begins the cooperation passes the LoI (recorded or not); a text that follows "
        "an MoU of the cooperation is not asked for one again.",
        waived_after=((LOI, ("mou",)),),
    ),
    PathRule(
        kinds=(*MAIN_TEXTS, "pks", "amendment"),
        scopes=("ksdll",),
        stages=ABROAD_STAGES,
        optional=(LOI,),
        sources=(PP_28_2018, PERMENDAGRI_25_2020),
        note="With an institution abroad: as with a regional government abroad, but it may begin "
        "at an MoU without an LoI (seed 003); an LoI shows only when one is recorded.",
    ),
    PathRule(
        kinds=(*MAIN_TEXTS, "pks", "amendment"),
        scopes=DOMESTIC,
        stages=DOMESTIC_STAGES,
        optional=(DPRD,),
        sources=(PP_28_2018, PERMENDAGRI_22_2020),
        note="Between regions or with a domestic third party: no Foreign Ministry, initialling or "
        "full powers. DPRD approval applies where the cooperation burdens the public or the "
        "regional budget, or was not budgeted; it shows when the bureau records it.",
    ),
)


# Every stage on the way to signing, of any document's path.
ALL_STAGES = frozenset(stage for rule in STAGE_TABLE for stage in rule.stages)


def stages_of_scope(scope):
    """The stages on some document's path in ``scope``: a cooperation between regions or with
    a domestic third party has no verification by the Ministry of Home Affairs, initialling or
    full powers (rows 1, 2 and 5), so a step of one is never recorded for it."""
    return frozenset(stage for rule in STAGE_TABLE if scope in rule.scopes for stage in rule.stages)


def rule_for(kind, scope, carries_out=False):
    """The row of ``STAGE_TABLE`` that decides the path of a document."""
    for rule in STAGE_TABLE:
        if rule.matches(kind, scope, carries_out):
            return rule
    raise LookupError(f"no stage path for kind {kind!r} in scope {scope!r}")


def markdown_table(kind_labels, stage_labels, party_labels):
    """The table as Markdown: a line per row, then each row's note and whom a stage waits on.

    ``*_labels`` map machine values to names (the choices' labels in the language wanted).
    Scopes are named by their codes. Optional stages are in brackets; waived ones are named
    after the list.
    """
    lines = [
        "| row | document kind | scope | carries out a predecessor | stages, in order | sources |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for number, rule in enumerate(STAGE_TABLE, start=1):
        stages = []
        for stage in rule.stages:
            label = stage_labels[stage]
            stages.append(f"({label})" if stage in rule.optional else label)
        waived = "".join(
            f"; {stage_labels[stage]} not required after "
            + " or ".join(kind_labels[kind] for kind in kinds)
            for stage, kinds in rule.waived_after
        )
        carries_out = {None: "either", True: "yes", False: "no"}[rule.carries_out]
        lines.append(
            "| {} | {} | {} | {} | {}{} | {} |".format(
                number,
                ", ".join(kind_labels[kind] for kind in rule.kinds),
                ", ".join(scope.upper() for scope in rule.scopes),
                carries_out,
                " → ".join(stages),
                waived,
                ", ".join(rule.sources),
            )
        )
    lines.append("")
    for number, rule in enumerate(STAGE_TABLE, start=1):
        lines.append(f"{number}. {rule.note}")
    lines.append("")
    lines.append("| stage | waits on, unless the bureau names someone else |")
    lines.append("| --- | --- |")
    for stage, party in DECIDED_BY.items():
        lines.append(f"| {stage_labels[stage]} | {party_labels[party]} |")
    return "\n".join(lines) + "\n"
