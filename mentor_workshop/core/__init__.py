"""The kit's core: journal, content, checks, feedback. Imports neither wing above it."""
