from django.urls import path

from .views import HomeView, favicon

app_name = "core"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("favicon.ico", favicon, name="favicon"),
]
