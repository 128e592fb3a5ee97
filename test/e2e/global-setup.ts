import type { TestProject } from "vitest/node";
import { startWorker } from "./worker";

declare module "vitest" {
  export interface ProvidedContext {
    workerUrl: string;
  }
}

/** One `wrangler dev` for the whole end-to-end run. */
export default async function setup(project: TestProject) {
  const worker = await startWorker();
  project.provide("workerUrl", worker.url);
  return () => worker.stop();
}
