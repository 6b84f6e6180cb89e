"""Tables of the FHIR record store.

Only porch.record.repository (and the modules it delegates to inside this app) may import
these models: every read and write of the record passes an access context through the
repository (DESIGN.md decision 7). A test enforces that rule.

Layout, the way HAPI FHIR and Medplum do it:
- Resource holds the current version of each resource as JSON text;
- ResourceVersion holds every version, including the current one and deletions;
- Compartment says which patient compartments a resource belongs to;
- the *Index tables hold the searchable values extracted from the current version.
"""

from __future__ import annotations

from django.db import models


class Resource(models.Model):
    """The current version of one FHIR resource (or a tombstone once deleted)."""

    resource_type = models.CharField(max_length=64)
    fhir_id = models.CharField(max_length=64)
    version_id = models.PositiveIntegerField()
    last_updated = models.DateTimeField()
    deleted = models.BooleanField(default=False)
    # The resource as served, meta included; JSON text rather than a JSON column because
    # it is only ever read and written whole, and text is the fastest path on both engines.
    content = models.TextField()
    # sha256 of the content without meta: an import that brings the same resource again
    # is recognised and makes no new version.
    content_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource_type", "fhir_id"], name="resource_type_id_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["resource_type", "last_updated"], name="resource_type_updated")
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.fhir_id}/_history/{self.version_id}"


class ResourceVersion(models.Model):
    """One version in a resource's history; deletions are versions with no content."""

    class Method(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    resource_type = models.CharField(max_length=64)
    version_id = models.PositiveIntegerField()
    last_updated = models.DateTimeField()
    method = models.CharField(max_length=8, choices=Method.choices)
    content = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "version_id"], name="version_resource_vid_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["resource_type", "last_updated"], name="version_type_updated")
        ]


class Compartment(models.Model):
    """Membership of a resource in a patient's compartment (R4 CompartmentDefinition patient).

    Every access rule that scopes by patient is one indexed predicate on this table.
    """

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    patient_id = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["patient_id", "resource"], name="compartment_patient")]
        constraints = [
            models.UniqueConstraint(fields=["resource", "patient_id"], name="compartment_uniq")
        ]


class _IndexRow(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    resource_type = models.CharField(max_length=64)
    param = models.CharField(max_length=64)

    class Meta:
        abstract = True


class TokenIndex(_IndexRow):
    system = models.CharField(max_length=255, blank=True)
    code = models.CharField(max_length=255)

    class Meta:
        indexes = [
            models.Index(fields=["resource_type", "param", "code", "system"], name="token_lookup"),
            models.Index(fields=["resource"], name="token_resource"),
        ]


class StringIndex(_IndexRow):
    # Case- and accent-folded for the default prefix match and :contains.
    normalized = models.CharField(max_length=255)
    # As written, for :exact.
    exact = models.CharField(max_length=255)

    class Meta:
        indexes = [
            models.Index(fields=["resource_type", "param", "normalized"], name="string_lookup"),
            models.Index(fields=["resource"], name="string_resource"),
        ]


class DateIndex(_IndexRow):
    """A date value as the closed range [low, high] its precision implies, in UTC."""

    low = models.DateTimeField()
    high = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["resource_type", "param", "low"], name="date_low"),
            models.Index(fields=["resource_type", "param", "high"], name="date_high"),
            models.Index(fields=["resource", "param"], name="date_resource"),
        ]


class ReferenceIndex(_IndexRow):
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    # Absolute references to other servers keep their URL; local ones leave it blank.
    url = models.CharField(max_length=512, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["target_id", "resource_type", "param", "target_type"],
                name="reference_lookup",
            ),
            models.Index(fields=["resource", "param"], name="reference_resource"),
        ]


class QuantityIndex(_IndexRow):
    value = models.FloatField()
    system = models.CharField(max_length=255, blank=True)
    code = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["resource_type", "param", "value"], name="quantity_lookup"),
            models.Index(fields=["resource"], name="quantity_resource"),
        ]


class UriIndex(_IndexRow):
    value = models.CharField(max_length=512)

    class Meta:
        indexes = [
            models.Index(fields=["resource_type", "param", "value"], name="uri_lookup"),
            models.Index(fields=["resource"], name="uri_resource"),
        ]


class NumberIndex(_IndexRow):
    value = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["resource_type", "param", "value"], name="number_lookup"),
            models.Index(fields=["resource"], name="number_resource"),
        ]
