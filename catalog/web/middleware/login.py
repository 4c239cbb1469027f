"""The admin login's per-username slowdown (see catalog.selectors.logins), and the browsers it spares."""

from django.conf import settings
from django.core import signing
from django.shortcuts import render
from django.urls import reverse

from catalog.selectors.logins import login_wait

COOKIE = "catalog_known_login"
SALT = "catalog.login.known"
KEEP = 5  # usernames remembered per browser


class LoginSlowdownMiddleware:
    """A POST to the admin login for a username past its ceiling is answered 429 with Retry-After,
    unless the browser logged in as that username before (a signed cookie says so): the editor's own
    browser is never slowed by someone else's guessing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_login = request.method == "POST" and request.path == reverse("admin:login")
        if is_login:
            username = request.POST.get("username", "")
            known = known_usernames(request)
            wait = 0 if username in known else login_wait(username=username)
            if wait:
                context = {"username": username, "wait": wait, "every": settings.LOGIN_SLOWDOWN_SECONDS}
                response = render(request, "axes/slowdown.html", context, status=429)
                response["Retry-After"] = str(wait)
                return response
        response = self.get_response(request)
        if is_login and request.user.is_authenticated and response.status_code in (301, 302, 303):
            remember(response, request, request.user.get_username())
        return response


def known_usernames(request) -> list[str]:
    try:
        return signing.loads(request.COOKIES.get(COOKIE, ""), salt=SALT)
    except signing.BadSignature:
        return []


def remember(response, request, username: str) -> None:
    names = [username] + [name for name in known_usernames(request) if name != username][: KEEP - 1]
    response.set_cookie(
        COOKIE,
        signing.dumps(names, salt=SALT, compress=True),
        max_age=365 * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
