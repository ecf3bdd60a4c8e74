"""The missing-fields policy: which required fields a request still lacks, given its label, what
was extracted, what is already known of the contact/ticket, the sender's address and the cues."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ventanilla.bot.model import DESCRIPTION, Label
from ventanilla.bot.settings import RequiredSettings

if TYPE_CHECKING:
    from ventanilla.classifier.cues import Cues


def required_fields(label: str, cues: Cues, required: RequiredSettings) -> tuple[str, ...]:
    """The policy lists that apply to `label`, in order, without duplicates."""
    if label == Label.OTHER:
        return ()
    lists: list[tuple[str, ...]] = [required.all]
    if label in (Label.ADMINISTRATIVE, Label.TECHNICAL, Label.NORMATIVE):
        lists.append(getattr(required, str(label)))
    if label == Label.ADMINISTRATIVE and cues.activation:
        lists.append(required.administrative_activation)
    if label == Label.TECHNICAL and cues.database:
        lists.append(required.technical_database)
    return tuple(dict.fromkeys(name for names in lists for name in names))


def missing_fields(
    label: str,
    fields: Mapping[str, str],
    known: Mapping[str, str],
    sender_email: str | None,
    cues: Cues,
    required: RequiredSettings,
) -> tuple[str, ...]:
    """Required fields that are neither extracted nor known, in the order of the policy lists."""

    def present(name: str) -> bool:
        if name == DESCRIPTION:
            return cues.has_description
        if fields.get(name) or known.get(name):
            return True
        return name == "email" and bool(sender_email)

    return tuple(name for name in required_fields(label, cues, required) if not present(name))
