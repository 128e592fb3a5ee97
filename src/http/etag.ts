/**
 * The entity tags an If-Match header names (RFC 9110 §13.1.1), weak ones as their opaque tag: a proxy
 * that compresses a response may weaken its ETag, and the version it names is the same. `"*"` when any
 * current representation will do, undefined without the header; entries that are not tags name nothing.
 */
export function ifMatchTags(header: string | undefined): string[] | "*" | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === "*") return "*";
  return header
    .split(",")
    .map((part) => /^\s*(?:W\/)?("[^"]*")\s*$/.exec(part)?.[1])
    .filter((tag): tag is string => tag !== undefined);
}
