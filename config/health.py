"""/health/: is each service this deployment depends on answering? JSON, 503 when not."""

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery_app import app as celery_app

OK, DOWN, NOT_USED = "ok", "down", "not configured"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return OK
    except Exception:
        return DOWN


def check_redis() -> str:
    if not settings.REDIS_URL:
        return NOT_USED
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
        return OK
    except redis.RedisError:
        return DOWN


def check_worker() -> str:
    if celery_app.conf.task_always_eager:
        return "in-process"
    try:
        replies = celery_app.control.ping(timeout=settings.HEALTH_WORKER_PING_TIMEOUT)
    except Exception:
        return DOWN
    return OK if replies else DOWN


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {"database": check_database(), "redis": check_redis()}
    # Without a broker there is no point asking for workers.
    checks["worker"] = DOWN if checks["redis"] == DOWN else check_worker()
    healthy = all(value != DOWN for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )
