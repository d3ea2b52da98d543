"""`python -m exchange.cli`: the same as the `exchange` command."""

from exchange.cli import main

if __name__ == "__main__":
    main()
