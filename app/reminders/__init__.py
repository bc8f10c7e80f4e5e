"""Påmindelser: reminders by Web Push and the in-app list of notifications (notifikationer).

Rules (`rules.py`) decide what is due for whom; `sweep.py` records each reminder once (a unique
constraint, not an in-memory flag) and `push.py` delivers it with VAPID to the user's devices.
A push payload never holds a child's name, CPR number or health data: only kind, count, unit name
and a link into the app.
"""
