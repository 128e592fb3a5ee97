-- Bitmaps over the search index (attribute_values) for filters that match most users, kept by the
-- triggers below for every writer (src/db/attribute-bits.ts reads them, and says what each code is).
-- Hand-written: drizzle generates no triggers. The codes:
--   -1  the subject has an index row of the definition (a value; for a multi-value one, a non-empty list)
--   -2  single-value only: a number outside the sliced domain (negative, fractional, >= 2^43)
--   -3  single-value only: an integral number in [0, 2^43) (dates: epoch ms until 2248), whose bits are:
--   0..42  bit k of that number (a bit-sliced index: a range is 2 passes over <= 43 slices)
--   2^43 + c, 2·2^43 + c1·2^21 + c2  a value (an element) contains the character c / the pair c1 c2
--   3·2^43 + c, 4·2^43 + c1·2^21 + c2  a value (an element) ends with c / with c1 c2
--   5·2^43 + n  an enum value (an element) is the text numbered n in attribute_bitmap_values
-- (c: the code point of a character of the lower-cased text, value_fold.)
--
-- A row holds 4,096 subjects (chunk = subject >> 12) of one definition and one code. `hex` is 1,024
-- hex digits: 64 words of 64 subjects, each as printf('%016x') prints it (bit 63 first), so subject
-- s is bit (s & 3) of digit ((s >> 6) & 63) * 16 + 15 - ((s & 63) >> 2). Text, because SQLite has
-- bit operators for integers but none for blobs, and a digit is changed with substr/instr; a read of
-- a million subjects is 245 rows a code. Chunks with no bit set are deleted.
CREATE TABLE attribute_bitmaps (
  def_key INTEGER NOT NULL,
  code INTEGER NOT NULL,
  chunk INTEGER NOT NULL,
  hex TEXT NOT NULL,
  PRIMARY KEY (def_key, code, chunk)
);
--> statement-breakpoint
-- Character positions of a text (values are at most 1,000 characters), bits of a number, words of a chunk.
CREATE TABLE attribute_bit_positions (k INTEGER PRIMARY KEY);
--> statement-breakpoint
INSERT INTO attribute_bit_positions (k)
WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < 999) SELECT k FROM s;
--> statement-breakpoint
-- The values enum attributes have held, numbered for their equality bitmaps (bounded by the options,
-- unlike free text, whose values would each need a bitmap of their own).
CREATE TABLE attribute_bitmap_values (
  code INTEGER PRIMARY KEY,
  def_key INTEGER NOT NULL,
  value_fold TEXT NOT NULL,
  UNIQUE (def_key, value_fold)
);
--> statement-breakpoint
CREATE TRIGGER attribute_bitmaps_present_ai AFTER INSERT ON attribute_values BEGIN
  INSERT INTO attribute_bitmaps (def_key, code, chunk, hex) VALUES (new.def_key, -1, new.subject >> 12, substr(hex(zeroblob(512)), 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2))
    ON CONFLICT (def_key, code, chunk) DO UPDATE SET hex = substr(hex, 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2) WHERE ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) & (1 << ((new.subject) & 3))) = 0;
END;
--> statement-breakpoint
CREATE TRIGGER attribute_bitmaps_number_ai AFTER INSERT ON attribute_values
WHEN new.value_num IS NOT NULL AND (SELECT is_multi_value FROM attribute_definitions WHERE key = new.def_key) = 0 BEGIN
  INSERT INTO attribute_bitmaps (def_key, code, chunk, hex)
    VALUES (new.def_key, CASE WHEN new.value_num >= 0 AND new.value_num < 8796093022208 AND new.value_num = CAST(new.value_num AS INTEGER) THEN -3 ELSE -2 END, new.subject >> 12, substr(hex(zeroblob(512)), 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2))
    ON CONFLICT (def_key, code, chunk) DO UPDATE SET hex = substr(hex, 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2) WHERE ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) & (1 << ((new.subject) & 3))) = 0;
  INSERT INTO attribute_bitmaps (def_key, code, chunk, hex)
    SELECT new.def_key, k, new.subject >> 12, substr(hex(zeroblob(512)), 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2) FROM attribute_bit_positions
    WHERE k < 43 AND new.value_num >= 0 AND new.value_num < 8796093022208 AND new.value_num = CAST(new.value_num AS INTEGER) AND (CAST(new.value_num AS INTEGER) >> k) & 1 = 1
    ON CONFLICT (def_key, code, chunk) DO UPDATE SET hex = substr(hex, 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2) WHERE ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) & (1 << ((new.subject) & 3))) = 0;
END;
--> statement-breakpoint
CREATE TRIGGER attribute_bitmaps_text_ai AFTER INSERT ON attribute_values WHEN new.value_fold IS NOT NULL BEGIN
  INSERT INTO attribute_bitmaps (def_key, code, chunk, hex)
    SELECT new.def_key, code, new.subject >> 12, substr(hex(zeroblob(512)), 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2) FROM (
      SELECT 8796093022208 + unicode(substr(new.value_fold, k + 1, 1)) AS code, substr(new.value_fold, k + 1, 1) AS gram, 0 AS suffix FROM attribute_bit_positions WHERE k < length(new.value_fold)
      UNION SELECT 17592186044416 + unicode(substr(new.value_fold, k + 1, 1)) * 2097152 + unicode(substr(new.value_fold, k + 2, 1)), substr(new.value_fold, k + 1, 2), 0 FROM attribute_bit_positions WHERE k < length(new.value_fold) - 1
      UNION SELECT 26388279066624 + unicode(substr(new.value_fold, -1)), substr(new.value_fold, -1), 1 WHERE length(new.value_fold) >= 1
      UNION SELECT 35184372088832 + unicode(substr(new.value_fold, -2, 1)) * 2097152 + unicode(substr(new.value_fold, -1)), substr(new.value_fold, -2), 1 WHERE length(new.value_fold) >= 2
    ) WHERE true
    ON CONFLICT (def_key, code, chunk) DO UPDATE SET hex = substr(hex, 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2) WHERE ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) & (1 << ((new.subject) & 3))) = 0;
END;
--> statement-breakpoint
CREATE TRIGGER attribute_bitmaps_enum_ai AFTER INSERT ON attribute_values
WHEN new.value_fold IS NOT NULL AND (SELECT type FROM attribute_definitions WHERE key = new.def_key) = 'enum' BEGIN
  INSERT OR IGNORE INTO attribute_bitmap_values (def_key, value_fold) VALUES (new.def_key, new.value_fold);
  INSERT INTO attribute_bitmaps (def_key, code, chunk, hex) VALUES (new.def_key, 43980465111040 + (SELECT code FROM attribute_bitmap_values WHERE def_key = new.def_key AND value_fold = new.value_fold), new.subject >> 12, substr(hex(zeroblob(512)), 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex(zeroblob(512)), ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2))
    ON CONFLICT (def_key, code, chunk) DO UPDATE SET hex = substr(hex, 1, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) | (1 << ((new.subject) & 3))) + 1, 1) || substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 2) WHERE ((instr('0123456789abcdef', substr(hex, ((((new.subject) >> 6) & 63) * 16 + 15 - (((new.subject) & 63) >> 2)) + 1, 1)) - 1) & (1 << ((new.subject) & 3))) = 0;
END;
--> statement-breakpoint
-- A multi-value list keeps its presence bit while any of its rows remains (rows go one by one).
CREATE TRIGGER attribute_bitmaps_present_ad AFTER DELETE ON attribute_values
WHEN NOT EXISTS (SELECT 1 FROM attribute_values WHERE def_key = old.def_key AND subject = old.subject) BEGIN
  UPDATE attribute_bitmaps SET hex = substr(hex, 1, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2)) + 1, 1)) - 1) & ~(1 << ((old.subject) & 3))) + 1, 1) || substr(hex, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2)) + 2) WHERE def_key = old.def_key AND code = -1 AND chunk = old.subject >> 12;
  DELETE FROM attribute_bitmaps WHERE def_key = old.def_key AND code = -1 AND chunk = old.subject >> 12 AND hex = hex(zeroblob(512));
END;
--> statement-breakpoint
-- A single value has one row: the codes its number set all go with it.
CREATE TRIGGER attribute_bitmaps_number_ad AFTER DELETE ON attribute_values
WHEN old.value_num IS NOT NULL AND (SELECT is_multi_value FROM attribute_definitions WHERE key = old.def_key) = 0 BEGIN
  UPDATE attribute_bitmaps SET hex = substr(hex, 1, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2)) + 1, 1)) - 1) & ~(1 << ((old.subject) & 3))) + 1, 1) || substr(hex, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2)) + 2)
    WHERE def_key = old.def_key AND chunk = old.subject >> 12 AND code IN (
        SELECT CASE WHEN old.value_num >= 0 AND old.value_num < 8796093022208 AND old.value_num = CAST(old.value_num AS INTEGER) THEN -3 ELSE -2 END
        UNION ALL SELECT k FROM attribute_bit_positions WHERE k < 43 AND old.value_num >= 0 AND old.value_num < 8796093022208 AND old.value_num = CAST(old.value_num AS INTEGER) AND (CAST(old.value_num AS INTEGER) >> k) & 1 = 1
      );
  DELETE FROM attribute_bitmaps WHERE def_key = old.def_key AND chunk = old.subject >> 12 AND hex = hex(zeroblob(512)) AND code IN (
        SELECT CASE WHEN old.value_num >= 0 AND old.value_num < 8796093022208 AND old.value_num = CAST(old.value_num AS INTEGER) THEN -3 ELSE -2 END
        UNION ALL SELECT k FROM attribute_bit_positions WHERE k < 43 AND old.value_num >= 0 AND old.value_num < 8796093022208 AND old.value_num = CAST(old.value_num AS INTEGER) AND (CAST(old.value_num AS INTEGER) >> k) & 1 = 1
      );
END;
--> statement-breakpoint
-- A text's codes go unless another element of the same list still has that character, pair or ending.
CREATE TRIGGER attribute_bitmaps_text_ad AFTER DELETE ON attribute_values WHEN old.value_fold IS NOT NULL BEGIN
  UPDATE attribute_bitmaps SET hex = substr(hex, 1, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2)) + 1, 1)) - 1) & ~(1 << ((old.subject) & 3))) + 1, 1) || substr(hex, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2)) + 2)
    WHERE def_key = old.def_key AND chunk = old.subject >> 12 AND code IN (
      SELECT code FROM (
        SELECT 8796093022208 + unicode(substr(old.value_fold, k + 1, 1)) AS code, substr(old.value_fold, k + 1, 1) AS gram, 0 AS suffix FROM attribute_bit_positions WHERE k < length(old.value_fold)
      UNION SELECT 17592186044416 + unicode(substr(old.value_fold, k + 1, 1)) * 2097152 + unicode(substr(old.value_fold, k + 2, 1)), substr(old.value_fold, k + 1, 2), 0 FROM attribute_bit_positions WHERE k < length(old.value_fold) - 1
      UNION SELECT 26388279066624 + unicode(substr(old.value_fold, -1)), substr(old.value_fold, -1), 1 WHERE length(old.value_fold) >= 1
      UNION SELECT 35184372088832 + unicode(substr(old.value_fold, -2, 1)) * 2097152 + unicode(substr(old.value_fold, -1)), substr(old.value_fold, -2), 1 WHERE length(old.value_fold) >= 2
      ) g WHERE NOT EXISTS (
        SELECT 1 FROM attribute_values v WHERE v.def_key = old.def_key AND v.subject = old.subject AND v.value_fold IS NOT NULL
          AND CASE WHEN g.suffix THEN substr(v.value_fold, -length(g.gram)) = g.gram ELSE instr(v.value_fold, g.gram) > 0 END
      )
    );
  DELETE FROM attribute_bitmaps
    WHERE def_key = old.def_key AND chunk = old.subject >> 12 AND hex = hex(zeroblob(512)) AND code IN (
      SELECT code FROM (
        SELECT 8796093022208 + unicode(substr(old.value_fold, k + 1, 1)) AS code, substr(old.value_fold, k + 1, 1) AS gram, 0 AS suffix FROM attribute_bit_positions WHERE k < length(old.value_fold)
      UNION SELECT 17592186044416 + unicode(substr(old.value_fold, k + 1, 1)) * 2097152 + unicode(substr(old.value_fold, k + 2, 1)), substr(old.value_fold, k + 1, 2), 0 FROM attribute_bit_positions WHERE k < length(old.value_fold) - 1
      UNION SELECT 26388279066624 + unicode(substr(old.value_fold, -1)), substr(old.value_fold, -1), 1 WHERE length(old.value_fold) >= 1
      UNION SELECT 35184372088832 + unicode(substr(old.value_fold, -2, 1)) * 2097152 + unicode(substr(old.value_fold, -1)), substr(old.value_fold, -2), 1 WHERE length(old.value_fold) >= 2
      )
    );
END;
--> statement-breakpoint
CREATE TRIGGER attribute_bitmaps_enum_ad AFTER DELETE ON attribute_values
WHEN old.value_fold IS NOT NULL AND (SELECT type FROM attribute_definitions WHERE key = old.def_key) = 'enum'
  AND NOT EXISTS (SELECT 1 FROM attribute_values v WHERE v.def_key = old.def_key AND v.subject = old.subject AND v.value_fold = old.value_fold) BEGIN
  UPDATE attribute_bitmaps SET hex = substr(hex, 1, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2))) || substr('0123456789abcdef', ((instr('0123456789abcdef', substr(hex, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2)) + 1, 1)) - 1) & ~(1 << ((old.subject) & 3))) + 1, 1) || substr(hex, ((((old.subject) >> 6) & 63) * 16 + 15 - (((old.subject) & 63) >> 2)) + 2) WHERE def_key = old.def_key AND code = 43980465111040 + (SELECT code FROM attribute_bitmap_values WHERE def_key = old.def_key AND value_fold = old.value_fold) AND chunk = old.subject >> 12;
  DELETE FROM attribute_bitmaps WHERE def_key = old.def_key AND code = 43980465111040 + (SELECT code FROM attribute_bitmap_values WHERE def_key = old.def_key AND value_fold = old.value_fold) AND chunk = old.subject >> 12 AND hex = hex(zeroblob(512));
END;
--> statement-breakpoint
-- No writer updates index rows in place (a value is replaced by delete + insert); if one ever does, the bitmaps must follow.
CREATE TRIGGER attribute_bitmaps_au AFTER UPDATE ON attribute_values BEGIN
  SELECT RAISE(ABORT, 'attribute_values rows are replaced, not updated (attribute_bitmaps follow inserts and deletes)');
END;
--> statement-breakpoint
CREATE TRIGGER attribute_bitmaps_definition_ad AFTER DELETE ON attribute_definitions BEGIN
  DELETE FROM attribute_bitmaps WHERE def_key = old.key;
  DELETE FROM attribute_bitmap_values WHERE def_key = old.key;
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
SELECT v.def_key, CASE WHEN v.value_num >= 0 AND v.value_num < 8796093022208 AND v.value_num = CAST(v.value_num AS INTEGER) THEN -3 ELSE -2 END AS code, v.subject >> 6 AS word, sum(1 << (v.subject & 63))
FROM attribute_values v JOIN attribute_definitions d ON d.key = v.def_key AND d.is_multi_value = 0
WHERE v.value_num IS NOT NULL
GROUP BY v.def_key, code, word;
--> statement-breakpoint
INSERT INTO attribute_bitmaps_backfill (def_key, code, word, bits)
SELECT v.def_key, s.k, v.subject >> 6 AS word, sum(1 << (v.subject & 63))
FROM attribute_values v JOIN attribute_definitions d ON d.key = v.def_key AND d.is_multi_value = 0 JOIN attribute_bit_positions s ON s.k < 43
WHERE v.value_num >= 0 AND v.value_num < 8796093022208 AND v.value_num = CAST(v.value_num AS INTEGER) AND (CAST(v.value_num AS INTEGER) >> s.k) & 1 = 1
GROUP BY v.def_key, s.k, word;
--> statement-breakpoint
INSERT INTO attribute_bitmaps_backfill (def_key, code, word, bits)
SELECT def_key, code, word, sum(bit) FROM (
  SELECT DISTINCT v.def_key, 8796093022208 + unicode(substr(v.value_fold, p.k + 1, 1)) AS code, v.subject >> 6 AS word, 1 << (v.subject & 63) AS bit
  FROM attribute_values v JOIN attribute_bit_positions p ON p.k < length(v.value_fold) WHERE v.value_fold IS NOT NULL
) GROUP BY def_key, code, word;
--> statement-breakpoint
INSERT INTO attribute_bitmaps_backfill (def_key, code, word, bits)
SELECT def_key, code, word, sum(bit) FROM (
  SELECT DISTINCT v.def_key, 17592186044416 + unicode(substr(v.value_fold, p.k + 1, 1)) * 2097152 + unicode(substr(v.value_fold, p.k + 2, 1)) AS code, v.subject >> 6 AS word, 1 << (v.subject & 63) AS bit
  FROM attribute_values v JOIN attribute_bit_positions p ON p.k < length(v.value_fold) - 1 WHERE v.value_fold IS NOT NULL
) GROUP BY def_key, code, word;
--> statement-breakpoint
INSERT INTO attribute_bitmaps_backfill (def_key, code, word, bits)
SELECT def_key, code, word, sum(bit) FROM (
  SELECT DISTINCT v.def_key, 26388279066624 + unicode(substr(v.value_fold, -1)) AS code, v.subject >> 6 AS word, 1 << (v.subject & 63) AS bit
  FROM attribute_values v WHERE length(v.value_fold) >= 1
) GROUP BY def_key, code, word;
--> statement-breakpoint
INSERT INTO attribute_bitmaps_backfill (def_key, code, word, bits)
SELECT def_key, code, word, sum(bit) FROM (
  SELECT DISTINCT v.def_key, 35184372088832 + unicode(substr(v.value_fold, -2, 1)) * 2097152 + unicode(substr(v.value_fold, -1)) AS code, v.subject >> 6 AS word, 1 << (v.subject & 63) AS bit
  FROM attribute_values v WHERE length(v.value_fold) >= 2
) GROUP BY def_key, code, word;
--> statement-breakpoint
INSERT INTO attribute_bitmap_values (def_key, value_fold)
SELECT DISTINCT v.def_key, v.value_fold FROM attribute_values v JOIN attribute_definitions d ON d.key = v.def_key AND d.type = 'enum' WHERE v.value_fold IS NOT NULL;
--> statement-breakpoint
INSERT INTO attribute_bitmaps_backfill (def_key, code, word, bits)
SELECT def_key, code, word, sum(bit) FROM (
  SELECT DISTINCT v.def_key, 43980465111040 + b.code AS code, v.subject >> 6 AS word, 1 << (v.subject & 63) AS bit
  FROM attribute_values v JOIN attribute_bitmap_values b ON b.def_key = v.def_key AND b.value_fold = v.value_fold
) GROUP BY def_key, code, word;
--> statement-breakpoint
INSERT INTO attribute_bitmaps (def_key, code, chunk, hex)
SELECT c.def_key, c.code, c.chunk, (
  SELECT group_concat(printf('%016x', coalesce(w.bits, 0)), '' ORDER BY p.k)
  FROM attribute_bit_positions p LEFT JOIN attribute_bitmaps_backfill w ON w.def_key = c.def_key AND w.code = c.code AND w.word = c.chunk * 64 + p.k
  WHERE p.k < 64
)
FROM (SELECT DISTINCT def_key, code, word >> 6 AS chunk FROM attribute_bitmaps_backfill) c;
--> statement-breakpoint
DROP TABLE attribute_bitmaps_backfill;
