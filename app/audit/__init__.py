"""Access log (adgangslog): every read and change of a child's data."""
