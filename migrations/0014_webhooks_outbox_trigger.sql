-- Custom (hand-written): the transactional outbox of webhooks. Every event recorded in an application
-- that has an enabled webhook endpoint gets its outbox row in the same statement as the event itself,
-- whichever code path wrote the event; which event types an endpoint wants is decided at fan-out
-- (src/services/webhooks/), so new event types need no new migration.
CREATE TRIGGER events_webhook_outbox AFTER INSERT ON events
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE application_id = new.application_id AND enabled = 1)
BEGIN
  INSERT OR IGNORE INTO webhook_outbox (event_id, application_id, created_at) VALUES (new.id, new.application_id, new.created_at);
END;
