"""Generated demo data: invented people, clearly synthetic CPR-like numbers."""
