"""The `mat` command line: thin click commands over mat_driver, gait_metrics and plots."""
