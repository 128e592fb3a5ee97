// Passkey and MFA resets. HOOK: the platform endpoints for these are being built separately; this section
// offers whatever customer-scoped passkey/MFA reset operations the API's OpenAPI document lists (a DELETE,
// or a POST without a required body, on a path with {user_id}), and says so plainly while there are none.
import { api, openApiDocument } from "./api.js";
import { attempt, card, errorPanel, h, toast } from "./ui.js";

const PLATFORM_PREFIX = /^\/service\/platform\/user\/v1\.0\/company\/\{company_id\}\/application\/\{application_id\}/;
const RESETTABLE = /passkey|webauthn|mfa|totp|two.?factor|2fa/i;

async function resetOperations() {
  const doc = await openApiDocument();
  const found = [];
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    if (!PLATFORM_PREFIX.test(path) || !path.includes("{user_id}") || !RESETTABLE.test(path)) continue;
    for (const [method, op] of Object.entries(methods)) {
      const needsBody = op.requestBody?.required === true;
      if (method === "delete" || (method === "post" && !needsBody)) found.push({ method: method.toUpperCase(), path: path.replace(PLATFORM_PREFIX, ""), summary: op.summary ?? op.operationId });
    }
  }
  return found;
}

export function resetActions(user) {
  const panel = errorPanel();
  const body = h("div");
  const el = card("resets-title", "Passkeys and two-factor", body, panel);
  return {
    el,
    load: () => attempt(panel, null, async () => {
      const operations = await resetOperations();
      if (!operations.length) {
        body.replaceChildren(h("p", { class: "hint" }, "Not available yet: this API has no passkey or MFA reset endpoints."));
        return;
      }
      body.replaceChildren(h("div", { class: "buttons" }, operations.map((op) =>
        h("button", { type: "button", class: "danger", onclick: (e) => attempt(panel, e.currentTarget, async () => {
          if (!confirm(`${op.summary} for this customer?`)) return;
          await api(op.method, op.path.replace("{user_id}", encodeURIComponent(user.user_id)));
          toast(`${op.summary}: done.`);
        }) }, op.summary))));
    }),
  };
}
