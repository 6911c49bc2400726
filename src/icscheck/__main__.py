"""``python -m icscheck``: the command line."""

from .cli import main

main()
