import type { TestProject } from "vitest/node";
import type {} from "./provided-context";
import { startWorker } from "./worker";

/** One `wrangler dev` for the whole end-to-end run. */
export default async function setup(project: TestProject) {
  const worker = await startWorker();
  project.provide("workerUrl", worker.url);
  return () => worker.stop();
}
