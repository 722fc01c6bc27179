from celery.schedules import crontab

BEAT_SCHEDULE = {
    "quality-leaderboards-weekly": {
        "task": "quality.tasks.leaderboards_sync_all_task",
        "schedule": crontab(minute=30, hour=4, day_of_week="mon"),
    },
}
