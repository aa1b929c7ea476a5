"""Shared plumbing: no imports from domain packages."""
