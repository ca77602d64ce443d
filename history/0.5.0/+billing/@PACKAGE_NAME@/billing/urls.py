"""The billing URLs, included at billing/ in config/urls.py: the public pricing
page, Stripe's webhook, and the payer's pages (payers.py).
@IF(teams)@Each team's are under t/<slug>/.
"""

from django.urls import path

from . import views, webhooks

app_name = "billing"

@IF(!teams)@PAYER = ""
@IF(teams)@PAYER = "t/<slug:slug>/"

urlpatterns = [
    path("pricing/", views.pricing, name="pricing"),
    path("webhook/", webhooks.stripe_webhook, name="webhook"),
    path(PAYER, views.home, name="home"),
    path(f"{PAYER}checkout/<str:price_id>/", views.checkout, name="checkout"),
    path(f"{PAYER}portal/", views.portal, name="portal"),
    path(f"{PAYER}subscribed/", views.subscribed, name="subscribed"),
]
