"""The training corpus generator: hand-written request cores rendered by a seeded generator into
realistic email and chat messages with gold labels and fields (see classifier/data/README.md)."""
