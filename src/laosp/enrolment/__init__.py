"""Enrolment of persons and households in schemes: the lifecycle, the service, the CLI."""
