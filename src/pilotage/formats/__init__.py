"""Locale formats that replace Django's defaults where a PMO expects something else."""
