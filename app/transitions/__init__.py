"""Overgange: the overgangsskema, the parents' consent and the handover to the receiving unit."""
