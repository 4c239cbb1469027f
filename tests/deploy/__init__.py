"""Tests of the deployment files: the Varnish VCL, docker-compose."""
