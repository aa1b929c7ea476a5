"""The inspector's work queue: a read model over hazards, complaints, notices, plans and self-checks."""
