"""``python -m crosswire``: the same command line as ``crosswire``."""
from crosswire.cli import main

if __name__ == "__main__":
    main(prog_name="crosswire")
