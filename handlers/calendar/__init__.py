"""The official holiday calendar: /calendar, loading a year's schedule, and the December warning.

`apply_calendar` is what `pandeng calendar import|add` calls: it saves the days and moves the deadlines
of open appeals that the new days change. `queue_calendar_warning` is a scheduler job.
"""
from . import command  # noqa: F401  (registers /calendar)
from .describe import describe_year, group_ranges, year_ranges
from .recompute import DeadlineChange, apply_calendar
from .warning import missing_years, queue_calendar_warning

__all__ = ["DeadlineChange", "apply_calendar", "describe_year", "group_ranges", "missing_years",
           "queue_calendar_warning", "year_ranges"]
