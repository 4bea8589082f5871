"""Forms of the import pages: upload a file, map a table's columns, confirm the import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pilotage.accounts.permissions import Action
from pilotage.exchange.models import ImportKind
from pilotage.exchange.services import MAX_UPLOAD_BYTES
from pilotage.portfolio import selectors as portfolio_selectors
from pilotage.portfolio.models import Portfolio, Programme

ACCEPTED = ".xml,.mpp,.mpt,.mpx,.xer,.pod,.gan,.json,.toml,.csv,.txt,.xlsx,.xlsm"


class UploadForm(forms.Form):
    """The file to import, and for a table what its rows are."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "Microsoft Project (.xml, .mpp), Primavera P6 (.xer, .xml), ProjectLibre (.pod), "
            "GanttProject (.gan), Jira (.csv, .json), Trello (.json), Asana (.csv), "
            "Excel (.xlsx) or CSV, or a Pilotage plan (.json, .toml)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}),
    )
    kind = forms.ChoiceField(
        label=_("For a spreadsheet, each row is"),
        choices=[
            (ImportKind.TASKS, _("a task")),
            (ImportKind.RESOURCES, _("a resource")),
        ],
        initial=ImportKind.TASKS,
        required=False,
        help_text=_("Project files are recognised by themselves."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MiB."),
                params={"limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        return upload


class NewProjectForm(forms.Form):
    """Where the imported project goes, and its code and name."""

    portfolio = forms.ModelChoiceField(label=_("Portfolio"), queryset=Portfolio.objects.none())
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False
    )
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        portfolio_field: Any = self.fields["portfolio"]
        portfolio_field.queryset = portfolio_selectors.portfolio_list_for_project_create(user=user)
        programme_field: Any = self.fields["programme"]
        programme_field.queryset = portfolio_selectors.programme_list_for_action(
            user=user, action=Action.CREATE
        ).select_related("portfolio")


class ApplyForm(forms.Form):
    skip_bad_rows = forms.BooleanField(
        label=_("Skip the rows with errors and import the others"), required=False
    )
