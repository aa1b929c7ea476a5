"""Scheduled jobs (a database lease per job) and the reminders they produce."""
