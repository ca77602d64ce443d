"""The teams URLs, included at t/ in config/urls.py: /t/ lists the user's teams,
/t/<slug>/... are one team's pages, /t/invitations/<token>/ an invitation's link
(no team has the slug "invitations": models.RESERVED_SLUGS)."""

from django.urls import path

from . import views

app_name = "teams"

urlpatterns = [
    path("", views.team_list, name="list"),
    path("invitations/<str:token>/", views.accept, name="accept"),
    path("<slug:slug>/", views.team_home, name="home"),
    path("<slug:slug>/settings/", views.team_settings, name="settings"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/<int:pk>/role/", views.change_role, name="change_role"),
    path(
        "<slug:slug>/members/<int:pk>/remove/",
        views.remove_member,
        name="remove_member",
    ),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/invitations/", views.invitation_list, name="invitations"),
    path(
        "<slug:slug>/invitations/<int:pk>/resend/",
        views.resend_invitation,
        name="resend_invitation",
    ),
    path(
        "<slug:slug>/invitations/<int:pk>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
]
