"""Resources: people, roles and equipment, and their assignments to tasks."""
