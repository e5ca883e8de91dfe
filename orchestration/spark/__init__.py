"""The spark dbt target: its session, its raw-layer loader and the check against DuckDB."""
