-- Admin customer search (platform getCustomers / searchUsers) without table scans.
-- customers_search is an FTS5 index over customer_search_docs (one row per user) with the trigram
-- tokenizer: any 3+ character substring of a name, email, phone or id is an index lookup.
-- Triggers keep it current for every writer of users and contacts, so no code path can forget it.
CREATE VIRTUAL TABLE customers_search USING fts5(
  name, emails, phones, ids,
  content = 'customer_search_docs', content_rowid = 'doc_id',
  tokenize = 'trigram'
);
--> statement-breakpoint
CREATE TRIGGER customer_search_docs_ai AFTER INSERT ON customer_search_docs BEGIN
  INSERT INTO customers_search (rowid, name, emails, phones, ids) VALUES (new.doc_id, new.name, new.emails, new.phones, new.ids);
END;
--> statement-breakpoint
CREATE TRIGGER customer_search_docs_ad AFTER DELETE ON customer_search_docs BEGIN
  INSERT INTO customers_search (customers_search, rowid, name, emails, phones, ids)
  VALUES ('delete', old.doc_id, old.name, old.emails, old.phones, old.ids);
END;
--> statement-breakpoint
CREATE TRIGGER customer_search_docs_au AFTER UPDATE ON customer_search_docs BEGIN
  INSERT INTO customers_search (customers_search, rowid, name, emails, phones, ids)
  VALUES ('delete', old.doc_id, old.name, old.emails, old.phones, old.ids);
  INSERT INTO customers_search (rowid, name, emails, phones, ids) VALUES (new.doc_id, new.name, new.emails, new.phones, new.ids);
END;
--> statement-breakpoint
CREATE TRIGGER users_search_ai AFTER INSERT ON users BEGIN
  INSERT INTO customer_search_docs (user_id, application_id, name, ids)
  VALUES (new.id, new.application_id, trim(new.first_name || ' ' || new.last_name),
          new.id || ' ' || new.username || ' ' || coalesce(new.external_id, '') || ' ' || coalesce(new.rr_id, ''));
END;
--> statement-breakpoint
CREATE TRIGGER users_search_au AFTER UPDATE OF first_name, last_name, username, external_id, rr_id ON users BEGIN
  UPDATE customer_search_docs
  SET name = trim(new.first_name || ' ' || new.last_name),
      ids = new.id || ' ' || new.username || ' ' || coalesce(new.external_id, '') || ' ' || coalesce(new.rr_id, '')
  WHERE user_id = new.id;
END;
--> statement-breakpoint
CREATE TRIGGER users_search_ad AFTER DELETE ON users BEGIN
  DELETE FROM customer_search_docs WHERE user_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER user_emails_search_ai AFTER INSERT ON user_emails BEGIN
  UPDATE customer_search_docs
  SET emails = (SELECT coalesce(group_concat(email, ' '), '') FROM user_emails WHERE user_id = new.user_id AND active = 1)
  WHERE user_id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER user_emails_search_au AFTER UPDATE OF email, active, user_id ON user_emails BEGIN
  UPDATE customer_search_docs
  SET emails = (SELECT coalesce(group_concat(e.email, ' '), '') FROM user_emails e WHERE e.user_id = customer_search_docs.user_id AND e.active = 1)
  WHERE user_id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER user_emails_search_ad AFTER DELETE ON user_emails BEGIN
  UPDATE customer_search_docs
  SET emails = (SELECT coalesce(group_concat(email, ' '), '') FROM user_emails WHERE user_id = old.user_id AND active = 1)
  WHERE user_id = old.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER user_phones_search_ai AFTER INSERT ON user_phones BEGIN
  UPDATE customer_search_docs
  SET phones = (SELECT coalesce(group_concat(e164, ' '), '') FROM user_phones WHERE user_id = new.user_id AND active = 1)
  WHERE user_id = new.user_id;
END;
--> statement-breakpoint
CREATE TRIGGER user_phones_search_au AFTER UPDATE OF e164, active, user_id ON user_phones BEGIN
  UPDATE customer_search_docs
  SET phones = (SELECT coalesce(group_concat(p.e164, ' '), '') FROM user_phones p WHERE p.user_id = customer_search_docs.user_id AND p.active = 1)
  WHERE user_id IN (old.user_id, new.user_id);
END;
--> statement-breakpoint
CREATE TRIGGER user_phones_search_ad AFTER DELETE ON user_phones BEGIN
  UPDATE customer_search_docs
  SET phones = (SELECT coalesce(group_concat(e164, ' '), '') FROM user_phones WHERE user_id = old.user_id AND active = 1)
  WHERE user_id = old.user_id;
END;
--> statement-breakpoint
-- Users that exist before this migration (the triggers above fill customers_search from these rows).
INSERT INTO customer_search_docs (user_id, application_id, name, emails, phones, ids)
SELECT u.id, u.application_id, trim(u.first_name || ' ' || u.last_name),
       (SELECT coalesce(group_concat(email, ' '), '') FROM user_emails WHERE user_id = u.id AND active = 1),
       (SELECT coalesce(group_concat(e164, ' '), '') FROM user_phones WHERE user_id = u.id AND active = 1),
       u.id || ' ' || u.username || ' ' || coalesce(u.external_id, '') || ' ' || coalesce(u.rr_id, '')
FROM users u ORDER BY u.created_at;
