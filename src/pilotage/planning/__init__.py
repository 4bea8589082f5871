"""Planning: tasks, dependencies, calendars, baselines and the project schedule."""
