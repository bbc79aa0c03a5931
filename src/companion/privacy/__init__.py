"""Promises made to participants: withdrawal erases them, and nothing leaves the machine."""
