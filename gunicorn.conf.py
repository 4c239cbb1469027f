"""gunicorn's settings for `gunicorn config.wsgi` (read from the working directory; flags still win).

Forwarded headers (X-Forwarded-Proto and friends, SCRIPT_NAME) are trusted from nobody unless
FORWARDED_ALLOW_IPS names the proxy's addresses: gunicorn's own default trusts any local client.
"""

import os

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")

# gunicorn's default access line plus the duration and the request id the answer carries.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms request_id=%({x-request-id}o)s'
