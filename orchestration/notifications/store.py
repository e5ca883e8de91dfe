"""Subscriptions and the messages made for them, in a small SQLite file.

Like the report registry, it lives outside DuckDB: the command line, the dashboard page and
the notification runs read and write it while the pipeline holds the warehouse.
`dam-usage backup` copies it beside the warehouse, so a restore brings subscriptions back.

Every message has a key that names what it is about (a subscription, a meter, a month, a
threshold): a message is made once per key, and a run that finds it sent sends nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

SCHEMA = """
create table if not exists subscriptions (
    subscription_id integer primary key,
    topic text not null check (topic in ('usage', 'monthly-report')),
    channel text not null check (channel in ('email', 'webhook')),
    address text not null,
    owner text not null,
    environment text,
    meter text,
    thresholds text,
    created_at text not null
);
create table if not exists messages (
    message_key text primary key,
    subscription_id integer not null,
    channel text not null,
    address text not null,
    subject text not null,
    body text not null,
    payload text not null,
    created_at text not null,
    status text not null check (status in ('pending', 'sending', 'sent', 'failed')),
    attempts integer not null default 0,
    next_attempt_at text not null,
    last_error text,
    sent_at text
);
"""
# A failed delivery waits 30 s, 2 min, 8 min, 32 min before the next attempt; after the
# fifth it is given up, and stays recorded as failed.
FIRST_WAIT = timedelta(seconds=30)
MAX_ATTEMPTS = 5
# A message being sent by a process that died is tried again after this.
SENDING_TIMEOUT = timedelta(minutes=10)


@dataclass(frozen=True)
class Subscription:
    subscription_id: int
    topic: str  # 'usage' alerts or the 'monthly-report'
    channel: str  # 'email' or 'webhook'
    address: str  # the e-mail address or the webhook's URL
    owner: str  # the account user it is for, whose rights it is checked against
    environment: str | None  # usage alerts of one product environment (None: all)
    meter: str | None  # usage alerts of one meter (None: all)
    thresholds: str | None  # usage alerts at these % of a limit, e.g. "80,90,100"
    created_at: str

    def threshold_list(self, default: tuple[int, ...]) -> tuple[int, ...]:
        if not self.thresholds:
            return default
        return tuple(int(t) for t in self.thresholds.split(","))


@dataclass(frozen=True)
class Message:
    message_key: str
    subscription_id: int
    channel: str
    address: str
    subject: str
    body: str
    payload: str  # JSON: what a webhook receives
    created_at: str
    status: str
    attempts: int
    next_attempt_at: str
    last_error: str | None
    sent_at: str | None


SUBSCRIPTION_COLUMNS = ", ".join(Subscription.__dataclass_fields__)
MESSAGE_COLUMNS = ", ".join(Message.__dataclass_fields__)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt."""
    return FIRST_WAIT * 4 ** (attempts - 1)


class NotificationStore:
    def __init__(self, path: Path):
        self.path = Path(path)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30)
        try:
            con.executescript(SCHEMA)
            with con:
                yield con
        finally:
            con.close()

    def subscribe(self, subscription: dict, at: datetime) -> tuple[Subscription, bool]:
        """(the subscription, whether it is new): subscribing twice to the same thing keeps
        the first, with the thresholds given last."""
        with self.connect() as con:
            existing = self._matching(con, subscription)
            if existing is None:
                con.execute(
                    "insert into subscriptions (topic, channel, address, owner, environment, "
                    "meter, thresholds, created_at) values (:topic, :channel, :address, :owner, "
                    ":environment, :meter, :thresholds, :created_at)",
                    {**subscription, "created_at": at.isoformat(timespec="seconds")},
                )
            else:
                con.execute(
                    "update subscriptions set thresholds = ? where subscription_id = ?",
                    [subscription["thresholds"], existing],
                )
            return self._subscription(con, self._matching(con, subscription)), existing is None

    @staticmethod
    def _matching(con: sqlite3.Connection, s: dict) -> int | None:
        row = con.execute(
            "select subscription_id from subscriptions where topic = ? and channel = ? and "
            "address = ? and environment is ? and meter is ?",
            [s["topic"], s["channel"], s["address"], s["environment"], s["meter"]],
        ).fetchone()
        return row[0] if row else None

    @staticmethod
    def _subscription(con: sqlite3.Connection, subscription_id: int) -> Subscription:
        row = con.execute(
            f"select {SUBSCRIPTION_COLUMNS} from subscriptions where subscription_id = ?",
            [subscription_id],
        ).fetchone()
        return Subscription(*row)

    def unsubscribe(self, subscription_id: int) -> bool:
        with self.connect() as con:
            deleted = con.execute(
                "delete from subscriptions where subscription_id = ?", [subscription_id]
            ).rowcount
        return deleted > 0

    def subscriptions(self, topic: str | None = None) -> list[Subscription]:
        with self.connect() as con:
            rows = con.execute(
                f"select {SUBSCRIPTION_COLUMNS} from subscriptions "
                "where coalesce(?, topic) = topic order by subscription_id",
                [topic],
            ).fetchall()
        return [Subscription(*row) for row in rows]

    def add_message(self, message: dict, at: datetime) -> bool:
        """Record a message to send, unless one with its key was ever made; True if new."""
        with self.connect() as con:
            added = con.execute(
                "insert into messages (message_key, subscription_id, channel, address, subject, "
                "body, payload, created_at, status, next_attempt_at) values (:message_key, "
                ":subscription_id, :channel, :address, :subject, :body, :payload, :at, "
                "'pending', :at) on conflict (message_key) do nothing",
                {**message, "at": at.isoformat()},
            ).rowcount
        return added > 0

    def has_message(self, key: str) -> bool:
        with self.connect() as con:
            found = con.execute("select 1 from messages where message_key = ?", [key]).fetchone()
        return found is not None

    def messages(self) -> list[Message]:
        with self.connect() as con:
            rows = con.execute(
                f"select {MESSAGE_COLUMNS} from messages order by created_at, message_key"
            ).fetchall()
        return [Message(*row) for row in rows]

    def claim_due(self, now: datetime) -> list[Message]:
        """The messages due to be sent now, marked as being sent by this process."""
        stuck = (now - SENDING_TIMEOUT).isoformat()
        with self.connect() as con:
            con.execute("begin immediate")
            rows = con.execute(
                f"select {MESSAGE_COLUMNS} from messages where (status = 'pending' and "
                "next_attempt_at <= ?) or (status = 'sending' and next_attempt_at <= ?) "
                "order by created_at, message_key",
                [now.isoformat(), stuck],
            ).fetchall()
            con.executemany(
                "update messages set status = 'sending', next_attempt_at = ? where message_key = ?",
                [(now.isoformat(), row[0]) for row in rows],
            )
        return [Message(*row) for row in rows]

    def due(self, now: datetime) -> int:
        """How many messages are due (pending and their time has come)."""
        with self.connect() as con:
            (count,) = con.execute(
                "select count(*) from messages where status = 'pending' and next_attempt_at <= ?",
                [now.isoformat()],
            ).fetchone()
        return count

    def sent(self, key: str, at: datetime) -> None:
        with self.connect() as con:
            con.execute(
                "update messages set status = 'sent', sent_at = ?, attempts = attempts + 1, "
                "last_error = null where message_key = ?",
                [at.isoformat(), key],
            )

    def failed(self, message: Message, error: str, at: datetime) -> None:
        """Record a failed attempt: try again after a longer wait, or give up."""
        attempts = message.attempts + 1
        status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
        with self.connect() as con:
            con.execute(
                "update messages set status = ?, attempts = ?, last_error = ?, "
                "next_attempt_at = ? where message_key = ?",
                [
                    status,
                    attempts,
                    error[:1000],
                    (at + backoff(attempts)).isoformat(),
                    message.message_key,
                ],
            )
