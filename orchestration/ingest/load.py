"""Loads landing files of a range of arrival days into a feed's raw table, in DuckDB SQL.

For each batch of days, every line is read and checked into temporary tables; then one
transaction deletes those days (so a re-run replaces them) and inserts each record into
the raw table or into `raw.quarantine`. Lines are read by DuckDB's CSV reader with a
delimiter that valid JSON never holds unescaped; a file the reader rejects (not UTF-8,
binary content) is split and decoded in Python instead, so that its good lines still
load and its bad ones are quarantined one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from orchestration.ingest.discovery import LandingFile, day_files
from orchestration.ingest.feeds import QUARANTINE_DDL, Feed

BATCH_BYTES = 512 * 1024 * 1024
# A whole-file document is one row, and DuckDB keeps what each JSON function allocates for
# the rows of a vector until the vector is done; checks that read a large document many
# times need many of them in far less memory than their size suggests, so they come in
# small batches (a 10 M-event account's user snapshots ran out of 3 GB read all at once).
DOCUMENT_BATCH_BYTES = 16 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024
# DuckDB's file readers expand these in any path they are given: a file whose name holds one
# is read in Python, so that its name stays a name (`part-00[0].jsonl` is not `part-000`).
# What JSON counts as whitespace (space, tab, line feed, carriage return), as a SQL string.
JSON_WHITESPACE = "' ' || chr(9) || chr(10) || chr(13)"
PATTERN_CHARACTERS = frozenset("*?[]{}\\")
READ_LINES = """
create or replace temp table _lines as
select filename as path, line as text
from read_csv(
    $paths, columns = {'line': 'VARCHAR'}, delim = '\x1f', quote = '', escape = '',
    header = false, auto_detect = false, filename = true, max_line_size = $max_line,
    store_rejects = true, rejects_table = '_rejects', rejects_scan = '_reject_scans'
)
"""


class LandingZoneMissing(FileNotFoundError):
    """The landing folder a feed reads from does not exist."""


@dataclass
class FileStats:
    source_file: str
    records: int
    quarantined: int

    @property
    def rate(self) -> float:
        return self.quarantined / max(self.records, 1)


@dataclass
class LoadReport:
    feed: str
    days: list[date]
    files: list[FileStats] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    @property
    def loaded(self) -> int:
        return self.records - self.quarantined

    def over_limit(self, max_rate: float) -> list[FileStats]:
        """Files whose share of quarantined records is above the limit, worst first."""
        return sorted(
            (f for f in self.files if f.quarantined and f.rate > max_rate),
            key=lambda f: (-f.rate, f.source_file),
        )


def landing_files(feed: Feed, landing: Path, days: Iterable[date]) -> list[LandingFile]:
    """The files of the given arrival days (discovery.py); a missing feed folder is an
    error, a missing day is not (it is an empty partition)."""
    folder = landing / feed.name
    if not folder.is_dir():
        raise LandingZoneMissing(
            f"Landing folder for feed '{feed.name}' not found: expected {folder} "
            "(set DAM_LANDING_DIR to the landing zone's root)"
        )
    return [found for day in days for found in day_files(feed, landing, day)]


def batches(
    days: Sequence[date], files: Sequence[LandingFile], budget: int = BATCH_BYTES
) -> Iterator[tuple[list, list]]:
    """Consecutive days grouped so that one batch reads at most about `budget` bytes."""
    by_day: dict[date, list[LandingFile]] = {day: [] for day in days}
    for f in files:
        by_day[f.arrival_date].append(f)
    batch_days: list[date] = []
    batch_files: list[LandingFile] = []
    size = 0
    for day in days:
        day_size = sum(f.size for f in by_day[day])
        if batch_days and size + day_size > budget:
            yield batch_days, batch_files
            batch_days, batch_files, size = [], [], 0
        batch_days.append(day)
        batch_files.extend(by_day[day])
        size += day_size
    if batch_days:
        yield batch_days, batch_files


def ensure_schema(con: duckdb.DuckDBPyConnection, feeds: Iterable[Feed]) -> None:
    con.execute("create schema if not exists raw")
    con.execute(QUARANTINE_DDL)
    for feed in feeds:
        con.execute(
            f"create table if not exists {feed.table} ("
            f"arrival_date date not null, source_file varchar not null, {feed.ddl})"
        )
        if feed.key:
            _refresh_key_hashes(con, feed)


def _refresh_key_hashes(con: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    """Give the raw table its key_hash column, each row the hash of its key as this DuckDB
    computes it. A table from before the column, or whose hashes an older DuckDB computed
    (hash() is not promised stable between versions), is hashed again whole, once: one
    stored row tells, since every load and every refresh hashes with one version."""
    con.execute(f"alter table {feed.table} add column if not exists key_hash ubigint")
    key = ", ".join(feed.key)
    (stale,) = con.execute(
        f"select count(*) from (select key_hash, {key} from {feed.table} limit 1) "
        f"where key_hash is distinct from {feed.key_hash}"
    ).fetchone()
    if stale:
        con.execute(f"update {feed.table} set key_hash = {feed.key_hash}")


def load_feed(
    con: duckdb.DuckDBPyConnection, feed: Feed, landing: Path, days: Sequence[date]
) -> LoadReport:
    """Replace the given arrival days of one feed with what the landing zone holds now."""
    ensure_schema(con, [feed])
    report = LoadReport(feed=feed.name, days=list(days))
    budget = BATCH_BYTES if feed.per_line else DOCUMENT_BATCH_BYTES
    for batch_days, batch_files in batches(days, landing_files(feed, landing, days), budget):
        # Reading and checking happen in temporary tables first: a reader error there
        # cannot abort the transaction that swaps the days' rows.
        _stage_batch(con, feed, batch_files)
        con.execute("begin transaction")
        try:
            report.files += _replace_days(con, feed, batch_days, batch_files)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return report


def _stage_batch(con, feed: Feed, files: list[LandingFile]) -> None:
    """Fill `_files` and `_checked`: every record of the batch with its quarantine reason."""
    con.execute(
        "create or replace temp table _files (path varchar, source_file varchar, "
        "arrival_date date, cloud_name varchar)"
    )
    readable = [f for f in files if f.problem is None]
    _insert_rows(
        con,
        "insert into _files values (?, ?, ?, ?)",
        [(str(f.path), f.source_file, f.arrival_date, f.cloud_name) for f in readable],
    )
    _stage_records(con, feed, [f.path for f in readable])
    con.execute(_checked_sql(feed))


def _replace_days(con, feed: Feed, days: list[date], files: list[LandingFile]) -> list[FileStats]:
    con.execute(
        f"delete from {feed.table} where list_contains($days, arrival_date)", {"days": days}
    )
    con.execute(
        "delete from raw.quarantine where feed = $feed and list_contains($days, arrival_date)",
        {"feed": feed.name, "days": days},
    )
    unreadable = [f for f in files if f.problem is not None]
    _insert_rows(
        con,
        "insert into raw.quarantine values (?, ?, ?, null, ?, null)",
        [(feed.name, f.arrival_date, f.source_file, f.problem) for f in unreadable],
    )
    columns = ", ".join(
        f"{expression} as {name}"
        for expression, name in zip(feed.columns, feed.column_names, strict=True)
    )
    loaded = f"select arrival_date, source_file, {columns} from _checked where reason is null"
    if feed.key:
        loaded = f"select *, {feed.key_hash} as key_hash from ({loaded}) as loaded"
    con.execute(f"insert into {feed.table} {loaded}")
    con.execute(
        "insert into raw.quarantine select $feed, arrival_date, source_file, "
        f"{'line_number' if feed.per_line else 'null'}, reason, text "
        "from _checked where reason is not null",
        {"feed": feed.name},
    )
    stats = con.execute(
        "select f.source_file, count(c.source_file), count(c.reason) from _files as f "
        "left join _checked as c using (source_file) group by all order by all"
    ).fetchall()
    return [FileStats(*row) for row in stats] + [FileStats(f.source_file, 1, 1) for f in unreadable]


def _insert_rows(con, sql: str, rows: list[tuple]) -> None:
    if rows:
        con.executemany(sql, rows)


RECORDS_VIEW = """
create or replace temp view _records as
select l.path, l.rowid - f.first_row + 1 as line_number, l.text, false as not_utf8
from _lines as l
inner join (select path, min(rowid) as first_row from _lines group by path) as f using (path)
union all
select path, line_number, text, not_utf8 from _decoded
"""


def _stage_records(con, feed: Feed, paths: list[Path]) -> None:
    """Define `_records(path, line_number, text, not_utf8)`: one row a line, or a file.

    Lines the CSV reader read stay in `_lines`, numbered by the view: its row ids follow the
    reader's output order, so each file's lines are consecutive and in order. Whole
    documents, and the lines of files the reader rejected, go to `_decoded`.
    """
    con.execute("create or replace temp table _lines (path varchar, text varchar)")
    con.execute(
        "create or replace temp table _decoded "
        "(path varchar, line_number bigint, text varchar, not_utf8 boolean)"
    )
    if paths and feed.per_line:
        _stage_lines(con, [str(p) for p in paths])
    elif paths:
        _stage_documents(con, [str(p) for p in paths])
    con.execute(RECORDS_VIEW)


def literal(path: str) -> bool:
    """Whether DuckDB's readers would take `path` as the name it is."""
    return not PATTERN_CHARACTERS & set(path)


def _stage_lines(con, all_paths: list[str]) -> None:
    paths = [p for p in all_paths if literal(p)]
    unread = [] if _read_lines(con, paths) else [p for p in paths if not _read_lines(con, [p])]
    if unread:
        # The reader gave up on some file (binary content): read the others together.
        _read_lines(con, [p for p in paths if p not in unread])
    unread += [p for p in all_paths if not literal(p)]
    rejected = sorted(
        {
            row[0]
            for row in con.execute(
                "select distinct s.file_path from _rejects as r "
                "join _reject_scans as s using (scan_id, file_id)"
            ).fetchall()
        }
        | set(unread)
    )
    if rejected:
        con.execute(
            "delete from _lines where list_contains($rejected, path)", {"rejected": rejected}
        )
    for path in rejected:
        _insert_rows(
            con,
            "insert into _decoded values (?, ?, ?, ?)",
            [(path, *line) for line in _decode_lines(Path(path))],
        )


def _read_lines(con, paths: list[str]) -> bool:
    """Read files into `_lines` (rejected lines into `_rejects`); False if the reader fails."""
    con.execute("drop table if exists _rejects")
    con.execute("drop table if exists _reject_scans")
    con.execute("create or replace temp table _lines (path varchar, text varchar)")
    if not paths:
        con.execute("create temp table _rejects (scan_id ubigint, file_id ubigint)")
        con.execute(
            "create temp table _reject_scans (scan_id ubigint, file_id ubigint, file_path varchar)"
        )
        return True
    try:
        con.execute(READ_LINES, {"paths": paths, "max_line": MAX_LINE_BYTES})
        return True
    except duckdb.Error:
        return False


def _decode_lines(path: Path) -> Iterator[tuple[int, str, bool]]:
    """(number, text, not UTF-8) for each line of a file the CSV reader rejected; a line
    that does not decode keeps its bytes, escaped, for the quarantine."""
    lines = path.read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        raw = raw.removesuffix(b"\r")
        try:
            yield number, raw.decode("utf-8"), False
        except UnicodeDecodeError:
            yield number, raw.decode("utf-8", errors="backslashreplace"), True


def _stage_documents(con, all_paths: list[str]) -> None:
    read = "insert into _decoded select filename, null, content, false from read_text($paths)"
    paths = [p for p in all_paths if literal(p)]
    one_by_one = [p for p in all_paths if not literal(p)]
    try:
        if paths:
            con.execute(read, {"paths": paths})
    except duckdb.Error:
        one_by_one += paths  # one of the files is not UTF-8 text: read them one by one below
    for path in one_by_one:
        try:
            if not literal(path):
                raise duckdb.Error("read in Python: the name would be taken as a pattern")
            con.execute(read, {"paths": [path]})
        except duckdb.Error:
            raw = Path(path).read_bytes()
            try:
                text, not_utf8 = raw.decode("utf-8"), False
            except UnicodeDecodeError:
                text, not_utf8 = raw.decode("utf-8", errors="backslashreplace"), True
            con.execute("insert into _decoded values (?, null, ?, ?)", [path, text, not_utf8])


def _checked_sql(feed: Feed) -> str:
    """Every record with its parsed document and the first failed check as `reason`."""
    checks = (
        ("not_utf8", "'not valid UTF-8'"),
        (f"doc is null and trim(text, {JSON_WHITESPACE}) = ''", "'empty file'"),
        ("doc is null", "'invalid JSON'"),
        # `doc` is minified, so it starts with a brace exactly when it is an object: a
        # string test instead of parsing the whole record once more.
        ("not starts_with(doc, '{')", "'not a JSON object'"),
        *feed.all_checks,
    )
    reason = "case " + " ".join(f"when {c} then {r}" for c, r in checks) + " end"
    fields = "".join(f", {f}" for f in feed.fields)
    # Blank lines (only JSON's whitespace) are not records; `ltrim` tells them as `trim`
    # would, without copying each line.
    blank = f"and ltrim(r.text, {JSON_WHITESPACE}) <> ''" if feed.per_line else ""
    return f"""
create or replace temp table _checked as
with records as (
    select
        f.arrival_date, f.source_file, f.cloud_name, r.line_number, r.text, r.not_utf8,
        case when not r.not_utf8 and json_valid(r.text) then json(r.text) end as doc
    from _records as r
    inner join _files as f using (path)
    where r.text is not null {blank}
),
with_members as ({_members_sql(feed)}),
with_fields as (select *{fields} from with_members)
select * exclude (doc), {reason} as reason from with_fields
"""


def _members_sql(feed: Feed) -> str:
    """`records` with a column per member of the feed, all read from one parse of `doc`."""
    if not feed.members:
        return "select * from records"
    paths = ", ".join(f"'{path}'" for _, path in feed.members)
    columns = ", ".join(f"_members[{i}] as {name}" for i, (name, _) in enumerate(feed.members, 1))
    return (
        f"select * exclude (_members), {columns} "
        f"from (select *, json_extract(doc, [{paths}]) as _members from records)"
    )
