"""The names of the spreadsheet import fields and of the file formats, marked for translation.

The field definitions live in ``interop.tabular``, which imports no Django; their English
labels are translated where the pages show them (``gettext(field.label)``). This list puts
them in the translation catalogue; a test checks that it names every field.
"""

from django.utils.translation import gettext_noop

FIELD_LABELS = (
    gettext_noop("ID"),
    gettext_noop("Name"),
    gettext_noop("WBS"),
    gettext_noop("Outline Number"),
    gettext_noop("Outline Level"),
    gettext_noop("Duration"),
    gettext_noop("Start"),
    gettext_noop("Finish"),
    gettext_noop("Predecessors"),
    # xgettext:no-python-format
    gettext_noop("% Complete"),
    gettext_noop("Resource Names"),
    gettext_noop("Notes"),
    gettext_noop("Milestone"),
    gettext_noop("Work"),
    gettext_noop("Cost"),
    gettext_noop("Deadline"),
    gettext_noop("Priority"),
    gettext_noop("Constraint Type"),
    gettext_noop("Constraint Date"),
    gettext_noop("Actual Start"),
    gettext_noop("Actual Finish"),
    gettext_noop("Type"),
    gettext_noop("Initials"),
    gettext_noop("Group"),
    gettext_noop("Max. Units"),
    gettext_noop("Std. Rate"),
    gettext_noop("Ovt. Rate"),
    gettext_noop("Cost/Use"),
    gettext_noop("Email"),
    gettext_noop("Base Calendar"),
    gettext_noop("Code"),
    gettext_noop("Material Label"),
    gettext_noop("Generic"),
)

FORMAT_NAMES = (
    gettext_noop("Microsoft Project XML"),
    gettext_noop("Microsoft Project (.mpp)"),
    gettext_noop("Microsoft Project exchange (.mpx)"),
    gettext_noop("Primavera P6 XER"),
    gettext_noop("Primavera P6 XML"),
    gettext_noop("ProjectLibre (.pod)"),
    gettext_noop("GanttProject"),
    gettext_noop("Jira CSV export"),
    gettext_noop("Jira search results (JSON)"),
    gettext_noop("Trello board (JSON)"),
    gettext_noop("Asana CSV export"),
    gettext_noop("Pilotage plan (JSON)"),
    gettext_noop("Pilotage plan (TOML)"),
    gettext_noop("Excel workbook"),
    gettext_noop("CSV table"),
)
