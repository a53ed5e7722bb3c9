"""``python -m smalto.cli``: the same as the `smalto` command."""

from smalto.cli.main import app

app()
