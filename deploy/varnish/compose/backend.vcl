# docker-compose.yml's backend for deploy/varnish/catalog.vcl: the `web` service. The probe asks /readyz
# (503 while the database is unreachable), so that learners get what the edge holds at once then.
backend default {
    .host = "web";
    .port = "8000";
    .host_header = "localhost";
    .first_byte_timeout = 30s;
    .probe = {
        .request = "GET /readyz HTTP/1.1" "Host: localhost" "Connection: close";
        .interval = 2s;
        .timeout = 2s;
        .window = 5;
        .threshold = 3;
        .initial = 3;
    }
}
