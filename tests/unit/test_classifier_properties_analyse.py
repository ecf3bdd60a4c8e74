"""Property tests: any text (empty, huge, binary-ish, emoji, quoted) gives a valid analysis and
analyse() never raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.bot.model import FIELDS, Channel, Label
from ventanilla.bot.settings import RequiredSettings
from ventanilla.classifier.analyse import Analysis, MessageText, analyse
from ventanilla.classifier.pipeline import load_pipeline

POLICY = RequiredSettings()
ALLOWED_MISSING = set(FIELDS) | {"description"}

binaryish = st.binary(max_size=400).map(lambda b: b.decode("latin-1"))
emoji = st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), max_size=50)
any_text = st.one_of(st.text(max_size=500), binaryish, emoji, st.just(""))
spanishish = st.lists(
    st.sampled_from(
        ["licencia", "error", "póliza", "CONAC", "gracias", "Tel.", "33 1234 5678", "ID", "123 456 789",
         "contraseña:", "\n", ">", "-----Mensaje original-----", "RV:", "reenvío", "@", "versión 2025",
         "módulo", "Jal.", "Lic.", "respaldo", "base de datos", "\x00", "\ud800", "🙏"]
    ),
    max_size=60,
).map(" ".join)  # fmt: skip


def _valid(result: Analysis, threshold: float) -> None:
    assert result.label in set(Label)
    assert 0.0 <= result.confidence <= 1.0
    assert result.needs_triage == (result.confidence < threshold)
    assert set(result.scores) == {str(label) for label in Label}
    assert abs(sum(result.scores.values()) - 1.0) < 1e-3
    assert all(isinstance(v, str) for v in result.fields.values())
    assert set(result.missing) <= ALLOWED_MISSING


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    channel=st.sampled_from(list(Channel)),
    subject=any_text,
    text=st.one_of(any_text, spanishish),
    quoted=st.one_of(any_text, spanishish),
    sender=st.one_of(st.just(""), st.emails(), st.text(max_size=20)),
    threshold=st.floats(0.0, 1.0),
)
def test_any_text_gives_a_valid_analysis(
    channel: Channel, subject: str, text: str, quoted: str, sender: str, threshold: float
) -> None:
    message = MessageText(channel, subject, text, quoted, sender)
    _valid(analyse(message, {}, POLICY, threshold, nlp=load_pipeline()), threshold)


def test_a_huge_text_is_cut_not_refused() -> None:
    huge = ("Error al timbrar la nómina en el módulo de Nómina. " * 30_000) + "🙏"
    assert len(huge) > 1_000_000
    message = MessageText(Channel.EMAIL, "x" * 2_000_000, huge, huge, "a@b.mx")
    _valid(analyse(message, {}, POLICY, 0.6), 0.6)
