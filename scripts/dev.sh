#!/usr/bin/env bash
# Runs the service locally: local D1 migrations, the demo tenant, then `wrangler dev` with the dev outbox on
# (GET /_dev/outbox?to=<email or phone> shows the OTPs and links that were "sent").
set -euo pipefail
cd "$(dirname "$0")/.."
export WRANGLER_SEND_METRICS=false
[ -f .dev.vars ] || { cp .dev.vars.example .dev.vars; echo "created .dev.vars from .dev.vars.example"; }
wrangler d1 migrations apply DB --local
wrangler d1 execute DB --local --file scripts/seed-demo.sql
# OTPs and links go to the dev outbox unless NOTIFY_TRANSPORT=providers is exported (provider keys in .dev.vars).
# The XLSX converter (workers/xlsx) runs beside it for XLSX import/export jobs.
exec wrangler dev -c wrangler.toml -c workers/xlsx/wrangler.toml --var DEV_OUTBOX:true --var WEBHOOKS_ALLOW_LOOPBACK:true --var "NOTIFY_TRANSPORT:${NOTIFY_TRANSPORT:-outbox}" "$@"
