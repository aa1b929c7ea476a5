"""Escalation notices (三书一函): listed supervision, interview, rectification, reminder."""
