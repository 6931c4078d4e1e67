"""`python -m policylang` runs the command line."""

from policylang.cli import main

main()
