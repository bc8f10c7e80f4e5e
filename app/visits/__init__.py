"""Sundhedspleje: the visit programme, visit records with measurements, growth, ADBB and EPDS."""
