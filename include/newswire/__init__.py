"""newswire: news-agency statements to a hive-partitioned Parquet lake.

This package is the pipeline itself. It never imports Airflow, so every stage
can be run and tested without a scheduler (see ``python -m newswire``).
"""

__version__ = "0.1.0"
PIPELINE_VERSION = __version__
