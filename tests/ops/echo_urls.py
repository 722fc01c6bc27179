"""Test-only URLs: the site plus a JSON echo endpoint, so the API's body handling (413,
malformed JSON 400, 415) is exercised on this branch before real write endpoints exist."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as site_urlpatterns


class EchoView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):  # type: ignore[no-untyped-def]
        return Response({"received": request.data})


urlpatterns = [path("api/_test/echo/", EchoView.as_view(), name="test-echo"), *site_urlpatterns]
handler404 = "config.middleware.page_not_found"
