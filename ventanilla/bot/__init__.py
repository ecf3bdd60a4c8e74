"""Composition root, settings, the message model, the worker pipeline and the CLI."""
