"""A bare WSGI application (no Django): the baseline of what gunicorn itself costs per request.

gunicorn bench.bare:app
"""

BODY = b'{"bare":true}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
