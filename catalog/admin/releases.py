"""The course page's release workflow: publish (changes), unpublish, archive and restore, discard, revert,
preview links, the schedule, and a readable comparison of any two versions; each through a service."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from catalog import selectors, services
from catalog.admin.forms import ScheduleForm, parse_opened_at
from catalog.admin.versions import VersionError, comparison, live_number, version_choices
from catalog.admin.wording import consequences, publish_label, schedule_log, schedule_summary, time_zones, when
from catalog.domain import documents, workflow
from catalog.domain.zones import ZONE_COOKIE, ZONE_COOKIE_AGE, zone_named
from catalog.errors import CatalogError, CatalogValidationError
from catalog.models import Course
from catalog.selectors import previews

# Moves that may change what learners see at once: the button opens a confirmation page first when
# selectors.move_needs_confirmation says so (always for unpublish and archive), a page that says what
# will happen. It works without JavaScript: a link, then a form.
CONFIRMED_MOVES = {"publish", "unpublish", "archive"}
CONFIRM_BUTTONS = {"publish": "Yes, publish now", "unpublish": "Yes, unpublish it", "archive": "Yes, archive it"}


class CourseReleasesMixin:
    """Mixed into CourseAdmin: the views behind the course page's workflow buttons and release history."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/transition/<slug:action>/",
                view(self.transition_view),
                name="catalog_course_transition",
            ),
            path("<path:object_id>/discard/", view(self.discard_view), name="catalog_course_discard"),
            path("<path:object_id>/revert/<int:number>/", view(self.revert_view), name="catalog_course_revert"),
            path("<path:object_id>/preview-link/", view(self.preview_view), name="catalog_course_preview"),
            path(
                "<path:object_id>/preview-links/revoke/",
                view(self.preview_revoke_view),
                name="catalog_course_preview_revoke",
            ),
            path("<path:object_id>/schedule/", view(self.schedule_view), name="catalog_course_schedule"),
            path("<path:object_id>/compare/", view(self.compare_view), name="catalog_course_compare"),
            *super().get_urls(),
        ]

    # --- helpers

    def course_or_404(self, request, object_id, *, change=True) -> Course:
        course = self.get_object(request, unquote(object_id))
        if course is None:
            raise Http404("No such course.")
        allowed = (
            self.has_change_permission(request, course)
            if change
            else self.has_view_or_change_permission(request, course)
        )
        if not allowed:
            raise PermissionDenied
        return course

    def back_to(self, course) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:catalog_course_change", args=[course.pk]))

    def page(self, request, course, template, title, **context):
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "title": title,
                "subtitle": None,
                "opts": self.opts,
                "original": course,
                "course": course,
                "change_url": reverse("admin:catalog_course_change", args=[course.pk]),
                **context,
            },
        )

    def confirm(
        self, request, course, *, title, question, button, action_url, changes=None, danger=True, consequences=()
    ):
        return self.page(
            request,
            course,
            "admin/catalog/course/confirm.html",
            title,
            question=question,
            button=button,
            action_url=action_url,
            changes=changes,
            danger=danger,
            consequences=consequences,
            opened_at=course.updated_at.isoformat(),
        )

    def guard_from(self, request):
        """The confirmation page's opening time: refuse if the course changed after it was shown."""
        if "opened_at" not in request.POST:
            return None
        return services.unchanged_since(parse_opened_at(request.POST.get("opened_at")))

    def run(self, request, call, success):
        """Call a service; its refusal becomes an error message, its result a success message."""
        try:
            result = call()
        except CatalogError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return None
        self.message_user(request, success(result), level=messages.SUCCESS)
        return result

    # --- the workflow

    def transition_view(self, request, object_id, action):
        """POST: one workflow move (the buttons are forms with a CSRF token). GET: the confirmation page
        of a move that may change what learners see at once (publish, unpublish, archive), saying what
        will happen; other moves do not answer GET."""
        course = self.course_or_404(request, object_id)
        if request.method == "GET" and action in CONFIRMED_MOVES:
            label = publish_label(course) if action == "publish" else workflow.LABELS[action]
            return self.confirm(
                request,
                course,
                title=f"{label} '{course.title}'?",
                question="This is what happens at once when you confirm:",
                consequences=consequences(request, selectors.learners_view(course=course), action),
                button=CONFIRM_BUTTONS[action],
                action_url=request.path,
                danger=action != "publish",
            )
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        live_before = live_number(course)

        def success(moved):
            if action == "publish":
                live = live_number(moved)
                if live == live_before:
                    return f"Nothing new to publish: '{moved.title}' already shows release {live} to learners."
                return f"'{moved.title}' is now published: release {live} is live."
            return f"'{moved.title}' is now {moved.get_status_display().lower()}."

        self.run(
            request,
            lambda: services.course_transition(
                course=course, action=action, by=request.user, precondition=self.guard_from(request)
            ),
            success,
        )
        return self.back_to(course)

    def discard_view(self, request, object_id):
        """GET: what would be thrown away, and a confirmation button. POST: discard."""
        course = self.course_or_404(request, object_id)
        return self.confirmed_change(
            request,
            course,
            versions=("live", "draft"),
            refused="Nothing to discard: {}",
            title=f"Discard the unpublished changes of '{course.title}'?",
            question="The working copy becomes the live release again. These changes are thrown away:",
            button="Yes, discard these changes",
            call=lambda: services.course_discard(course=course, by=request.user, precondition=self.guard_from(request)),
            success=lambda c: (
                f"Discarded the unpublished changes of '{c.title}': the working copy is the live release again."
            ),
        )

    def revert_view(self, request, object_id, number):
        """GET: the changes reverting to release `number` makes to the working copy. POST: revert."""
        course = self.course_or_404(request, object_id)
        return self.confirmed_change(
            request,
            course,
            versions=("draft", str(number)),
            refused="{}",
            title=f"Revert '{course.title}' to release {number}?",
            question=(
                f"The working copy becomes release {number}. Learners see nothing of it until you publish; "
                "the current working copy's unpublished changes are lost. It changes like this:"
            ),
            button=f"Yes, revert to release {number}",
            call=lambda: services.course_revert(
                course=course, number=number, by=request.user, precondition=self.guard_from(request)
            ),
            success=lambda c: f"The working copy of '{c.title}' is now release {number}. Publish it to make it live.",
        )

    def confirmed_change(self, request, course, *, versions, refused, title, question, button, call, success):
        """GET: the changes between `versions` and a confirmation button (or `refused`, with the reason,
        when there is nothing to compare). POST: `call` the service. Anything else: 405."""
        if request.method == "GET":
            try:
                changes = comparison(course, *versions)
            except VersionError as exc:
                self.message_user(request, refused.format(exc), level=messages.ERROR)
                return self.back_to(course)
            return self.confirm(
                request, course, title=title, question=question, button=button, action_url=request.path, changes=changes
            )
        if request.method != "POST":
            return HttpResponseNotAllowed(["GET", "POST"])
        self.run(request, call, success)
        return self.back_to(course)

    # --- preview and schedule

    def preview_view(self, request, object_id):
        """POST: a new preview link; as JSON for the page's script, else in a message (works without JS)."""
        course = self.course_or_404(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        token, expires_at = previews.token_for(course)
        url = request.build_absolute_uri(reverse("catalog:preview", args=[token]))
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"url": url, "expires_at": documents.timestamp(expires_at)})
        self.message_user(
            request,
            format_html(
                "Preview link of the working copy, for anyone who has it until {} ({} from now; no login "
                'needed, until you revoke the preview links): <a class="catalog-preview-link" href="{}">{}</a>',
                when(expires_at),
                previews.lifetime(),
                url,
                url,
            ),
            level=messages.SUCCESS,
        )
        return self.back_to(course)

    def preview_revoke_view(self, request, object_id):
        """POST: every preview link of the course made so far stops working."""
        course = self.course_or_404(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self.run(
            request,
            lambda: services.course_previews_revoke(course=course, by=request.user),
            lambda _course: (
                "Every preview link of this course made so far is revoked: they show nothing any "
                "more. New links work as usual."
            ),
        )
        return self.back_to(course)

    def schedule_view(self, request, object_id):
        """GET: the schedule form, in the editor's zone. POST: set or cancel (a cleared time cancels that
        switch); each change is recorded in the admin history. The zone posted is remembered (cookie)."""
        course = self.course_or_404(request, object_id)
        zone = timezone.get_current_timezone_name()
        posted = zone_named(request.POST.get("time_zone")) if request.method == "POST" else None
        if posted is not None:
            zone = posted.key
            timezone.activate(posted)  # the times are read in the zone they were typed in
        form = ScheduleForm(request.POST or None, course=course, zones=time_zones(zone), zone=zone)
        if request.method == "POST":
            response = self.schedule_post(request, course, form)
        elif request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        else:
            response = self.schedule_page(request, course, form)
        if posted is not None:
            response.set_cookie(ZONE_COOKIE, zone, max_age=ZONE_COOKIE_AGE, samesite="Lax", path="/admin/")
        return response

    def schedule_post(self, request, course, form):
        if "cancel_all" in request.POST:
            before = (course.publish_at, course.unpublish_at)
            done = self.run(
                request,
                lambda: services.course_schedule_cancel(course=course, by=request.user),
                lambda c: f"Cancelled the scheduled switches of '{c.title}'.",
            )
            if done is None:
                return self.schedule_page(request, course, form)
            self.log_change(request, done, schedule_log(before, done))
            return self.back_to(course)
        if form.is_valid():
            before = (course.publish_at, course.unpublish_at)
            try:
                course = services.course_schedule(course=course, by=request.user, **form.changes())
            except CatalogValidationError as exc:
                for name, errors in exc.errors.items():
                    form.add_error(name if name in form.fields else None, errors)
                self.message_user(request, f"The schedule was not changed: {exc}", level=messages.ERROR)
            except CatalogError as exc:
                self.message_user(request, f"The schedule was not changed: {exc}", level=messages.ERROR)
            else:
                if (course.publish_at, course.unpublish_at) != before or form.changes():
                    self.log_change(request, course, schedule_log(before, course))
                self.message_user(request, schedule_summary(course), level=messages.SUCCESS)
                return self.back_to(course)
        return self.schedule_page(request, course, form)

    def schedule_page(self, request, course, form):
        return self.page(
            request,
            course,
            "admin/catalog/course/schedule.html",
            f"Schedule '{course.title}'",
            form=form,
            timezone_name=timezone.get_current_timezone_name(),
            now=when(timezone.now()),
            current={"publish_at": when(course.publish_at), "unpublish_at": when(course.unpublish_at)},
        )

    # --- compare

    def compare_view(self, request, object_id):
        course = self.course_or_404(request, object_id, change=False)
        choices = version_choices(course)
        picks = {name: request.GET.get(name, default).strip() for name, default in (("from", "live"), ("to", "draft"))}
        if picks["from"] == "live" and not any(value == "live" for value, _ in choices):
            picks["from"] = choices[-1][0] if len(choices) > 1 else "draft"
        try:
            changes = comparison(course, picks["from"], picks["to"])
            error = None
        except VersionError as exc:
            changes, error = None, str(exc)
        response = self.page(
            request,
            course,
            "admin/catalog/course/compare.html",
            f"Compare versions of '{course.title}'",
            choices=choices,
            picks=picks,
            changes=changes,
            error=error,
            can_change=self.has_change_permission(request, course),
            revert_to=sorted({int(p) for p in picks.values() if p.isascii() and p.isdigit() and len(p) < 10}),
        )
        if error:
            response.status_code = 400
        return response
