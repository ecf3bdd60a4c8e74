"""ventanilla: the intake desk of a software support service (email and chat to tickets)."""

__version__ = "0.1.0"
