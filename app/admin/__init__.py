"""Administration: units, staff (with invitation links) and enrolments."""
