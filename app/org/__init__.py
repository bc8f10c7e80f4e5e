"""The organisation: municipality (kommune), areas and units."""
