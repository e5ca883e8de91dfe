"""Loads landing files into the spark target's raw tables, in Spark SQL.

The counterpart of orchestration/ingest/load.py: the same files, raw table shapes and
quarantine rules. Each file is read whole, split into numbered lines for the JSON Lines
feeds, parsed into a VARIANT and checked; a record that is not valid UTF-8 is quarantined
with its bad bytes replaced by U+FFFD. Raw tables are partitioned by arrival day, and
loading days drops their partitions first, so a re-run replaces them. Spark's Parquet
tables have no transactions: a load that fails after the drop leaves those days empty
until it is run again (the DuckDB loader swaps them in one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from orchestration.ingest.feeds import Feed
from orchestration.ingest.load import FileStats, LandingFile, LoadReport, landing_files, literal
from orchestration.spark.feeds import QUARANTINE_DDL, SPARK_FEEDS, record_checks

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

REPLACEMENT = "\ufffd"  # what Spark's string functions put for a byte that is not UTF-8


def ensure_tables(spark: SparkSession, feed: Feed) -> None:
    spark.sql("create database if not exists raw")
    spark.sql(
        f"create table if not exists raw.quarantine ({QUARANTINE_DDL}) "
        "using parquet partitioned by (feed, arrival_date)"
    )
    spark.sql(
        f"create table if not exists {feed.table} (source_file string, "
        f"{SPARK_FEEDS[feed.name].ddl}, arrival_date date) "
        "using parquet partitioned by (arrival_date)"
    )


def load_feed_spark(
    spark: SparkSession, feed: Feed, landing: Path, days: Sequence[date]
) -> LoadReport:
    """Replace the given arrival days of one feed with what the landing zone holds now."""
    ensure_tables(spark, feed)
    files = landing_files(feed, landing, days)
    readable = [f for f in files if f.problem is None]
    _register_records(spark, feed, readable)
    spark.sql(_checked_sql(feed)).createOrReplaceTempView("_checked")
    spark.sql("cache table _checked")
    try:
        _drop_days(spark, feed, days)
        columns = ", ".join(SPARK_FEEDS[feed.name].columns)
        spark.sql(
            f"insert into {feed.table} select source_file, {columns}, arrival_date "
            "from _checked where reason is null"
        )
        line = "line_number" if feed.per_line else "cast(null as bigint)"
        spark.sql(
            f"insert into raw.quarantine select source_file, {line}, reason, text, "
            f"'{feed.name}', arrival_date from _checked where reason is not null"
        )
        _quarantine_unreadable(spark, feed, files)
        counts = spark.sql(
            "select source_file, count(*), count(reason) from _checked group by source_file"
        ).collect()
    finally:
        spark.sql("uncache table if exists _checked")
    found = {row[0]: FileStats(row[0], row[1], row[2]) for row in counts}
    report = LoadReport(feed=feed.name, days=list(days))
    report.files = [found.get(f.source_file, FileStats(f.source_file, 0, 0)) for f in readable]
    report.files += [FileStats(f.source_file, 1, 1) for f in files if f.problem is not None]
    return report


def _drop_days(spark: SparkSession, feed: Feed, days: Sequence[date]) -> None:
    partitions = (
        (feed.table, "arrival_date={day}", "arrival_date = '{day}'"),
        (
            "raw.quarantine",
            f"feed={feed.name}/arrival_date={{day}}",
            f"feed = '{feed.name}', arrival_date = '{{day}}'",
        ),
    )
    for table, name, spec in partitions:
        known = {row[0] for row in spark.sql(f"show partitions {table}").collect()}
        loaded = [day for day in days if name.format(day=day.isoformat()) in known]
        if loaded:  # one statement, one metastore round for all the days
            specs = ", ".join(f"partition ({spec.format(day=day)})" for day in loaded)
            spark.sql(f"alter table {table} drop {specs}")


def _quarantine_unreadable(spark: SparkSession, feed: Feed, files: list[LandingFile]) -> None:
    rows = [
        (f.source_file, None, f.problem, None, feed.name, f.arrival_date)
        for f in files
        if f.problem is not None
    ]
    if rows:
        frame = spark.createDataFrame(rows, QUARANTINE_DDL)
        frame.createOrReplaceTempView("_unreadable")
        spark.sql("insert into raw.quarantine select * from _unreadable")


def _register_records(spark: SparkSession, feed: Feed, files: list[LandingFile]) -> None:
    """The view `_records(source_file, arrival_date, cloud_name, line_number, text,
    not_utf8)`."""
    columns = "source_file string, arrival_date date, cloud_name string"
    # Spark names a file by its absolute path; whether it resolves links is its own affair.
    by_path = {str(path): f for f in files for path in (f.path.absolute(), f.path.resolve())}
    contents = spark.createDataFrame([], "file_path string, value string")
    named = [f for f in files if literal(str(f.path))]
    if named:
        read = spark.read.text([str(f.path) for f in named], wholetext=True)
        contents = read.selectExpr("_metadata.file_path as file_path", "value")
    # Spark expands patterns in a path too: such a name is read here, as Spark would read it
    # (bytes that are not UTF-8 replaced by U+FFFD).
    unnamed = [
        (f.path.absolute().as_uri(), f.path.read_bytes().decode("utf-8", errors="replace"))
        for f in files
        if not literal(str(f.path))
    ]
    if unnamed:
        contents = contents.union(spark.createDataFrame(unnamed, "file_path string, value string"))
    uris = {
        row[0]: by_path[unquote(urlparse(row[0]).path)]
        for row in contents.select("file_path").distinct().collect()
    }
    lineage = [(uri, f.source_file, f.arrival_date, f.cloud_name) for uri, f in uris.items()]
    spark.createDataFrame(lineage, f"file_path string, {columns}").createOrReplaceTempView("_files")
    contents.createOrReplaceTempView("_contents")
    if feed.per_line:
        # Numbered as the file's lines; the piece after a final newline is blank, so dropped.
        records = spark.sql(
            "select f.source_file, f.arrival_date, f.cloud_name, "
            "cast(piece.pos + 1 as bigint) as line_number, "
            "regexp_replace(piece.col, '\\r$', '') as text, "
            # Splitting replaced the file's bad bytes by U+FFFD: in a file that is not
            # UTF-8, a line holding one is a line that was not.
            f"not is_valid_utf8(c.value) and instr(piece.col, '{REPLACEMENT}') > 0 as not_utf8 "
            "from _contents as c inner join _files as f using (file_path) "
            "lateral view posexplode(split(c.value, '\\n')) piece as pos, col"
        ).where("trim(both ' \\t\\r\\n' from text) <> ''")
    else:
        records = spark.sql(
            "select f.source_file, f.arrival_date, f.cloud_name, "
            "cast(null as bigint) as line_number, make_valid_utf8(c.value) as text, "
            "not is_valid_utf8(c.value) as not_utf8 "
            "from _contents as c inner join _files as f using (file_path)"
        )
        # The reader yields no row for an empty file: it is a record, quarantined as empty.
        read = set(uris.values())
        empty = [
            (f.source_file, f.arrival_date, f.cloud_name, None, "", False)
            for f in files
            if f not in read
        ]
        records = records.unionByName(
            spark.createDataFrame(
                empty, f"{columns}, line_number bigint, text string, not_utf8 boolean"
            )
        )
    records.createOrReplaceTempView("_records")


def _checked_sql(feed: Feed) -> str:
    """Every record with its parsed document and the first failed check as `reason`."""
    spark_feed = SPARK_FEEDS[feed.name]
    checks = (
        ("not_utf8", "'not valid UTF-8'"),
        ("doc is null and trim(both ' \\t\\r\\n' from text) = ''", "'empty file'"),
        ("doc is null", "'invalid JSON'"),
        (
            "is_variant_null(doc) or not startswith(schema_of_variant(doc), 'OBJECT')",
            "'not a JSON object'",
        ),
        *record_checks(feed.name),
    )
    reason = "case " + " ".join(f"when {c} then {r}" for c, r in checks) + " end"
    steps = "records as (select *, try_parse_json(text) as doc from _records)"
    previous = "records"
    for index, (name, expression) in enumerate(spark_feed.fields):
        steps += f", field_{index} as (select *, {expression} as {name} from {previous})"
        previous = f"field_{index}"
    return f"with {steps} select *, {reason} as reason from {previous}"
