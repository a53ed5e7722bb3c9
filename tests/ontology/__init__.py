"""Tests of smalto.ontology."""
