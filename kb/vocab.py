"""Controlled vocabularies, defined once. Each value carries the help text that `--help` and the
site glossary reuse."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Vocab(StrEnum):
    """A `str` enum whose members carry a one-line help text."""

    help: str

    def __new__(cls, value: str, help: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.help = help
        return member

    @classmethod
    def described(cls) -> str:
        return "; ".join(f"{m.value}: {m.help}" for m in cls)

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]


class Missing(Vocab):
    """Why a value is absent: typed, so 'not applicable' is never confused with 'not reported'."""

    NOT_REPORTED = "not-reported", "the source does not say, though the field applies"
    NOT_APPLICABLE = "n-a", "the field does not apply to this record"
    UNKNOWN = "unknown", "the source says something, but it cannot be pinned down"


class Kind(Vocab):
    EMPIRICAL = "empirical-finding", "a result of an experiment, measurement or observation of a system"
    ARGUMENT = "theoretical-argument", "reasoning or theory, not itself an observation"
    TESTIMONY = "testimony", "a person's report of their own view, experience or of others' work"
    ANECDOTE = "anecdote", "a single informal observation or story, not a study"
    METHOD = "methodological-point", "a point about how to study the question; carries no direction"
    DEFINITION = "definition", "what a term means in the documents; carries no direction"
    POSITION = "normative-position", "a view about what ought to be done; carries no direction"


class Stream(Vocab):
    INTROSPECTION = "introspection", "whether models can access and report their own internal states"
    EMOTIONS = "functional-emotions", "emotion-like representations and their causal role"
    RL_VALENCE = "rl-valence", "valence as a signature of reinforcement learning"
    SELF_REPORTS = "self-reports", "what models say about their own experience, and why"
    WELFARE = "welfare", "model welfare assessments and interventions"
    PREFERENCES = "preferences", "preferences and behaviour that follow from self-beliefs"
    METHODOLOGY = "methodology", "how the field does and should do its research"
    DEFINITIONS = "definitions", "what the key terms mean"


class Bearing(Vocab):
    SUPPORTS = "supports", "the finding raises the credence in the hypothesis"
    UNDERMINES = "undermines", "the finding lowers the credence in the hypothesis"
    MIXED = "mixed", "the finding points both ways; widens uncertainty, does not move the centre"
    NEUTRAL = "neutral", "relevant to the hypothesis but carries no direction"


class Strength(Vocab):
    WEAK = "weak", "likelihood ratio about 1.5"
    MODERATE = "moderate", "likelihood ratio about 3"
    STRONG = "strong", "likelihood ratio about 8"
    OVERWHELMING = "overwhelming", "likelihood ratio about 50"


class Controlled(Vocab):
    YES = "yes", "the study controls the confound"
    PARTIAL = "partial", "the study controls the confound in part"
    NO = "no", "the study does not control the confound"
    NOT_REPORTED = "not-reported", "the source does not say whether it was controlled"
    UNKNOWN = "unknown", "the source mentions it but one cannot tell how well it was controlled"
    NOT_APPLICABLE = "n-a", "the confound cannot arise for this finding"


class Tier(Vocab):
    PRIMARY = "primary", "a published, peer-reviewed paper or official report, read first-hand"
    PREPRINT = "preprint", "a preprint or technical report, read first-hand"
    SECOND_HAND = "second-hand-report", "someone describing a work they did not write"
    UNPUBLISHED = "unpublished", "work described but not (yet) public"
    ANECDOTE = "anecdote", "an informal observation or private conversation"


class Status(Vocab):
    DRAFT = "draft", "entered, not yet reviewed"
    IN_REVIEW = "in-review", "a reviewer has started auditing it"
    APPROVED = "approved", "a reviewer approved it"
    SUPERSEDED = "superseded", "replaced by a successor claim; not counted"
    RETRACTED = "retracted", "withdrawn, with a reason; not counted"


class SourceType(Vocab):
    PAPER = "paper", "a published paper"
    PREPRINT = "preprint", "a preprint (arXiv or similar)"
    MODEL_CARD = "model-card", "a model or system card from a developer"
    REPORT = "report", "a technical or welfare report, blog-style research write-up"
    PODCAST = "podcast", "a podcast episode or its transcript"
    THREAD = "thread", "a social-media thread"
    BLOG = "blog", "a blog post"
    WEB_PAGE = "web-page", "an index or summary page"
    SUMMARY = "summary", "summaries of unstated origin"
    DOCUMENT = "document", "a governing document such as a constitution or policy"
    UNPUBLISHED = "unpublished", "work not (yet) public"
    CONVERSATION = "conversation", "a private or informal conversation"


class Design(Vocab):
    STEERING = "activation-steering", "adding or suppressing internal features or vectors"
    PROBING = "representation-probing", "reading internal representations without intervening"
    FINE_TUNING = "fine-tuning-intervention", "training a model differently and comparing"
    TRAINING_COMPARISON = "training-stage-comparison", "comparing checkpoints or training stages"
    BEHAVIOURAL = "behavioural-evaluation", "prompts and tasks scored on behaviour"
    SELF_REPORT = "self-report-elicitation", "asking the model about itself"
    SIMULATION = "rl-simulation", "reinforcement-learning agents or networks studied in silico"
    ANIMAL = "animal-neuroscience", "recordings or experiments in animals"
    CONCEPTUAL = "conceptual-analysis", "argument, theory or definition"
    OBSERVATION = "informal-observation", "an informal observation or conversation"
    REVIEW = "review-or-report", "a report or synthesis of other work"
    NOT_REPORTED = "not-reported", "the source does not say how"


class Severity(Vocab):
    LOW = "low", "rarely changes the conclusion"
    MODERATE = "moderate", "can change the size of the effect"
    HIGH = "high", "can by itself produce the finding"


class Answer(Vocab):
    """Signalling-question answers, as in Cochrane RoB 2."""

    YES = "Y", "yes"
    PROBABLY_YES = "PY", "probably yes"
    PROBABLY_NO = "PN", "probably no"
    NO = "N", "no"
    NO_INFORMATION = "NI", "no information"


class Verdict(Vocab):
    APPROVE = "approve", "the claim is faithful and its confounds are right"
    REQUEST_CHANGES = "request-changes", "the claim needs changes before approval"
    REJECT = "reject", "the claim should not be in the portfolio"


class Extraction(Vocab):
    MANUAL = "manual", "written by a person from the source"
    MACHINE_ASSISTED = "machine-assisted", "drafted with machine help; starts as a draft"


class Grade(Vocab):
    HIGH = "high", "further evidence is unlikely to change the direction"
    MODERATE = "moderate", "further evidence may change the size, likely not the direction"
    LOW = "low", "further evidence is likely to change the picture"
    VERY_LOW = "very-low", "the portfolio says little with confidence"


ALL_VOCABULARIES: tuple[type[Vocab], ...] = (
    Missing,
    Kind,
    Stream,
    Bearing,
    Strength,
    Controlled,
    Tier,
    Status,
    SourceType,
    Design,
    Severity,
    Answer,
    Verdict,
    Extraction,
    Grade,
)

DIRECTIONLESS_KINDS = frozenset({Kind.METHOD, Kind.DEFINITION, Kind.POSITION})
