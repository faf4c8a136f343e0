"""Registers the commands that live in their own modules (each one a thin wrapper)."""
import importlib

for _name in ("kitgen.cli.check_cmd", "kitgen.cli.score_cmd", "kitgen.cli.lint_cmd"):
    try:
        importlib.import_module(_name)
    except ModuleNotFoundError as _exc:       # a command not built yet
        if _exc.name != _name:
            raise
