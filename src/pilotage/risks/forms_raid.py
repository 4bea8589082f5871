"""Forms of the issue, assumption, dependency, decision and change request pages: they parse
input for the services, which check and save it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pilotage.accounts import selectors as account_selectors
from pilotage.accounts.permissions import visible
from pilotage.planning.forms import DurationField
from pilotage.planning.models import Dependency, Task
from pilotage.portfolio.forms import DATE_WIDGET, PersonChoiceField, ServiceForm, model_field
from pilotage.portfolio.models import Project
from pilotage.risks.models import (
    OPEN_ISSUE_STATUSES,
    Assumption,
    AssumptionStatus,
    ChangeRequest,
    ChangeRequestStatus,
    ChangeRequestTask,
    Decision,
    DependencyDirection,
    DependencyStatus,
    EscalationLevel,
    Issue,
    IssuePriority,
    IssueSeverity,
    IssueStatus,
    ProjectDependency,
    Risk,
)

TEXT = forms.Textarea(attrs={"rows": 3})
NUMBER = forms.NumberInput(attrs={"step": "0.01"})


class _ItemForm(ServiceForm):
    """A RAID item's form: the changed values for an edit, all of them for a new item."""

    FIELDS: tuple[str, ...] = ()

    def __init__(
        self, *args: Any, project: Project, user: Any, instance: Any = None, **kwargs: Any
    ) -> None:
        self.instance = instance
        self.project = project
        if instance is not None:
            kwargs.setdefault("initial", {name: getattr(instance, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:
            self.fields["owner"].queryset = account_selectors.user_list(user=user, active=True)
        if "code" in self.fields and instance is None:
            self.fields["code"].required = False
            self.fields["code"].help_text = _("Left empty, the next free code is given.")

    def _post_clean(self) -> None:
        # An empty code is given by the service: leave it out of the model's checks.
        cleaned = getattr(self, "cleaned_data", None)
        if cleaned is None or cleaned.get("code", None) != "":
            super()._post_clean()
            return
        del cleaned["code"]
        super()._post_clean()
        cleaned["code"] = ""

    def changes(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.FIELDS if name in self.cleaned_data}
        if self.instance is None:
            if not data.get("code"):
                data.pop("code", None)
            return data
        return {k: v for k, v in data.items() if getattr(self.instance, k) != v}


def _risks(project: Project) -> Any:
    return Risk.objects.filter(project=project).order_by("code")


class RiskChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.title}"


class TaskChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.position} — {obj.name}"


class ProjectChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.name}"


class LinkChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return link_label(obj)


class LinksField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return link_label(obj)


def link_label(link: Dependency) -> str:
    predecessor, successor = link.predecessor, link.successor
    return (
        f"{predecessor.project.code}:{predecessor.position} {predecessor.name} → "
        f"{successor.project.code}:{successor.position} {successor.name} ({link.type})"
    )


# Issues -------------------------------------------------------------------------------------


class IssueForm(_ItemForm):
    model = Issue
    FIELDS = (
        "code",
        "title",
        "description",
        "severity",
        "priority",
        "status",
        "owner",
        "due_date",
        "risk",
    )

    code = model_field(Issue, "code")
    title = model_field(Issue, "title")
    description = model_field(Issue, "description", widget=TEXT)
    severity = model_field(Issue, "severity")
    priority = model_field(Issue, "priority")
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(status.value, status.label) for status in OPEN_ISSUE_STATUSES],
    )
    owner = model_field(Issue, "owner", form_class=PersonChoiceField)
    due_date = model_field(Issue, "due_date", widget=DATE_WIDGET)
    risk = RiskChoiceField(
        label=_("Raised from risk"),
        required=False,
        queryset=Risk.objects.none(),
        help_text=_("Raising an issue from a risk marks the risk as occurred."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = _risks(self.project)
        status = getattr(self.instance, "status", None)
        if status not in OPEN_ISSUE_STATUSES:
            del self.fields["status"]


class IssueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any")),
            ("unresolved", pgettext_lazy("issues", "Unresolved")),
            *IssueStatus.choices,
        ],
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("Any")), *IssueSeverity.choices]
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *IssuePriority.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Search"), required=False)

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or "",
            "severity": data.get("severity") or "",
            "priority": data.get("priority"),
            "overdue": bool(data.get("overdue")),
            "search": (data.get("q") or "").strip(),
        }


class ResolutionForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), required=False, widget=TEXT)


class EscalateForm(forms.Form):
    level = forms.ChoiceField(label=_("Escalate to"), choices=EscalationLevel.choices)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


# Assumptions --------------------------------------------------------------------------------


class AssumptionForm(_ItemForm):
    model = Assumption
    FIELDS = ("code", "title", "description", "owner", "validate_by", "risk")

    code = model_field(Assumption, "code")
    title = model_field(Assumption, "title")
    description = model_field(Assumption, "description", widget=TEXT)
    owner = model_field(Assumption, "owner", form_class=PersonChoiceField)
    validate_by = model_field(Assumption, "validate_by", widget=DATE_WIDGET)
    risk = RiskChoiceField(
        label=_("Risk if false"),
        required=False,
        queryset=Risk.objects.none(),
        help_text=_("The risk the project runs if the assumption proves false."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = _risks(self.project)


class AssumptionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *AssumptionStatus.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Search"), required=False)

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or "",
            "overdue": bool(data.get("overdue")),
            "search": (data.get("q") or "").strip(),
        }


class ValidationForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[
            ("valid", AssumptionStatus.VALIDATED.label),
            ("invalid", AssumptionStatus.INVALID.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=TEXT,
        help_text=_("Required when the assumption proved false: what was found."),
    )


class RaiseIssueForm(forms.Form):
    title = forms.CharField(label=_("Issue title"), required=False, max_length=255)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=IssueSeverity.choices, initial=IssueSeverity.HIGH
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, choices=IssuePriority.choices, initial=IssuePriority.HIGH
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_WIDGET)


# Dependencies -------------------------------------------------------------------------------


def cross_project_links(project: Project, user: Any) -> Any:
    """The plan's links between a task of ``project`` and a task of a project ``user`` sees."""
    seen = visible(user, Project.objects.all())
    return (
        Dependency.objects.filter(
            Q(predecessor__project=project, successor__project__in=seen)
            | Q(successor__project=project, predecessor__project__in=seen)
        )
        .exclude(predecessor__project=F("successor__project"))
        .select_related("predecessor__project", "successor__project")
        .order_by("pk")
    )


class DependencyForm(_ItemForm):
    model = ProjectDependency
    FIELDS = (
        "code",
        "title",
        "description",
        "direction",
        "other_project",
        "external_party",
        "plan_dependency",
        "task",
        "needed_by",
        "status",
        "owner",
    )

    code = model_field(ProjectDependency, "code")
    title = model_field(ProjectDependency, "title")
    description = model_field(ProjectDependency, "description", widget=TEXT)
    direction = model_field(ProjectDependency, "direction")
    other_project = ProjectChoiceField(
        label=_("Other project"), required=False, queryset=Project.objects.none()
    )
    external_party = model_field(
        ProjectDependency,
        "external_party",
        help_text=_("A supplier, a regulator ... when it is not another project."),
    )
    plan_dependency = LinkChoiceField(
        label=_("Plan link"),
        required=False,
        queryset=Dependency.objects.none(),
        help_text=_(
            "A link of the plan between a task of this project and a task of the other "
            "project: it gives the other project, the task, the direction and the dates."
        ),
    )
    task = TaskChoiceField(label=_("Task"), required=False, queryset=Task.objects.none())
    needed_by = model_field(ProjectDependency, "needed_by", widget=DATE_WIDGET)
    status = model_field(ProjectDependency, "status")
    owner = model_field(ProjectDependency, "owner", form_class=PersonChoiceField)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        project = self.project
        self.fields["other_project"].queryset = (
            visible(user, Project.objects.all()).exclude(pk=project.pk).order_by("code")
        )
        self.fields["plan_dependency"].queryset = cross_project_links(project, user)
        self.fields["task"].queryset = Task.objects.filter(project=project).order_by("position")


class DependencyFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *DependencyStatus.choices]
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("", _("Any")), *DependencyDirection.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Search"), required=False)

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or "",
            "direction": data.get("direction") or "",
            "overdue": bool(data.get("overdue")),
            "search": (data.get("q") or "").strip(),
        }


class ImportLinksForm(forms.Form):
    links = LinksField(label=_("Plan links to record"), queryset=Dependency.objects.none())

    def __init__(self, *args: Any, links: list[Dependency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["links"]
        field.queryset = Dependency.objects.filter(pk__in=[link.pk for link in links])
        field.queryset = field.queryset.select_related(
            "predecessor__project", "successor__project"
        ).order_by("pk")


# Decisions ----------------------------------------------------------------------------------


class ChangeRequestChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.title}"


class DecisionForm(_ItemForm):
    model = Decision
    FIELDS = (
        "code",
        "title",
        "description",
        "decided_on",
        "decided_by",
        "decided_by_name",
        "rationale",
        "affects",
        "change_request",
        "owner",
    )

    code = model_field(Decision, "code")
    title = model_field(Decision, "title")
    description = model_field(Decision, "description", widget=TEXT)
    decided_on = model_field(Decision, "decided_on", widget=DATE_WIDGET)
    decided_by = model_field(Decision, "decided_by", form_class=PersonChoiceField)
    decided_by_name = model_field(Decision, "decided_by_name")
    rationale = model_field(Decision, "rationale", widget=TEXT)
    affects = model_field(Decision, "affects", widget=TEXT)
    change_request = ChangeRequestChoiceField(
        label=_("Change request"), required=False, queryset=ChangeRequest.objects.none()
    )
    owner = model_field(Decision, "owner", form_class=PersonChoiceField)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["decided_by"].queryset = account_selectors.user_list(user=user)
        self.fields["change_request"].queryset = ChangeRequest.objects.filter(
            project=self.project
        ).order_by("code")
        if self.instance is None:
            self.initial.setdefault("decided_on", dt.date.today())


class DecisionFilterForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    until = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)
    q = forms.CharField(label=_("Search"), required=False)

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "since": data.get("since"),
            "until": data.get("until"),
            "search": (data.get("q") or "").strip(),
        }


# Change requests ----------------------------------------------------------------------------


class ChangeRequestForm(_ItemForm):
    model = ChangeRequest
    fieldsets = (
        (_("Request"), ("code", "title", "description", "reason", "owner")),
        (
            _("Impact"),
            ("scope_impact", "schedule_impact_days", "cost_impact", "risk_impact"),
        ),
    )
    FIELDS = (
        "code",
        "title",
        "description",
        "reason",
        "owner",
        "scope_impact",
        "schedule_impact_days",
        "cost_impact",
        "risk_impact",
    )

    code = model_field(ChangeRequest, "code")
    title = model_field(ChangeRequest, "title")
    description = model_field(ChangeRequest, "description", widget=TEXT)
    reason = model_field(ChangeRequest, "reason", widget=TEXT)
    owner = model_field(ChangeRequest, "owner", form_class=PersonChoiceField)
    scope_impact = model_field(ChangeRequest, "scope_impact", widget=TEXT)
    schedule_impact_days = model_field(
        ChangeRequest, "schedule_impact_days", widget=forms.NumberInput(attrs={"step": "0.5"})
    )
    cost_impact = model_field(
        ChangeRequest,
        "cost_impact",
        widget=NUMBER,
        help_text=_("In the project's currency; the task changes' fixed costs are added to it."),
    )
    risk_impact = model_field(ChangeRequest, "risk_impact", widget=TEXT)


class ChangeRequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *ChangeRequestStatus.choices]
    )
    approval_level = forms.ChoiceField(
        label=_("Approval level"),
        required=False,
        choices=[("", _("Any")), *EscalationLevel.choices],
    )
    q = forms.CharField(label=_("Search"), required=False)

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or "",
            "approval_level": data.get("approval_level") or "",
            "search": (data.get("q") or "").strip(),
        }


class TaskChangeForm(forms.Form):
    task = TaskChoiceField(
        label=_("Task"),
        required=False,
        queryset=Task.objects.none(),
        help_text=_("A task whose duration changes; leave empty to add a new task."),
    )
    name = model_field(ChangeRequestTask, "name", required=False)
    duration = DurationField(label=_("New duration"), help_text=_("For example 5d, 3h or 2w."))
    cost = model_field(ChangeRequestTask, "cost", widget=NUMBER, required=False)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "task")
        super().__init__(*args, **kwargs)
        field: Any = self.fields["task"]
        field.queryset = Task.objects.filter(project=project, is_summary=False).order_by("position")

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        minutes, _unit = data["duration"]
        return {
            "task": data.get("task"),
            "name": data.get("name") or "",
            "duration_minutes": minutes,
            "cost": data.get("cost") or 0,
        }


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=TEXT)


class EvaluationForm(forms.Form):
    evaluation = forms.CharField(label=_("Evaluation"), widget=TEXT)
