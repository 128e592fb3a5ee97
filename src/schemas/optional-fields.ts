import { z } from "@hono/zod-openapi";

/*
 * Optional fields as Fynd's clients fill them. The SDK's schemas allow "" on every optional string and
 * the theme sends "" for fields it has no value for (register_token, token, country_code), so an empty
 * string on an optional field means "absent".
 */

/** "" → undefined, anything else as it is. */
export const emptyAsAbsent = (value: string): string | undefined => (value === "" ? undefined : value);

/** The Android SMS Retriever app hash: 11 characters of base64 (https://developers.google.com/identity/sms-retriever/verify). */
const SMS_RETRIEVER_HASH = /^[A-Za-z0-9+/]{11}$/;

/**
 * `android_hash`: any short string is accepted (Fynd's theme sends 8–13 random base-36 characters);
 * only a value in the SMS Retriever format is kept, to be appended to the SMS. Anything else is dropped.
 */
export const androidHash = z
  .string()
  .max(64)
  .transform((value) => (SMS_RETRIEVER_HASH.test(value) ? value : undefined))
  .optional()
  .openapi({ description: "Android SMS Retriever app hash; appended to the SMS when it is in that format (11 base64 characters), otherwise ignored" });
