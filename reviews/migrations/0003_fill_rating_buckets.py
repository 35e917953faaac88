"""Fill the rating counters from the reviews that exist (the same recount as recompute_ratings)."""

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations


def fill(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    RatingBucket = apps.get_model("reviews", "RatingBucket")
    tz = ZoneInfo(settings.TIME_ZONE)
    counts = defaultdict(lambda: [0, 0])
    rows = Review.objects.values_list(
        "brand_id", "place_id", "channel", "rating", "status", "submitted_at", "published_at"
    )
    for brand_id, place_id, channel, rating, status, submitted_at, published_at in rows.iterator():
        key = (brand_id, place_id, channel, rating)
        counts[(*key, submitted_at.astimezone(tz).date().replace(day=1))][1] += 1
        if status == "published" and published_at is not None:
            counts[(*key, published_at.astimezone(tz).date().replace(day=1))][0] += 1
    RatingBucket.objects.bulk_create(
        RatingBucket(
            brand_id=brand_id,
            place_id=place_id,
            channel=channel,
            rating=rating,
            month=month,
            published=published,
            received=received,
        )
        for (brand_id, place_id, channel, rating, month), (published, received) in counts.items()
    )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_rating_buckets")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
