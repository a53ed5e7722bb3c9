"""The `smalto` command."""
