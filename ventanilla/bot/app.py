"""The composition root: builds every long-lived object from the settings, in one place."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from jinja2 import Environment
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.clock import Clock, SystemClock
from ventanilla.bot.hours import BusinessHours
from ventanilla.bot.pipeline import Context
from ventanilla.bot.replies import make_environment
from ventanilla.bot.settings import Settings
from ventanilla.store.crypto import SecretBox, load_secret_box
from ventanilla.store.db import make_engine, make_session_factory
from ventanilla.store.write_gate import WriteGate

if TYPE_CHECKING:
    from ventanilla.classifier.analyse import Analysis, MessageText


@dataclass
class App:
    """Everything built from the settings; heavy parts (the classifier model) only on first use."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.store_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)

    @cached_property
    def gate(self) -> WriteGate:
        """In-process writer queue, needed on SQLite only (one writer; the intake goes first)."""
        return WriteGate(enabled=self.engine.dialect.name == "sqlite")

    @cached_property
    def box(self) -> SecretBox:
        return load_secret_box(self.settings)

    @cached_property
    def templates(self) -> Environment:
        return make_environment(self.settings.tz, self.settings.hours)

    @cached_property
    def hours(self) -> BusinessHours:
        return BusinessHours.from_settings(self.settings.hours, self.settings.tz)

    @cached_property
    def classify(self) -> Callable[[MessageText, dict[str, Any]], Analysis]:
        from ventanilla.classifier.analyse import analyse
        from ventanilla.classifier.pipeline import load_pipeline

        nlp = load_pipeline(self.settings.classifier.model or None)
        required, threshold = self.settings.required, self.settings.classifier.threshold

        def classify(text: MessageText, known: dict[str, Any]) -> Analysis:
            return analyse(text, known, required, threshold, nlp)

        return classify

    def context(self, session: Session) -> Context:
        return Context(
            session=session,
            settings=self.settings,
            clock=self.clock,
            box=self.box,
            templates=self.templates,
            hours=self.hours,
            classify=self.classify,
        )


def configure_logging(settings: Settings) -> None:
    """One line per record on stderr (and to service.log_file when set); never a body or secret."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if settings.service.log_file:
        handlers.append(logging.FileHandler(settings.service.log_file, encoding="utf-8"))
    logging.basicConfig(
        level=settings.service.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        handlers=handlers,
        force=True,
    )
