-- The demo tenant for local development (npm run dev). Idempotent: running it again changes nothing.
-- Credentials (also in README.md):
--   company 1; application 000000000000000000000001, token demo-application-token;
--   platform client demo-client, secret demo-secret.
-- Hashes are SHA-256 of those secrets (see src/crypto/credentials.ts).
INSERT OR IGNORE INTO companies (id, name, created_at)
VALUES ('1', 'Demo Company', '2026-01-01T00:00:00.000Z');

INSERT OR IGNORE INTO applications (id, company_id, name, token_hash, config, config_version, created_at, updated_at)
VALUES ('000000000000000000000001', '1', 'Demo Store', '7ccae812e4dcfe5c2327f26a0cd52bd529e400dcd73a63897383fd3a7fd46c60',
        '{"name":"Demo Store","display":"Demo Store","subtext":"Login to Demo Store","allowed_origins":["http://localhost:8787","http://127.0.0.1:8787","http://localhost:5173"],"passkeys":{"enabled":true,"rp_id":"localhost","rp_name":"Demo Store"},"mfa":{"enabled":true,"required":"optional"}}',
        0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');

INSERT OR IGNORE INTO application_origins (application_id, origin)
VALUES ('000000000000000000000001', 'http://localhost:8787'),
       ('000000000000000000000001', 'http://127.0.0.1:8787'),
       ('000000000000000000000001', 'http://localhost:5173');

INSERT OR IGNORE INTO platform_clients (client_id, company_id, secret_hash, name, active, created_at)
VALUES ('demo-client', '1', 'cd577fe2561ebff23505db0bb006300c7cdecbd46bc0e03c449afafaca2c25bf', 'Demo admin client', 1, '2026-01-01T00:00:00.000Z');
