"""The /api/ router: each app registers its viewsets in its api.py."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
