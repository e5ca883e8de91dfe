"""SQL text for the few statements that take no parameters (ATTACH, COPY targets)."""


def sql_string(value: object) -> str:
    """A single-quoted SQL string literal of `value`."""
    return "'" + str(value).replace("'", "''") + "'"
