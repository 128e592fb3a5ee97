#!/usr/bin/env bash
# Runs the service locally: local D1 migrations, the demo tenant, then `wrangler dev` with the dev outbox on.
set -euo pipefail
cd "$(dirname "$0")/.."
export WRANGLER_SEND_METRICS=false
[ -f .dev.vars ] || { cp .dev.vars.example .dev.vars; echo "created .dev.vars from .dev.vars.example"; }
wrangler d1 migrations apply DB --local
wrangler d1 execute DB --local --file scripts/seed-demo.sql
exec wrangler dev --var DEV_OUTBOX:true "$@"
