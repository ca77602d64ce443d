from django import forms

from .models import Invitation, Membership, Role, Team


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name"]


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class InvitationForm(forms.Form):
    """Invites an address to the team. Owners are made from members once they
    have joined, by an owner, never by an invitation."""

    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(
        choices=[(Role.MEMBER, Role.MEMBER.label), (Role.ADMIN, Role.ADMIN.label)],
        initial=Role.MEMBER,
    )

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        members = Membership.objects.filter(team=self.team)
        if members.filter(user__email__iexact=email).exists():
            raise forms.ValidationError(f"{email} is already a member of the team.")
        pending = Invitation.objects.pending().filter(team=self.team)
        if pending.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                f"{email} has been invited already: resend that invitation "
                "from the list below."
            )
        return email
