"""The fixed cast of a sample account: product environments, users, groups and API keys."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

ROLES = (
    "master_admin",
    "admin",
    "technical_admin",
    "billing",
    "reports",
    "media_library_admin",
    "media_library_user",
)
ENVIRONMENT_NAMES = ("production", "staging", "marketing", "development", "archive", "partners")
GROUP_NAMES = ("Creative", "Marketing", "Legal", "Agency partners")
FIRST_NAMES = ("Ana", "Ben", "Chloé", "Dmitri", "Eve", "Farid", "Grace", "Hiro", "Inès", "Jonas")
LAST_NAMES = ("Silva", "Okafor", "Müller", "Novak", "Tanaka", "Rossi", "Haddad", "Berg")


def stable_hex(*parts: object, length: int = 16) -> str:
    """A short id that depends only on its parts, so the same seed gives the same ids."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return digest[:length]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Environment:
    index: int
    id: str
    cloud_name: str
    name: str
    tracking_enabled: bool
    created_at: datetime

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "cloud_name": self.cloud_name,
            "name": self.name,
            "enabled": True,
            "created_at": iso(self.created_at),
            "tracking_enabled": self.tracking_enabled,
        }


@dataclass(frozen=True)
class User:
    index: int
    id: str
    name: str
    email: str
    role: str
    created_day: int  # day offset from the sample start; negative means before it
    disabled_day: int | None  # day offset on which the user is disabled, if ever
    pending: bool
    groups: tuple[int, ...]

    def can_act(self) -> bool:
        return self.created_day < 0 and self.disabled_day is None and not self.pending


@dataclass(frozen=True)
class Cast:
    account_id: str
    environments: tuple[Environment, ...]
    users: tuple[User, ...]
    api_keys: tuple[str, ...]  # one list for the account, three per environment in order

    def api_key(self, environment: int, slot: int) -> str:
        return self.api_keys[environment * 3 + slot]


def _user_name(seed: int, index: int) -> tuple[str, str]:
    first = FIRST_NAMES[(index + seed) % len(FIRST_NAMES)]
    last = LAST_NAMES[(index * 7 + seed) % len(LAST_NAMES)]
    if index == 3:
        # Real directories hold names like this; they must load verbatim.
        return 'Seán O\'Brien "Bob"; DROP TABLE users;--', "sean.obrien"
    if index == 5:
        return "Zoë Ångström", "zoë.ångström"
    return f"{first} {last}", f"{first}.{last}{index}".lower()


def build_cast(seed: int, start: date, days: int, environments: int, users: int) -> Cast:
    account_id = stable_hex(seed, "account", length=24)
    origin = datetime.combine(start, time(), tzinfo=UTC)
    envs = tuple(
        Environment(
            index=i,
            id=stable_hex(seed, "environment", i, length=32),
            cloud_name=f"acme-{ENVIRONMENT_NAMES[i % len(ENVIRONMENT_NAMES)]}"
            + (f"-{i // len(ENVIRONMENT_NAMES)}" if i >= len(ENVIRONMENT_NAMES) else ""),
            name=ENVIRONMENT_NAMES[i % len(ENVIRONMENT_NAMES)].title(),
            tracking_enabled=i % 2 == 0,
            created_at=origin - timedelta(days=400 - 30 * i),
        )
        for i in range(environments)
    )
    newcomers = max(1, users // 10)
    cast_users = []
    for i in range(users):
        name, local = _user_name(seed, i)
        # The first users cover every role; the rest are mostly library users.
        role = (
            ROLES[i]
            if i < len(ROLES)
            else ("media_library_user", "media_library_admin")[i % 5 == 0]
        )
        is_newcomer = i >= users - newcomers and i >= len(ROLES)
        created_day = (
            1 + ((i - (users - newcomers)) * max(days - 2, 1)) // newcomers
            if is_newcomer
            else -300 + i
        )
        cast_users.append(
            User(
                index=i,
                id=stable_hex(seed, "user", i, length=32),
                name=name,
                email=f"{local}@acme.example",
                role=role,
                created_day=created_day,
                disabled_day=days // 2 if i == len(ROLES) + 1 and days > 2 else None,
                pending=is_newcomer and i == users - 1,
                groups=tuple(g for g in range(len(GROUP_NAMES)) if (i + g) % 3 == 0),
            )
        )
    api_keys = tuple(stable_hex(seed, "api_key", i, length=15) for i in range(3 * environments))
    return Cast(account_id, envs, tuple(cast_users), api_keys)
