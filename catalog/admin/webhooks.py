"""The webhook pages: endpoints (the secret write-only), their deliveries with "deliver again", and the
notice of switched-off endpoints."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils.html import format_html

from catalog import services
from catalog.admin.common import ServiceAdmin
from catalog.errors import CatalogError, CatalogValidationError
from catalog.models import WebhookDelivery, WebhookEndpoint

UNFINISHED = Q(deliveries__status__in=WebhookDelivery.UNFINISHED)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=2000,
        assume_scheme="https",
        help_text="Every change learners can see is POSTed here as JSON. It must be public (not a private, "
        "loopback or link-local address).",
    )
    # Never shown again once saved: the page only offers to replace it.
    secret = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Receivers check each request's X-Catalog-Signature with it. It is never shown again: "
        "leave empty to keep the current one (or, for a new endpoint, to have a strong one made and shown once).",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "secret", "active"]
        help_texts = {
            "active": "Switch an endpoint that was switched off on again once its receiver works: its pending "
            "deliveries are sent then.",
        }

    def clean_url(self):
        return _service_field(services.endpoint_check_url, self.cleaned_data["url"], "url")

    def clean_secret(self):
        secret = self.cleaned_data.get("secret") or ""
        return _service_field(services.endpoint_check_secret, secret, "secret") if secret else ""


def _service_field(check, value, name):
    try:
        return check(value)
    except CatalogValidationError as exc:
        raise forms.ValidationError(exc.errors.get(name) or [str(exc)]) from exc


def switched_off_notice(request) -> None:
    """A warning per switched-off endpoint, for editors who may see endpoints."""
    if not request.user.has_perm("catalog.view_webhookendpoint"):
        return
    for endpoint in WebhookEndpoint.objects.filter(active=False, switched_off_at__isnull=False):
        url = reverse("admin:catalog_webhookendpoint_change", args=[endpoint.pk])
        messages.warning(
            request,
            format_html(
                'Webhook endpoint <a href="{}">{}</a> was switched off on {} UTC. {}',
                url,
                endpoint.url,
                f"{endpoint.switched_off_at:%Y-%m-%d %H:%M}",
                endpoint.switched_off_reason,
            ),
        )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ServiceAdmin, admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "state", "failures", "pending", "created_at"]
    list_filter = ["active"]
    search_fields = ["url"]
    readonly_fields = ["state", "failures", "retry_at", "pending", "created_at"]

    def get_fieldsets(self, request, obj=None):
        main = (None, {"fields": ["url", "secret", "active"]})
        if obj is None:
            return [main]
        return [main, ("State", {"fields": ["state", ("failures", "retry_at"), "pending", "created_at"]})]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pending_count=Count("deliveries", filter=UNFINISHED))

    @admin.display(description="state", ordering="active")
    def state(self, endpoint):
        if endpoint.active:
            return "on, retrying after failures" if endpoint.failures else "on"
        if endpoint.switched_off_at:
            return format_html(
                "<strong>switched off</strong> on {} UTC: {}",
                f"{endpoint.switched_off_at:%Y-%m-%d %H:%M}",
                endpoint.switched_off_reason,
            )
        return "off"

    @admin.display(description="pending deliveries", ordering="pending_count")
    def pending(self, endpoint):
        count = getattr(endpoint, "pending_count", None)
        if count is None:
            count = endpoint.deliveries.filter(status__in=WebhookDelivery.UNFINISHED).count()
        url = reverse("admin:catalog_webhookdelivery_changelist")
        return format_html('<a href="{}?endpoint__id__exact={}">{}</a>', url, endpoint.pk, count)

    def changelist_view(self, request, extra_context=None):
        switched_off_notice(request)
        return super().changelist_view(request, extra_context)

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = {"url": data["url"], "active": data["active"]}
            if data["secret"]:
                fields["secret"] = data["secret"]
            return services.endpoint_update(endpoint=WebhookEndpoint.objects.get(pk=obj.pk), **fields)
        secret = data["secret"] or services.secret_make()
        endpoint = services.endpoint_add(url=data["url"], secret=secret, active=data["active"])
        if not data["secret"]:
            messages.info(
                request, f"The endpoint's secret is {secret}: give it to the receiver now, it is not shown again."
            )
        return endpoint

    def service_delete(self, obj):
        services.endpoint_remove(endpoint=obj)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["entry_id", "endpoint", "kind", "slug", "status", "attempts", "last_code", "when", "answer"]
    list_display_links = ["entry_id"]
    list_filter = ["status", "kind", "endpoint", "last_code"]
    list_select_related = ["endpoint"]
    search_fields = ["slug", "endpoint__url"]
    search_help_text = "Finds deliveries by course slug or endpoint URL."
    actions = ["deliver_again"]
    list_per_page = 100
    fields = [
        "endpoint",
        "entry_id",
        "kind",
        "slug",
        "status",
        "attempts",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "retry_until",
        "sent_at",
        "last_code",
        "last_error",
        "last_body",
        "payload",
    ]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the history of what was sent; it goes with its endpoint

    @admin.display(description="last attempt", ordering="last_attempt_at")
    def when(self, delivery):
        return delivery.last_attempt_at or "not yet"

    @admin.display(description="answer")
    def answer(self, delivery):
        return delivery.last_error or truncatechars(delivery.last_body, 80)

    def changelist_view(self, request, extra_context=None):
        switched_off_notice(request)
        return super().changelist_view(request, extra_context)

    @admin.action(description="Deliver again", permissions=["change"])
    def deliver_again(self, request, queryset):
        done = 0
        for delivery in queryset.order_by("entry_id"):
            try:
                services.delivery_retry(delivery=delivery)
            except CatalogError as exc:
                self.message_user(request, f"Delivery {delivery.entry_id}: {exc}", level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} deliver{'ies' if done != 1 else 'y'} will be sent again now.")
