"""The three positions of the traffic light. Shared by assessments, concerns, visits and reminders.

"We have no red children, only children in a red position": a professional judgement of the child
in a context. Labels and help texts are configurable per municipality (see the assessment config);
the values below are the stable codes stored in the database.
"""

from enum import StrEnum


class Position(StrEnum):
    GROEN = "groen"
    GUL = "gul"
    ROED = "roed"

    @property
    def rank(self) -> int:
        return {"groen": 0, "gul": 1, "roed": 2}[self.value]

    @property
    def needs_course_of_action(self) -> bool:
        return self is not Position.GROEN


DEFAULT_LABELS = {Position.GROEN: "Grøn", Position.GUL: "Gul", Position.ROED: "Rød"}
