"""Token authentication that tells a client using another scheme (`Bearer`, `Basic`) which one to use."""

import re

from rest_framework import authentication, exceptions

SCHEME = re.compile(rb"[A-Za-z][A-Za-z0-9._~+-]{0,31}")


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`. Another scheme is a 401 that names the expected one, where DRF
    alone would treat the request as anonymous and say only that credentials were not provided."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if parts and parts[0].lower() != self.keyword.lower().encode():
            sent = parts[0].decode() if SCHEME.fullmatch(parts[0]) else "another scheme"
            raise exceptions.AuthenticationFailed(
                f"This API takes tokens as 'Authorization: {self.keyword} <key>' (the {self.keyword} scheme), "
                f"not {sent}."
            )
        return super().authenticate(request)
