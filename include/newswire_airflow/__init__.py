"""Airflow glue for the newswire DAGs (callbacks). The pipeline itself, ``newswire``,
never imports Airflow; this package is the one place that does besides ``dags/``."""
