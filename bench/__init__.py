"""The benchmark harness (`make bench`): synthetic data, gunicorn, locust, Lighthouse, a table."""
