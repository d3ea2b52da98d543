"""`python -m exchange.cli`: the same as the `exchange` command."""

from exchange.cli import main

main()
