# Settings for the Mayan EDMS test server the sync tests start (not for production):
# background tasks run in-process (no broker, no worker), the Django search backend.
from mayan.settings.production import *  # noqa: F401,F403

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
