"""An app's views over a team's own data, as README.md describes them: every
lookup goes through Note.objects.for_team(request.team), and new rows get
request.team, never a team from the form."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from ...decorators import TeamRequiredMixin, team_required
from ...models import Role
from .models import Note


def _note(request, pk):
    return get_object_or_404(Note.objects.for_team(request.team), pk=pk)


class NoteList(TeamRequiredMixin, ListView):
    def get_queryset(self):
        return Note.objects.for_team(self.request.team)

    def render_to_response(self, context, **kwargs):
        return JsonResponse({"notes": [note.text for note in context["object_list"]]})


@team_required()
def note_detail(request, slug, pk):
    return HttpResponse(_note(request, pk).text)


@require_POST
@team_required()
def note_create(request, slug):
    note = Note.objects.create(team=request.team, text=request.POST["text"])
    return redirect("teams_example:detail", slug=slug, pk=note.pk)


@require_POST
@team_required()
def note_edit(request, slug, pk):
    note = _note(request, pk)
    note.text = request.POST["text"]
    note.save()
    return HttpResponse(note.text)


@require_POST
@team_required(Role.ADMIN)
def note_delete(request, slug, pk):
    _note(request, pk).delete()
    return HttpResponse("deleted")
