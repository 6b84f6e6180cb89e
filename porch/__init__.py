"""Porch: an open-source patient portal on a FHIR R4 record."""
