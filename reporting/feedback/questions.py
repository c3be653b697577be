"""The questionnaires' fixed wording. Every scale runs 1 (worst) to 5 (best) in the
database and is shown best first; the report cards count 4 and 5 as the positive answers.
Families see only these words and the programme's name (never "Troubled Families")."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    field: str
    text: str
    # The labels for 5, 4, 3, 2, 1: shown in that order.
    labels: tuple[str, str, str, str, str]

    @property
    def choices(self) -> list[tuple[int, str]]:
        return list(zip(range(5, 0, -1), self.labels, strict=True))


# The answers the report cards count as positive (reporting.md §1 "How well?").
POSITIVE = (4, 5)

FAMILY_QUESTIONS = (
    Question(
        "satisfaction",
        "How satisfied are you with the help you got?",
        (
            "Very satisfied",
            "Satisfied",
            "Neither satisfied nor dissatisfied",
            "Dissatisfied",
            "Very dissatisfied",
        ),
    ),
    Question(
        "plan_useful",
        "How useful was the family plan process?",
        ("Very useful", "Useful", "Not sure", "Not very useful", "Not useful at all"),
    ),
    Question(
        "things_changed",
        "How much have things changed for your family?",
        ("A lot", "Quite a lot", "Some", "A little", "Not at all"),
    ),
    Question(
        "key_worker_helpful",
        "How helpful was your key worker?",
        ("Very helpful", "Helpful", "Not sure", "Not very helpful", "Not helpful at all"),
    ),
)
FAMILY_FREE_TEXT = "What made the biggest difference?"
FAMILY_FREE_TEXT_HINT = "You can leave this blank."

_AGREE = ("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree")

KEY_PLAYER_QUESTIONS = (
    Question("process_helps", "The process helps me support families.", _AGREE),
    Question(
        "agencies_work_together",
        "Agencies work well together around the families I know.",
        _AGREE,
    ),
    Question("panel_decisions", "Panel decisions are clear and made in good time.", _AGREE),
    Question("support", "I get the support and supervision I need for this work.", _AGREE),
)
KEY_PLAYER_FREE_TEXT = "What would make the biggest difference to how we work with families?"
# The key-player measure on the report cards: agreeing that the process helps.
KEY_PLAYER_HEADLINE = "process_helps"
