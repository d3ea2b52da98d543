"""The `exchange` command: serve, demo, migrate, participants, and each domain's commands.

Every command's module is imported only when that command runs (or prints its own help):
`exchange --help` lists them from the help lines below (`exchange.cli.lazy`).
"""

from __future__ import annotations

import typer

from exchange.cli.lazy import Lazy, LazyGroup


class _Root(LazyGroup):
    lazy = (
        Lazy(
            "simulate",
            "exchange.simulation.cli",
            "simulate",
            "Run a market simulation (市场仿真) and write CSV, JSON, PNG charts and an HTML "
            "report.",
        ),
        Lazy(
            "migrate",
            "exchange.cli.market",
            "migrate",
            "Upgrade the database (EXCHANGE_DATABASE_URL) to the latest schema.",
        ),
        Lazy("serve", "exchange.cli.market", "serve", "Migrate the database, then serve the API."),
        Lazy(
            "demo",
            "exchange.cli.market",
            "demo",
            "Migrate, seed the demo market, print its keys and a walkthrough, then serve.",
        ),
        Lazy("participants", "exchange.cli.market", "participants_app", "Participants (参与者)."),
        Lazy("catalog", "exchange.cli.catalog", "app", "Public-data catalog (公共数据资源目录)."),
        Lazy(
            "assets",
            "exchange.cli.assets",
            "app",
            "Data assets (数据资产): registration pilots and certificates (数据资产凭证).",
        ),
        Lazy(
            "audit",
            "exchange.cli.audit",
            "app",
            "The audit log (审计日志): offline verification, export, signing keys.",
        ),
        Lazy(
            "trading",
            "exchange.cli.trading",
            "app",
            "Trading (数据交易): the Guangzhou and Shenzhen exchanges and their market data.",
        ),
        Lazy(
            "clock",
            "exchange.cli.clock",
            "app",
            "Market time (沙盒时钟): show it, move it forward, do what fell due.",
        ),
    )


app = typer.Typer(
    help="Guangdong data-element market sandbox (广东数据要素市场沙盒).",
    no_args_is_help=True,
    cls=_Root,
)


@app.callback()
def _market() -> None:
    """The root group itself does nothing: its commands do (each installs the wiring)."""


def main() -> None:
    """Entry point of the `exchange` command."""
    app()
