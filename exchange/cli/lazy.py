"""Commands imported only when they run: `exchange --help` loads no command module.

The root group lists each command under its name with the help line stored here (a test
holds every stored line to the command's own); a command's module is imported when the
command is resolved to run, or to print its own `--help`. Each command (leaf) installs the
market's wiring just before it runs, except those marked `offline` (the audit verifier's
commands, which must not load the server).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_group_from_info
from typer.models import CommandInfo, TyperInfo

F = TypeVar("F", bound=Callable[..., Any])


def offline(command: F) -> F:
    """Mark a command that runs without the market's wiring (it touches no database)."""
    command.__dict__["exchange_offline"] = True
    return command


@dataclass(frozen=True, slots=True)
class Lazy:
    """A command of the root group: its name, where it lives, and its help line.

    `attribute` names a `typer.Typer` (a group) or a function (a command).
    """

    name: str
    module: str
    attribute: str
    help: str


class _Listed(TyperCommand):
    """Stands in for a command not imported yet: only its name and help line, to list it."""


class LazyGroup(TyperGroup):
    """A typer group whose commands are imported when resolved, listed without importing."""

    lazy: ClassVar[tuple[Lazy, ...]] = ()
    pretty_exceptions_short: ClassVar[bool] = True

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        listed: dict[str, _click.Command] = {
            entry.name: _Listed(entry.name, help=entry.help, rich_markup_mode=self.rich_markup_mode)
            for entry in self.lazy
        }
        self.commands = {**listed, **self.commands}
        self._entries = {entry.name: entry for entry in self.lazy}
        self._listing = False

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        command = self.commands.get(cmd_name)
        if isinstance(command, _Listed) and not self._listing:
            command = self.load(cmd_name)
        return command

    def load(self, name: str) -> _click.Command:
        """Import the command's module and build the command (once per group)."""
        entry = self._entries[name]
        target = getattr(importlib.import_module(entry.module), entry.attribute)
        command: _click.Command
        if isinstance(target, typer.Typer):
            command = get_group_from_info(
                TyperInfo(target, name=name),
                pretty_exceptions_short=self.pretty_exceptions_short,
                rich_markup_mode=self.rich_markup_mode,
                suggest_commands=self.suggest_commands,
            )
        else:
            command = get_command_from_info(
                CommandInfo(name=name, callback=target),
                pretty_exceptions_short=self.pretty_exceptions_short,
                rich_markup_mode=self.rich_markup_mode,
            )
        _wire(command)
        self.commands[name] = command
        return command

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def shell_complete(self, ctx: _click.Context, incomplete: str) -> list[Any]:
        self._listing = True
        try:
            return super().shell_complete(ctx, incomplete)
        finally:
            self._listing = False


def _wire(command: _click.Command) -> None:
    """Install the market's wiring before each leaf command runs (unless it is offline)."""
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            _wire(sub)
        return
    callback = command.callback
    if callback is None or callback.__dict__.get("exchange_offline"):
        return

    @functools.wraps(callback)
    def wired(*args: Any, **kwargs: Any) -> Any:
        from exchange import wiring

        wiring.install()
        return callback(*args, **kwargs)

    command.callback = wired
