"""What each step's check looks for, one module per part of the journey.

The public entry point is :func:`mentor_workshop.core.checks.check`; the registry in
:mod:`mentor_workshop.core.steps` says which function below checks which step.
"""
