"""@PROJECT_NAME@: the project's own Django apps."""
