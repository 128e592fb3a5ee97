// Passkey and MFA resets. HOOK: the platform endpoints for these are being built separately (not on main yet);
// this section offers whatever customer-wide passkey/MFA reset operations the API's OpenAPI document lists (a
// DELETE, or a POST without a required body, whose only own path parameter is {user_id}, e.g.
// POST …/customers/{user_id}/mfa/reset), and says plainly while there are none.
import { api, openApiDocument } from "./api.js";
import { attempt, card, errorPanel, h, toast } from "./ui.js";

const PLATFORM_PREFIX = /^\/service\/platform\/user\/v1\.0\/company\/\{company_id\}\/application\/\{application_id\}/;
const RESETTABLE = /passkey|webauthn|mfa|totp|two.?factor|2fa/i;

async function resetOperations() {
  const doc = await openApiDocument();
  const found = [];
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    const rest = path.replace(PLATFORM_PREFIX, "");
    // Only calls about the customer as a whole: a path naming something else ({passkey_id}) needs a list to pick from.
    const params = rest.match(/\{\w+\}/g) ?? [];
    if (!PLATFORM_PREFIX.test(path) || params.length !== 1 || params[0] !== "{user_id}" || !RESETTABLE.test(rest)) continue;
    for (const [method, op] of Object.entries(methods)) {
      const needsBody = op.requestBody?.required === true;
      if (method === "delete" || (method === "post" && !needsBody)) found.push({
        method: method.toUpperCase(),
        path: rest,
        // "resetCustomerSecondFactor" → "Reset customer second factor"; the summary says what it does.
        label: (op.operationId ?? `${method} ${rest}`).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase().replace(/^./, (c) => c.toUpperCase()),
        summary: (op.summary ?? "").replace(/^Extension: /, ""),
      });
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
          if (!confirm(`${op.label}? ${op.summary}`)) return;
          await api(op.method, op.path.replace("{user_id}", encodeURIComponent(user.user_id)));
          toast(`${op.label}: done.`);
        }) }, op.label))));
    }),
  };
}
