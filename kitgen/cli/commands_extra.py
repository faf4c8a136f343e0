"""Registers the commands that live in their own modules (each one a thin wrapper over the library)."""
from kitgen.cli import check_cmd, lint_cmd, score_cmd  # noqa: F401 - importing registers them
