"""The exceptions cogov raises. Every message names the file (or ``set`` key), the key, the value and
what is allowed, as the command line's do."""


class CogovError(Exception):
    """Any error of cogov that is not bad input or a refused output (a broken invariant, threads)."""


class InputError(CogovError, ValueError):
    """Bad input: a scenario, experiment or override that does not validate, or a bad argument value."""


class OutputError(CogovError, OSError):
    """An output that cannot be written or is refused (an existing directory without ``force``)."""
