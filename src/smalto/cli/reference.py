"""The CLI reference in Markdown, generated from the commands' own help (``docs/cli.md``).

``python -m smalto.cli.reference > docs/cli.md`` regenerates it; a test checks it is current.
Typer renders ``--help`` with rich (terminal-dependent); this uses the plain click formatter.
"""

from __future__ import annotations

import inspect
from typing import Any

import typer.main

from smalto.cli.main import app

__all__ = ["render_reference"]

_WIDTH = 100


def _subcommands(command: Any, ctx: Any) -> list[tuple[str, Any]]:
    if not hasattr(command, "list_commands"):
        return []
    found = [(name, command.get_command(ctx, name)) for name in command.list_commands(ctx)]
    return [(name, sub) for name, sub in found if sub is not None and not sub.hidden]


def _plain_help(command: Any, ctx: Any) -> str:
    """Usage, description, parameters and subcommands as stable plain text."""
    formatter = ctx.make_formatter()
    formatter.width = _WIDTH
    formatter.write_usage(ctx.command_path, " ".join(command.collect_usage_pieces(ctx)))
    if command.help:
        formatter.write_paragraph()
        formatter.write_text(inspect.cleandoc(command.help))
    options = [r for p in command.get_params(ctx) if (r := p.get_help_record(ctx)) is not None]
    with formatter.section("Options"):
        formatter.write_dl(options)
    subcommands = _subcommands(command, ctx)
    if subcommands:
        with formatter.section("Commands"):
            formatter.write_dl([(n, s.get_short_help_str(_WIDTH)) for n, s in subcommands])
    return str(formatter.getvalue()).rstrip()


def _sections(command: Any, ctx: Any, path: list[str]) -> list[str]:
    out = [f"## `{' '.join(path)}`\n\n```text\n{_plain_help(command, ctx)}\n```\n"]
    for name, sub in _subcommands(command, ctx):
        sub_ctx = sub.context_class(sub, info_name=name, parent=ctx)
        out.extend(_sections(sub, sub_ctx, [*path, name]))
    return out


def render_reference() -> str:
    """The whole reference: one section per command, in ``--help`` order."""
    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="smalto")
    header = (
        "# `smalto` command reference\n\n"
        "Generated from the commands' `--help` by `python -m smalto.cli.reference`; "
        "do not edit by hand.\n"
    )
    return "\n".join([header, *_sections(root, ctx, ["smalto"])])


if __name__ == "__main__":
    print(render_reference(), end="")
