"""Wellbeing assessments (trivselsvurderinger), rounds and the leader's overview."""
