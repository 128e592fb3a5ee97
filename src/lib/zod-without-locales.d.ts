// Types of the slim zod entry: zod's own (the runtime lacks only `locales`).
export * from "zod";
export { z, default } from "zod";
