import { attributeCipher } from "../crypto/attribute-cipher";
import { database } from "../db/client";
import { EventsRepo } from "../db/events-repo";
import { WebhooksRepo } from "../db/webhooks-repo";
import { loadConfig, type Bindings } from "../env";
import type { WebhookDeps } from "../services/webhooks/delivery";

/** The webhooks service's stores, from the Worker's bindings (platform routes, the queue consumer, the sweep). */
export function webhookDeps(source: Bindings | { env: Bindings }): WebhookDeps {
  const env = "env" in source ? source.env : source;
  const config = loadConfig(env);
  const db = database(env.DB);
  return {
    webhooks: new WebhooksRepo(db),
    events: new EventsRepo(db),
    // Endpoint secrets are sealed like encrypted attributes (AES-GCM, a key per application), bound to the endpoint.
    cipher: attributeCipher(config.attributeEncryptionKey),
    queue: env.WEBHOOKS,
    allowLoopback: config.webhooksAllowLoopback,
    retryScale: config.webhookRetryScale,
  };
}
