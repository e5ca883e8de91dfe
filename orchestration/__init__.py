"""Dagster code of the DAM usage warehouse: ingest, dbt, resources and the command line."""
