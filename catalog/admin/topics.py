"""The topic pages: each topic's display name ("Cloud & DevOps"), edited here; courses bring topics in."""

from django import forms
from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery

from catalog import services
from catalog.admin.common import ServiceAdmin
from catalog.models import Course, Topic, topic_name_problem


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name"]
        help_texts = {
            "name": "How learners see the topic on chips and pages. Any spelling of the same topic "
            "(capitals, spaces, punctuation): filters and addresses keep using its slug.",
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data.get("name", "").split())
        problem = topic_name_problem(self.instance.slug, name)
        if problem:
            raise forms.ValidationError(problem, code="invalid_topic_name")
        return name


@admin.register(Topic)
class TopicAdmin(ServiceAdmin, admin.ModelAdmin):
    form = TopicForm
    list_display = ["name", "slug", "course_count"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug"]
    fields = ["slug", "name"]

    def get_queryset(self, request):
        used = Course.objects.filter(topic=OuterRef("slug")).values("topic").annotate(n=Count("pk")).values("n")
        return super().get_queryset(request).annotate(courses=Subquery(used))

    @admin.display(description="courses (working copies)", ordering="courses")
    def course_count(self, topic):
        return topic.courses or 0

    def has_add_permission(self, request):
        return False  # a topic comes with the first course that names it

    def has_delete_permission(self, request, obj=None):
        return False  # courses name it; it goes out of the lists with its last course

    def service_save(self, request, obj, form, change):
        return services.topic_rename(topic=obj.slug, name=form.cleaned_data["name"])
