import { z } from "@hono/zod-openapi";

export const MAX_PAGE_SIZE = 100;
const MAX_PAGE_NO = 1_000_000;

// Query strings arrive as text; only plain positive integers are pages ("1.5", "-1", "abc" are 400s).
const pageNumber = (name: string, max: number, fallback: number, description: string) =>
  z
    .string()
    .regex(/^\d{1,7}$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(1, `${name} must be at least 1`).max(max, `${name} must be at most ${max}`))
    .optional()
    .transform((v) => v ?? fallback)
    .openapi({ param: { name, in: "query" }, type: "integer", minimum: 1, maximum: max, description, example: fallback });

/** `page_no` (default 1) and `page_size` (default 10, at most 100) as the SDK sends them (§1.4). */
export const PageQuery = z.object({
  page_no: pageNumber("page_no", MAX_PAGE_NO, 1, "Page number, from 1"),
  page_size: pageNumber("page_size", MAX_PAGE_SIZE, 10, `Items per page, 1 to ${MAX_PAGE_SIZE}`),
});
export type PageQuery = z.output<typeof PageQuery>;

export const PaginationSchema = z
  .object({
    type: z.literal("number"),
    current: z.number().int(),
    size: z.number().int(),
    item_total: z.number().int(),
    has_next: z.boolean(),
    total: z.number().int(),
  })
  .openapi("PaginationSchema");
export type Pagination = z.infer<typeof PaginationSchema>;

/** `{items, page}`: the list response shape of every paged platform route (name it with `.openapi(name)`). */
export function paged<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), page: PaginationSchema });
}

/** `true`/`false` query flags, as the SDK sends booleans in query strings. */
export const queryBoolean = z.enum(["true", "false"]).transform((v) => v === "true");

/** Rows to skip and take for a page. */
export function pageWindow(page: PageQuery): { limit: number; offset: number } {
  return { limit: page.page_size, offset: (page.page_no - 1) * page.page_size };
}

export function pagination(page: PageQuery, itemTotal: number): Pagination {
  return {
    type: "number",
    current: page.page_no,
    size: page.page_size,
    item_total: itemTotal,
    has_next: page.page_no * page.page_size < itemTotal,
    total: itemTotal,
  };
}
