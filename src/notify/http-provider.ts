import { DeliveryError } from "./notifier";

const PROVIDER_TIMEOUT_MS = 10_000;

/**
 * Calls a provider API. Any non-2xx answer, network error or timeout becomes a DeliveryError; the
 * detail goes to the log (never the credentials), the client only learns that delivery failed.
 */
export async function callProvider(provider: string, url: string, init: RequestInit): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  } catch (error) {
    console.error(JSON.stringify({ provider, delivery_failed: String(error) }));
    throw new DeliveryError(`${provider} could not be reached`);
  }
  const detail = (await response.text()).slice(0, 500);
  if (!response.ok) {
    console.error(JSON.stringify({ provider, delivery_failed: response.status, detail }));
    throw new DeliveryError(`${provider} refused the message (HTTP ${response.status})`);
  }
}
