"""Give every task a UID: the tasks made before UIDs existed are numbered in row order after
the highest UID of their project."""

from django.db import migrations
from django.db.models import Max


def number_tasks(apps, schema_editor):
    Task = apps.get_model("planning", "Task")
    projects = Task.objects.filter(uid__isnull=True).values_list("project_id", flat=True)
    for project_id in sorted(set(projects)):
        tasks = Task.objects.filter(project_id=project_id)
        next_uid = (tasks.aggregate(top=Max("uid"))["top"] or 0) + 1
        missing = list(tasks.filter(uid__isnull=True).order_by("position", "pk"))
        for task in missing:
            task.uid = next_uid
            next_uid += 1
        Task.objects.bulk_update(missing, ["uid"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("planning", "0002_file_fields")]

    operations = [migrations.RunPython(number_tasks, migrations.RunPython.noop)]
