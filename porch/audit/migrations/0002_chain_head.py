"""The audit chain starts with its head row, so writers only ever lock it, never race to create it."""

from __future__ import annotations

from django.db import migrations

GENESIS = "0" * 64


def create_head(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("audit", "ChainHead").objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
