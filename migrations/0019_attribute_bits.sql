-- Bitmaps over the search index (attribute_values) for filters that match most users, kept by the
-- triggers below for every writer (src/db/attribute-bits.ts reads them). Hand-written: drizzle
-- generates no triggers.
--
-- A row holds 4,096 subjects (chunk = subject >> 12) of one definition and one code:
--   -1  the subject has an index row of the definition (a value; for a multi-value one, a non-empty list)
--   -2  single-value only: a number outside the sliced domain (negative, fractional, >= 2^31)
--   -3  single-value only: an integral number in [0, 2^31), whose bits are the codes below
--   0..30  single-value only: bit k of that number (a bit-sliced index: a range is 2 passes over <= 31 slices)
-- `hex` is 1,024 hex digits: 64 words of 64 subjects, each as printf('%016x') prints it (bit 63
-- first), so subject s is bit (s & 3) of digit ((s >> 6) & 63) * 16 + 15 - ((s & 63) >> 2). Text,
-- because SQLite has bit operators for integers but none for blobs, and a digit is changed with
-- substr/instr; a read of a million subjects is 245 rows a code instead of 15,625 integers.
-- Chunks with no bit set are deleted, so a slice no value reaches costs nothing.
CREATE TABLE attribute_bitmaps (
  def_key INTEGER NOT NULL,
  code INTEGER NOT NULL,
  chunk INTEGER NOT NULL,
  hex TEXT NOT NULL,
  PRIMARY KEY (def_key, code, chunk)
);
--> statement-breakpoint
CREATE TABLE attribute_bit_positions (k INTEGER PRIMARY KEY);
--> statement-breakpoint
INSERT INTO attribute_bit_positions (k)
WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < 63) SELECT k FROM s;
--> statement-breakpoint
CREATE TRIGGER attribute_bitmaps_present_ai AFTER INSERT ON attribute_values BEGIN
  INSERT INTO attribute_bitmaps (def_key, code, chunk, hex) VALUES (new.def_key, -1, new.subject >> 12, substr(hex(zeroblob(512)), 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2))
    ON CONFLICT (def_key, code, chunk) DO UPDATE SET hex = substr(hex, 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2);
END;
--> statement-breakpoint
CREATE TRIGGER attribute_bitmaps_number_ai AFTER INSERT ON attribute_values
WHEN new.value_num IS NOT NULL AND (SELECT is_multi_value FROM attribute_definitions WHERE key = new.def_key) = 0 BEGIN
  INSERT INTO attribute_bitmaps (def_key, code, chunk, hex)
    VALUES (new.def_key, CASE WHEN new.value_num >= 0 AND new.value_num < 2147483648 AND new.value_num = CAST(new.value_num AS INTEGER) THEN -3 ELSE -2 END, new.subject >> 12, substr(hex(zeroblob(512)), 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2))
    ON CONFLICT (def_key, code, chunk) DO UPDATE SET hex = substr(hex, 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2);
  INSERT INTO attribute_bitmaps (def_key, code, chunk, hex)
    SELECT new.def_key, k, new.subject >> 12, substr(hex(zeroblob(512)), 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2) FROM attribute_bit_positions
    WHERE k < 31 AND new.value_num >= 0 AND new.value_num < 2147483648 AND new.value_num = CAST(new.value_num AS INTEGER) AND (CAST(new.value_num AS INTEGER) >> k) & 1 = 1
    ON CONFLICT (def_key, code, chunk) DO UPDATE SET hex = substr(hex, 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2);
END;
--> statement-breakpoint
-- A multi-value list keeps its presence bit while any of its rows remains (rows go one by one).
CREATE TRIGGER attribute_bitmaps_present_ad AFTER DELETE ON attribute_values
WHEN NOT EXISTS (SELECT 1 FROM attribute_values WHERE def_key = old.def_key AND subject = old.subject) BEGIN
  UPDATE attribute_bitmaps SET hex = substr(hex, 1, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2)) + 1, 1)) - 1) & ~(1 << ((old.subject) & 3))) + 1, 1) || substr(hex, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2)) + 2) WHERE def_key = old.def_key AND code = -1 AND chunk = old.subject >> 12;
  DELETE FROM attribute_bitmaps WHERE def_key = old.def_key AND code = -1 AND chunk = old.subject >> 12 AND hex = hex(zeroblob(512));
END;
--> statement-breakpoint
-- A single value has one row: its number's codes all go with it. (Listed codes: each is one key seek.)
CREATE TRIGGER attribute_bitmaps_number_ad AFTER DELETE ON attribute_values
WHEN old.value_num IS NOT NULL AND (SELECT is_multi_value FROM attribute_definitions WHERE key = old.def_key) = 0 BEGIN
  UPDATE attribute_bitmaps SET hex = substr(hex, 1, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2)) + 1, 1)) - 1) & ~(1 << ((old.subject) & 3))) + 1, 1) || substr(hex, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2)) + 2)
    WHERE def_key = old.def_key AND chunk = old.subject >> 12 AND code IN (-3, -2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30);
  DELETE FROM attribute_bitmaps WHERE def_key = old.def_key AND chunk = old.subject >> 12 AND code IN (-3, -2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30) AND hex = hex(zeroblob(512));
END;
--> statement-breakpoint
-- No writer updates index rows in place (a value is replaced by delete + insert); if one ever does, the bitmaps must follow.
CREATE TRIGGER attribute_bitmaps_au AFTER UPDATE ON attribute_values BEGIN
  SELECT RAISE(ABORT, 'attribute_values rows are replaced, not updated (attribute_bitmaps follow inserts and deletes)');
END;
--> statement-breakpoint
CREATE TRIGGER attribute_bitmaps_definition_ad AFTER DELETE ON attribute_definitions BEGIN
  DELETE FROM attribute_bitmaps WHERE def_key = old.key;
END;
--> statement-breakpoint
-- Index rows that exist before this migration: their 64-bit words first (a sum of distinct powers
-- of two is their OR), then each chunk's text from its 64 words in order.
CREATE TABLE attribute_bitmaps_backfill (def_key INTEGER NOT NULL, code INTEGER NOT NULL, word INTEGER NOT NULL, bits INTEGER NOT NULL, PRIMARY KEY (def_key, code, word)) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO attribute_bitmaps_backfill (def_key, code, word, bits)
SELECT def_key, -1, subject >> 6, sum(1 << (subject & 63)) FROM (SELECT DISTINCT def_key, subject FROM attribute_values) GROUP BY def_key, subject >> 6;
--> statement-breakpoint
INSERT INTO attribute_bitmaps_backfill (def_key, code, word, bits)
SELECT v.def_key, CASE WHEN v.value_num >= 0 AND v.value_num < 2147483648 AND v.value_num = CAST(v.value_num AS INTEGER) THEN -3 ELSE -2 END AS code, v.subject >> 6 AS word, sum(1 << (v.subject & 63))
FROM attribute_values v JOIN attribute_definitions d ON d.key = v.def_key AND d.is_multi_value = 0
WHERE v.value_num IS NOT NULL
GROUP BY v.def_key, code, word;
--> statement-breakpoint
INSERT INTO attribute_bitmaps_backfill (def_key, code, word, bits)
SELECT v.def_key, s.k, v.subject >> 6 AS word, sum(1 << (v.subject & 63))
FROM attribute_values v JOIN attribute_definitions d ON d.key = v.def_key AND d.is_multi_value = 0 JOIN attribute_bit_positions s ON s.k < 31
WHERE v.value_num >= 0 AND v.value_num < 2147483648 AND v.value_num = CAST(v.value_num AS INTEGER) AND (CAST(v.value_num AS INTEGER) >> s.k) & 1 = 1
GROUP BY v.def_key, s.k, word;
--> statement-breakpoint
INSERT INTO attribute_bitmaps (def_key, code, chunk, hex)
SELECT c.def_key, c.code, c.chunk, (
  SELECT group_concat(printf('%016x', coalesce(w.bits, 0)), '' ORDER BY p.k)
  FROM attribute_bit_positions p LEFT JOIN attribute_bitmaps_backfill w ON w.def_key = c.def_key AND w.code = c.code AND w.word = c.chunk * 64 + p.k
)
FROM (SELECT DISTINCT def_key, code, word >> 6 AS chunk FROM attribute_bitmaps_backfill) c;
--> statement-breakpoint
DROP TABLE attribute_bitmaps_backfill;
