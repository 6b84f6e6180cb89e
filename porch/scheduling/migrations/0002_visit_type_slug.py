from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.utils.text import slugify


def fill_slugs(apps: Any, schema_editor: Any) -> None:
    """Existing visit types get a slug from their name (numbered if two names collide)."""
    VisitType = apps.get_model("scheduling", "VisitType")
    taken: set[str] = set()
    for row in VisitType.objects.order_by("pk"):
        base = slugify(row.name)[:36] or "visit"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        row.slug = slug
        row.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_visit_types_slots_and_bookings")]

    operations = [
        # No index yet: the unique slug below makes its own (an index here as well made
        # PostgreSQL's AlterField create the "_like" index twice).
        migrations.AddField(
            model_name="visittype",
            name="slug",
            field=models.SlugField(max_length=40, null=True, db_index=False),
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="visittype",
            name="slug",
            field=models.SlugField(max_length=40, unique=True),
        ),
    ]
