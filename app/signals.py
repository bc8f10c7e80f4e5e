"""Domain events one area sends and another reacts to (blinker), so areas stay decoupled.

Senders call `signal.send(sender_object, **data)` inside the request, before the commit.
"""

from blinker import Namespace

_events = Namespace()

# A course of action (handlevej) was opened; data: course (the CourseOfAction), user.
course_opened = _events.signal("course-opened")
# A screening needs action today (EPDS item 10 answered other than "never"); data: visit, user.
urgent_screening = _events.signal("urgent-screening")
# A joint wellbeing assessment was recorded; data: assessment, user.
assessment_recorded = _events.signal("assessment-recorded")
# A transition schema was handed over (consent given, awaiting acknowledgement); data: schema.
transition_handed_over = _events.signal("transition-handed-over")
