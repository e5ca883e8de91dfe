"""The usage dashboard page: a small web app that reads the published serving file only.

The pipeline (`orchestration/`) writes `serving/marts.duckdb`; this package opens it
read-only, follows each new build, and starts activity reports through the reports
service. It never opens the warehouse and never touches Dagster.
"""
