from django import template

from ..models import Membership

register = template.Library()


@register.simple_tag
def teams_of(user):
    """The memberships of `user`, by team name: {% teams_of user as memberships %}."""
    return (
        Membership.objects.filter(user=user)
        .select_related("team")
        .order_by("team__name")
    )
