"""Children, their guardians, enrolments in units and health visitors' caseloads."""
