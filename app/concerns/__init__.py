"""Bekymring og handleveje: courses of action, sparring, meetings (dialogmodel), underretning."""
