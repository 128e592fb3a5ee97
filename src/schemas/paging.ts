import { z } from "@hono/zod-openapi";

/** §1.4 PaginationSchema. */
export const PaginationSchema = z
  .object({
    type: z.string(),
    current: z.number().int(),
    size: z.number().int(),
    item_total: z.number().int(),
    has_next: z.boolean(),
    total: z.number().int(),
  })
  .openapi("PaginationSchema");
export type PaginationSchema = z.infer<typeof PaginationSchema>;

export const MAX_PAGE_SIZE = 100;

/** `page_no` (default 1) and `page_size` (default 10). The SDK sends them as strings in some operations. */
export const PageQuery = z.object({
  page_no: z.coerce.number().int().min(1).max(1_000_000).default(1).openapi({ param: { name: "page_no", in: "query" } }),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(10).openapi({ param: { name: "page_size", in: "query" } }),
});

/** `{items, page}`, the shape of every platform list. */
export const paged = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), page: PaginationSchema });

/** The page block for page `current` of `size` items when `total` match. */
export function pageInfo(current: number, size: number, total: number): PaginationSchema {
  return { type: "number", current, size, item_total: total, has_next: current * size < total, total };
}

/** `true`/`false` query flags as the SDK sends booleans. */
export const queryFlag = z.enum(["true", "false"]).transform((v) => v === "true");
