"""The project's URLs plus the example's, for the tests that use them
(settings.ROOT_URLCONF = this module)."""

from django.urls import include, path

from . import views

example = (
    [
        path("", views.NoteList.as_view(), name="list"),
        path("new/", views.note_create, name="create"),
        path("<int:pk>/", views.note_detail, name="detail"),
        path("<int:pk>/edit/", views.note_edit, name="edit"),
        path("<int:pk>/delete/", views.note_delete, name="delete"),
    ],
    "teams_example",
)

urlpatterns = [
    path("t/<slug:slug>/notes/", include(example)),
    path("", include("config.urls")),
]
