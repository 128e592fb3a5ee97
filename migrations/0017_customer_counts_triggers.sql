-- Keeps customer_day_counts / customer_minute_counts (src/db/schema/customers.ts) in step with users,
-- for every writer of users, as the search triggers do. Hand-written: drizzle generates no triggers.
CREATE TRIGGER users_count_ai AFTER INSERT ON users BEGIN
  INSERT INTO customer_day_counts (application_id, day, n) VALUES (new.application_id, substr(new.created_at, 1, 10), 1)
    ON CONFLICT (application_id, day) DO UPDATE SET n = n + 1;
  INSERT INTO customer_minute_counts (application_id, minute, n) VALUES (new.application_id, substr(new.created_at, 1, 16), 1)
    ON CONFLICT (application_id, minute) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER users_count_ad AFTER DELETE ON users BEGIN
  UPDATE customer_day_counts SET n = n - 1 WHERE application_id = old.application_id AND day = substr(old.created_at, 1, 10);
  UPDATE customer_minute_counts SET n = n - 1 WHERE application_id = old.application_id AND minute = substr(old.created_at, 1, 16);
END;
--> statement-breakpoint
-- No writer changes these two columns today; if one ever does, the counts follow.
CREATE TRIGGER users_count_au AFTER UPDATE OF application_id, created_at ON users BEGIN
  UPDATE customer_day_counts SET n = n - 1 WHERE application_id = old.application_id AND day = substr(old.created_at, 1, 10);
  UPDATE customer_minute_counts SET n = n - 1 WHERE application_id = old.application_id AND minute = substr(old.created_at, 1, 16);
  INSERT INTO customer_day_counts (application_id, day, n) VALUES (new.application_id, substr(new.created_at, 1, 10), 1)
    ON CONFLICT (application_id, day) DO UPDATE SET n = n + 1;
  INSERT INTO customer_minute_counts (application_id, minute, n) VALUES (new.application_id, substr(new.created_at, 1, 16), 1)
    ON CONFLICT (application_id, minute) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
-- Users that exist before this migration.
INSERT INTO customer_day_counts (application_id, day, n)
SELECT application_id, substr(created_at, 1, 10), count(*) FROM users GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO customer_minute_counts (application_id, minute, n)
SELECT application_id, substr(created_at, 1, 16), count(*) FROM users GROUP BY 1, 2;
