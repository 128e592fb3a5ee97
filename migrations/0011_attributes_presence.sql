-- Presence rows (src/services/attribute-types.ts PRESENCE_ENTRY): one all-null index row per user
-- and non-empty multi-value attribute, so "users having a value" is read one row per user.
INSERT INTO `attribute_values` (`def_key`, `subject`)
SELECT DISTINCT v.`def_key`, v.`subject`
FROM `attribute_values` v
JOIN `attribute_definitions` d ON d.`key` = v.`def_key`
WHERE d.`is_multi_value` = 1;
