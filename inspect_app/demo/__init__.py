"""The Hai Duong demo: organisation and users, inspections at every stage, PAR rounds."""
