"""Figures and reports from gait_metrics results (matplotlib, no metric computation)."""
