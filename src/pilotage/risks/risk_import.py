"""Import a project's risks from a CSV or Excel file: one row per risk.

Headers are recognised in English and French (Title/Titre, Probability/Probabilité,
Owner/Responsable, Cost impact/Impact coût ...); probability and impact are given as levels
(``4``) or by the name of their level on the scales (``Likely``). A row whose code is the
code of a risk of the project updates that risk with the values the row gives (an empty cell
leaves the value as it is); any other row records a new risk, numbered after the others when
it has no code.

Every row goes through the register's services, so every rule of a risk applies (levels within
the scales, residual not above inherent, delays in order, a response allowed for its kind, an
owner who sees the project). The preview writes each row and undoes everything, so the errors
it lists are the ones the import would meet. The import is all or nothing, unless the rows with
errors are skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from pilotage.accounts.permissions import Action, require
from pilotage.core.errors import DomainError
from pilotage.exchange.models import ColumnMapping
from pilotage.finance.sheet_import import (
    RowsPreview,
    SheetRowError,
    UploadStore,
    choose_mapping,
    mapped_rows,
    mapping_list,
    mapping_save,
    read_sheet,
    refuse_unusable,
    row_error,
)
from pilotage.interop.tabular import (
    Choice,
    ImportTarget,
    TargetField,
    check_mapping,
    normalise_header,
    register_target,
)
from pilotage.portfolio.models import Project
from pilotage.risks import register
from pilotage.risks.models import (
    Risk,
    RiskCategory,
    RiskKind,
    RiskResponse,
    RiskStatus,
    ScaleKind,
)

__all__ = [
    "FIELD_LABELS",
    "RISKS_TARGET",
    "RiskImportPreview",
    "RiskImportRow",
    "risk_import_apply",
    "risk_import_preview",
    "risk_mapping_list",
    "risk_mapping_save",
    "upload_store",
]

TARGET_KEY = "risks"

# The English labels of the fields, for the translation catalogue.
FIELD_LABELS = (
    gettext_noop("Code"),
    gettext_noop("Title"),
    gettext_noop("Description"),
    gettext_noop("Kind"),
    gettext_noop("Category"),
    gettext_noop("Status"),
    gettext_noop("Cause"),
    gettext_noop("Event"),
    gettext_noop("Effect"),
    gettext_noop("Probability"),
    gettext_noop("Impact"),
    gettext_noop("Residual probability"),
    gettext_noop("Residual impact"),
    gettext_noop("Probability (%)"),
    gettext_noop("Cost impact"),
    gettext_noop("Delay, lowest (days)"),
    gettext_noop("Delay, most likely (days)"),
    gettext_noop("Delay, highest (days)"),
    gettext_noop("Proximity"),
    gettext_noop("Trigger"),
    gettext_noop("Response"),
    gettext_noop("Response plan"),
    gettext_noop("Owner"),
    gettext_noop("Next review"),
)


def _choices(values: Sequence[tuple[Any, tuple[str, ...]]]) -> tuple[Choice, ...]:
    return tuple(Choice(str(value), str(value.label), synonyms) for value, synonyms in values)


RISKS_TARGET = ImportTarget(
    TARGET_KEY,
    "Risks",
    (
        TargetField(
            key="code",
            label="Code",
            synonyms=("ID", "Risk ID", "Reference", "Ref", "Référence", "Réf", "Identifiant"),
        ),
        TargetField(
            key="title",
            label="Title",
            required=True,
            synonyms=("Risk", "Risk title", "Name", "Titre", "Risque", "Intitulé", "Nom"),
        ),
        TargetField(key="description", label="Description", synonyms=("Details", "Détails")),
        TargetField(
            key="kind",
            label="Kind",
            kind="choice",
            synonyms=("Type", "Threat or opportunity", "Nature", "Menace ou opportunité"),
            choices=_choices(
                (
                    (RiskKind.THREAT, ("Menace", "Negative", "Négatif", "Négative")),
                    (RiskKind.OPPORTUNITY, ("Opportunité", "Positive", "Positif")),
                )
            ),
        ),
        TargetField(
            key="category",
            label="Category",
            kind="choice",
            synonyms=("Risk category", "Catégorie", "Catégorie de risque"),
            choices=_choices(
                (
                    (RiskCategory.TECHNICAL, ("Technique", "Technology", "Technologie")),
                    (RiskCategory.SCHEDULE, ("Planning", "Délais", "Calendrier", "Time")),
                    (RiskCategory.COST, ("Coût", "Coûts", "Costs", "Budget", "Financial")),
                    (RiskCategory.RESOURCES, ("Ressources", "Resource", "People", "Staff")),
                    (RiskCategory.SUPPLIER, ("Fournisseur", "Fournisseurs", "Vendor", "Suppliers")),
                    (
                        RiskCategory.REGULATORY,
                        ("Réglementaire", "Compliance", "Conformité", "Legal", "Juridique"),
                    ),
                    (RiskCategory.SECURITY, ("Sécurité", "Safety")),
                    (
                        RiskCategory.ORGANISATIONAL,
                        ("Organisationnel", "Organizational", "Organisation", "Organization"),
                    ),
                    (RiskCategory.EXTERNAL, ("Externe", "Environment", "Environnement")),
                )
            ),
        ),
        TargetField(
            key="status",
            label="Status",
            kind="choice",
            synonyms=("Statut", "État", "Etat", "Risk status"),
            choices=_choices(
                (
                    (RiskStatus.IDENTIFIED, ("Identifié", "New", "Nouveau", "Proposed")),
                    (RiskStatus.ACTIVE, ("Actif", "Open", "Ouvert", "Active")),
                    (RiskStatus.OCCURRED, ("Survenu", "Realised", "Realized", "Réalisé")),
                    (RiskStatus.CLOSED, ("Clos", "Fermé", "Clôturé", "Done")),
                )
            ),
        ),
        TargetField(key="cause", label="Cause", synonyms=("Causes", "Root cause", "Origine")),
        TargetField(key="event", label="Event", synonyms=("Risk event", "Événement", "Evénement")),
        TargetField(
            key="effect",
            label="Effect",
            synonyms=("Effects", "Consequence", "Consequences", "Effet", "Effets", "Conséquence"),
        ),
        TargetField(
            key="probability",
            label="Probability",
            required=True,
            synonyms=("Likelihood", "Probabilité", "Vraisemblance", "Probability level"),
        ),
        TargetField(
            key="impact",
            label="Impact",
            required=True,
            synonyms=("Severity", "Gravité", "Impact level", "Niveau d'impact"),
        ),
        TargetField(
            key="residual_probability",
            label="Residual probability",
            synonyms=("Residual likelihood", "Probabilité résiduelle"),
        ),
        TargetField(
            key="residual_impact",
            label="Residual impact",
            synonyms=("Residual severity", "Impact résiduel"),
        ),
        TargetField(
            key="probability_percent",
            label="Probability (%)",
            kind="percent",
            minimum=Decimal(0),
            maximum=Decimal(1),
            synonyms=("Probability percent", "Chance", "Probabilité (%)", "Probabilité en %"),
        ),
        TargetField(
            key="cost_impact",
            label="Cost impact",
            kind="money",
            synonyms=(
                "Cost",
                "Financial impact",
                "Impact coût",
                "Impact financier",
                "Coût",
                "Montant",
            ),
        ),
        TargetField(
            key="schedule_impact_min_days",
            label="Delay, lowest (days)",
            kind="decimal",
            synonyms=("Lowest delay", "Minimum delay", "Delay min", "Retard minimum", "Retard min"),
        ),
        TargetField(
            key="schedule_impact_likely_days",
            label="Delay, most likely (days)",
            kind="decimal",
            synonyms=(
                "Delay",
                "Most likely delay",
                "Schedule impact",
                "Retard",
                "Retard probable",
                "Impact délai",
                "Impact planning",
            ),
        ),
        TargetField(
            key="schedule_impact_max_days",
            label="Delay, highest (days)",
            kind="decimal",
            synonyms=(
                "Highest delay",
                "Maximum delay",
                "Delay max",
                "Retard maximum",
                "Retard max",
            ),
        ),
        TargetField(
            key="proximity",
            label="Proximity",
            kind="date",
            synonyms=("Proximité", "Expected date", "Date prévue", "Échéance du risque"),
        ),
        TargetField(
            key="trigger",
            label="Trigger",
            synonyms=("Early warning", "Déclencheur", "Signal", "Signe avant-coureur"),
        ),
        TargetField(
            key="response",
            label="Response",
            kind="choice",
            synonyms=(
                "Response strategy",
                "Strategy",
                "Treatment",
                "Réponse",
                "Stratégie",
                "Stratégie de réponse",
                "Traitement",
            ),
            choices=_choices(
                (
                    (RiskResponse.AVOID, ("Éviter", "Evitement", "Évitement")),
                    (RiskResponse.MITIGATE, ("Reduce", "Réduire", "Atténuer", "Mitigation")),
                    (RiskResponse.TRANSFER, ("Transférer", "Transfert")),
                    (RiskResponse.ACCEPT, ("Accepter", "Acceptation", "Tolerate", "Retain")),
                    (RiskResponse.EXPLOIT, ("Exploiter",)),
                    (RiskResponse.ENHANCE, ("Améliorer", "Renforcer")),
                    (RiskResponse.SHARE, ("Partager", "Partage")),
                    (RiskResponse.ESCALATE, ("Escalader", "Remonter", "Escalade")),
                )
            ),
        ),
        TargetField(
            key="response_plan",
            label="Response plan",
            synonyms=(
                "Mitigation plan",
                "Actions",
                "Plan de réponse",
                "Plan d'action",
                "Plan de mitigation",
                "Plan d'atténuation",
            ),
        ),
        TargetField(
            key="owner",
            label="Owner",
            synonyms=("Risk owner", "Responsable", "Propriétaire", "Porteur", "Porteur du risque"),
        ),
        TargetField(
            key="review_date",
            label="Next review",
            kind="date",
            synonyms=("Review date", "Review", "Prochaine revue", "Date de revue", "Revue"),
        ),
    ),
)
register_target(RISKS_TARGET)

upload_store = UploadStore("risks")

_LEVEL_NUMBER = re.compile(r"^\s*(\d+)(?:[.,]0+)?(?:\s*[-–—:·.]\s*.*)?$")
_PASSED = ("code", "title", "description", "cause", "event", "effect", "trigger", "response_plan")
_KEPT = (
    "kind",
    "category",
    "status",
    "probability_percent",
    "cost_impact",
    "schedule_impact_min_days",
    "schedule_impact_likely_days",
    "schedule_impact_max_days",
    "response",
)
_LEVELS = (
    ("probability", ScaleKind.PROBABILITY),
    ("impact", ScaleKind.IMPACT),
    ("residual_probability", ScaleKind.PROBABILITY),
    ("residual_impact", ScaleKind.IMPACT),
)


@dataclass
class RiskImportRow:
    """One row of the file as it would be written: the values for the register's service."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    existing_pk: int | None = None
    code: str = ""
    errors: list[SheetRowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def is_update(self) -> bool:
        return self.existing_pk is not None


@dataclass(kw_only=True)
class RiskImportPreview(RowsPreview[RiskImportRow]):
    """What a file would import: the mapping, the rows and their errors."""

    @property
    def new_rows(self) -> int:
        return sum(1 for row in self.valid_rows if not row.is_update)

    @property
    def updated_rows(self) -> int:
        return sum(1 for row in self.valid_rows if row.is_update)


def _require_importer(actor: Any, project: Project) -> None:
    require(actor, Action.CHANGE, project)


class _Context:
    """What rows are resolved against: the scales, the project's people and risks."""

    def __init__(self, project: Project) -> None:
        self.scales = register.risk_scales()
        self.people: dict[str, Any] = {}
        for person in register.project_people(project):
            for key in (person.username, person.email, person.get_full_name()):
                if key:
                    self.people.setdefault(key.strip().casefold(), person)
        self.risks = {
            code.casefold(): (pk, project_id)
            for pk, code, project_id in Risk.objects.filter(
                portfolio_id=project.portfolio_id
            ).values_list("pk", "code", "project_id")
        }

    def level(self, kind: str, text: str) -> int | None:
        match = _LEVEL_NUMBER.match(text)
        if match:
            return int(match.group(1))
        wanted = normalise_header(text)
        for level in self.scales.levels(kind):
            if normalise_header(level.name) == wanted:
                return level.level
        return None


def _level_message(context: _Context, kind: str, text: str) -> str:
    levels = context.scales.levels(kind)
    return gettext("'%(value)s' is not a level of the %(scale)s (1 to %(size)d, or %(names)s)") % {
        "value": text,
        "scale": gettext("probability scale")
        if kind == ScaleKind.PROBABILITY
        else gettext("impact scale"),
        "size": len(levels),
        "names": ", ".join(level.name for level in levels),
    }


def _resolve(
    row: RiskImportRow,
    values: dict[str, Any],
    context: _Context,
    project: Project,
    header_of: dict[str, str],
    codes_seen: dict[str, int],
) -> None:
    def error(key: str, message: str) -> None:
        row.errors.append(row_error(row.number, header_of.get(key, ""), message))

    for name in _PASSED:
        if name in values:
            row.values[name] = str(values[name]).strip()
    for name in _KEPT:
        if name in values:
            row.values[name] = values[name]
    if "probability_percent" in row.values:
        row.values["probability_percent"] = (row.values["probability_percent"] * 100).quantize(
            register.CENT
        )
    for name in ("proximity", "review_date"):
        if name in values:
            value = values[name]
            row.values[name] = value.date() if isinstance(value, dt.datetime) else value
    for name, kind in _LEVELS:
        if name in values:
            text = str(values[name]).strip()
            level = context.level(kind, text)
            if level is None:
                error(name, _level_message(context, kind, text))
            else:
                row.values[name] = level
    if "owner" in values:
        text = str(values["owner"]).strip()
        person = context.people.get(text.casefold())
        if person is None:
            error(
                "owner",
                gettext("'%(name)s' is not a user who sees project %(project)s")
                % {"name": text, "project": project.code},
            )
        else:
            row.values["owner"] = person
    code = row.values.get("code", "")
    if code:
        key = code.casefold()
        if key in codes_seen:
            error(
                "code",
                gettext("the code %(code)s is already given on row %(row)d")
                % {"code": code, "row": codes_seen[key]},
            )
        codes_seen.setdefault(key, row.number)
        found = context.risks.get(key)
        if found is not None:
            pk, project_id = found
            if project_id != project.pk:
                error(
                    "code",
                    gettext("the code %(code)s is the code of a risk of another project")
                    % {"code": code},
                )
            else:
                row.existing_pk = pk
                row.values.pop("code")
        row.code = code


def _write(actor: Any, project: Project, row: RiskImportRow) -> Risk:
    values = dict(row.values)
    if row.existing_pk is not None:
        risk = Risk.objects.get(pk=row.existing_pk)
        return register.risk_update(actor=actor, risk=risk, **values)
    title = values.pop("title", "")
    return register.risk_create(actor=actor, project=project, title=title, **values)


def _problem_messages(problem: Exception) -> list[tuple[str, str]]:
    if isinstance(problem, ValidationError):
        if hasattr(problem, "error_dict"):
            return [
                (name, str(message))
                for name, messages in problem.message_dict.items()
                for message in messages
            ]
        return [(NON_FIELD_ERRORS, str(message)) for message in problem.messages]
    return [(NON_FIELD_ERRORS, str(problem) or gettext("You do not have permission to do this."))]


class _UndoError(Exception):
    """Undoes the rows written by the preview."""


def risk_import_preview(
    *,
    actor: Any,
    project: Project,
    name: str,
    content: bytes,
    mapping: dict[Any, str] | None = None,
) -> RiskImportPreview:
    """Read a file of risks for ``project`` and check every row without writing anything.

    ``mapping``: column index to field key; by default a saved mapping whose headers match the
    file's, else a guess from the headers. Raises ``ValidationError`` if the file cannot be
    read as a table.
    """
    _require_importer(actor, project)
    table = read_sheet(name=name, content=content)
    columns, source, saved = choose_mapping(RISKS_TARGET, table.headers, mapping)
    problems = check_mapping(columns, table.headers, RISKS_TARGET)
    preview = RiskImportPreview(
        name=table.name,
        headers=table.headers,
        mapping=columns,
        mapping_source=source,
        mapping_problems=problems,
        rows=[],
        saved_mapping=saved,
    )
    if problems:
        return preview
    result, header_of, rows = mapped_rows(table, columns, RISKS_TARGET, RiskImportRow)
    context = _Context(project)
    codes_seen: dict[str, int] = {}
    for record in result.records:
        _resolve(rows[record.number], record.values, context, project, header_of, codes_seen)
    preview.rows = [rows[number] for number in sorted(rows)]
    try:
        with transaction.atomic():
            for row in preview.rows:
                if not row.ok:
                    continue
                try:
                    with transaction.atomic():
                        written = _write(actor, project, row)
                except (ValidationError, DomainError) as problem:
                    for key, message in _problem_messages(problem):
                        column = header_of.get(key, "")
                        label = "" if column or key == NON_FIELD_ERRORS else key
                        text = f"{label}: {message}" if label else message
                        row.errors.append(row_error(row.number, column, text))
                else:
                    row.code = written.code
            raise _UndoError
    except _UndoError:
        pass
    return preview


@transaction.atomic
def risk_import_apply(
    *,
    actor: Any,
    project: Project,
    preview: RiskImportPreview,
    skip_errors: bool = False,
) -> list[Risk]:
    """Write the rows of a preview: new risks, and the risks of the project whose code a row
    gives updated. All or nothing: any row error refuses the whole file unless
    ``skip_errors``, which leaves out the rows with errors."""
    _require_importer(actor, project)
    refuse_unusable(
        mapping_problems=preview.mapping_problems, errors=preview.errors, skip_errors=skip_errors
    )
    rows = preview.valid_rows
    if not rows:
        raise ValidationError(gettext("The file has no risk to import."), code="empty")
    return [_write(actor, project, row) for row in rows]


# Saved mappings -------------------------------------------------------------------------------


def risk_mapping_list() -> Any:
    return mapping_list(TARGET_KEY)


def risk_mapping_save(
    *, actor: Any, project: Project, name: str, headers: Sequence[str], mapping: dict[int, str]
) -> ColumnMapping:
    """Save a mapping for the next file of the same layout (whoever may change the project)."""
    _require_importer(actor, project)
    return mapping_save(actor=actor, target=TARGET_KEY, name=name, headers=headers, mapping=mapping)
