"""``python -m perpgame`` runs the same command line as ``perpgame``."""

from perpgame.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
