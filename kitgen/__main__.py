"""`python -m kitgen …` is `kitgen …`."""
from kitgen.cli.main import main

main()
