"""Figures and reports from gait_metrics results (matplotlib; no metric computation, no
change to matplotlib's backend or other global settings).

:func:`session_report` and :func:`compare_report` write a session's report and a
comparison (PDF, HTML, PNG and their JSON); :mod:`plots.stance` and :mod:`plots.session`
draw single figures on axes of your own.
"""

from plots.report import compare_report, session_report

__all__ = ["session_report", "compare_report"]
