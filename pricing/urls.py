from django.urls import path

from pricing import gpu_views, subscription_web, views
from pricing.watch import ModelPriceChangesFeed, PriceChangesFeed, ProviderPriceChangesFeed

app_name = "pricing"

urlpatterns = [
    path("providers/", views.provider_list, name="provider-list"),
    # Feed provider slugs can carry dots ("wafer.ai"): any path segment.
    path("providers/<str:slug>/", views.provider_detail, name="provider-detail"),
    path("accelerators/", views.accelerator_list, name="accelerator-list"),
    path("accelerators/<slug:slug>/", gpu_views.accelerator_detail, name="accelerator-detail"),
    path("insights/", views.insights, name="insights"),
    # issue 21: seat plans and price watches (Atom)
    path("subscriptions/", subscription_web.subscription_list_page, name="subscription-list"),
    path("prices/feed.atom", PriceChangesFeed(), name="price-feed-all"),
    path(
        "prices/models/<path:repo_id>/feed.atom",
        ModelPriceChangesFeed(),
        name="price-feed-model",
    ),
    path(
        "prices/providers/<str:slug>/feed.atom",
        ProviderPriceChangesFeed(),
        name="price-feed-provider",
    ),
]
