/** What global-setup.ts hands every e2e file through vitest's inject(). */
declare module "vitest" {
  export interface ProvidedContext {
    workerUrl: string;
  }
}

export {};
