"""The app as gunicorn serves it in the benchmark: production config from the environment, with
one change: rate limits on routes (30 login POSTs a minute per address) are not applied, because
every bench user comes from 127.0.0.1. The per-account lockout after failed logins stays on (no
login fails here).
"""

from app import create_app
from app.extensions import limiter

app = create_app()


@limiter.request_filter
def _all_bench_traffic_is_exempt() -> bool:
    return True
