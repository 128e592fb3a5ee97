// Passkeys and the TOTP second factor on the demo storefront (user-edge extensions). WebAuthn options
// and responses travel as JSON: PublicKeyCredential.parse*OptionsFromJSON in, credential.toJSON() out.

const fromB64url = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4)), (c) => c.charCodeAt(0));
const toB64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

// Browsers without the JSON helpers of WebAuthn Level 3 (older Safari): the same conversions by hand.
function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromB64url(json.challenge),
    user: { ...json.user, id: fromB64url(json.user.id) },
    excludeCredentials: (json.excludeCredentials ?? []).map((c) => ({ ...c, id: fromB64url(c.id) })),
  };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: fromB64url(json.challenge), allowCredentials: (json.allowCredentials ?? []).map((c) => ({ ...c, id: fromB64url(c.id) })) };
}

function credentialJSON(credential) {
  if (credential.toJSON) return credential.toJSON();
  const r = credential.response;
  const response = r.attestationObject
    ? { clientDataJSON: toB64url(r.clientDataJSON), attestationObject: toB64url(r.attestationObject), transports: r.getTransports?.() ?? [] }
    : {
        clientDataJSON: toB64url(r.clientDataJSON),
        authenticatorData: toB64url(r.authenticatorData),
        signature: toB64url(r.signature),
        ...(r.userHandle ? { userHandle: toB64url(r.userHandle) } : {}),
      };
  return { id: credential.id, rawId: toB64url(credential.rawId), type: credential.type, response, clientExtensionResults: credential.getClientExtensionResults() };
}

const svgImage = (svg) => `data:image/svg+xml;base64,${btoa(svg)}`;

/** Wires the passkey and two-factor forms; `page` brings the demo's api/say/handle/$ and refreshSession. */
export function installFactors({ api, say, handle, $, refreshSession }) {
  let mfaTicket = null;
  // The autofill (conditional UI) request waits in the background; an explicit sign-in replaces it.
  let conditional = null;

  async function signInWithPasskey(options, mediation) {
    conditional?.abort();
    const abort = new AbortController();
    if (mediation) conditional = abort;
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options), signal: abort.signal, ...(mediation ? { mediation } : {}) });
    const { user } = await api("POST", "/authentication/v1.0/login/passkey", { response: credentialJSON(credential) });
    say(`Signed in with a passkey as ${user.first_name || user.username}.`);
    await refreshSession();
  }

  async function offerAutofill() {
    if (!window.PublicKeyCredential?.isConditionalMediationAvailable || !(await PublicKeyCredential.isConditionalMediationAvailable())) return;
    try {
      const { options } = await api("POST", "/authentication/v1.0/login/passkey/options", {});
      await signInWithPasskey(options, "conditional");
    } catch (error) {
      // Aborted by an explicit sign-in, passkeys off for the store, or the user picked no passkey.
      if (error.name !== "AbortError" && error.code !== "PASSKEYS_DISABLED") console.info("passkey autofill:", error.message);
    }
  }

  handle("#login-passkey", async (form) => {
    const username = new FormData(form).get("username")?.trim();
    const { options } = await api("POST", "/authentication/v1.0/login/passkey/options", username ? { username } : {});
    await signInWithPasskey(options);
    form.reset();
  });

  /** A login answered SECOND_FACTOR_REQUIRED: ask for the code (or, when the store requires it, set the app up first). */
  async function askForSecondFactor(info) {
    mfaTicket = info.mfa_ticket;
    // The password was sent; it must not linger in the page.
    $("#login-password").reset();
    const form = $("#login-second-factor");
    const enrolling = info.methods.includes("totp_enroll");
    $("#login-totp-setup").hidden = !enrolling;
    $("#login-second-factor-hint").hidden = enrolling;
    if (enrolling) {
      const enrollment = await api("POST", "/authentication/v1.0/login/mfa/enroll", { mfa_ticket: mfaTicket });
      $("#login-totp-qr").src = svgImage(enrollment.qr_svg);
      $("#login-totp-secret").textContent = enrollment.secret;
    }
    form.hidden = false;
    form.code.focus();
    say(enrolling ? "Set up two-factor authentication to finish logging in." : "Enter your authentication code.");
  }

  const proof = (value) => (/^\d{6}$/.test(value.trim()) ? { code: value.trim() } : { recovery_code: value.trim() });

  handle("#login-second-factor", async (form) => {
    const result = await api("POST", "/authentication/v1.0/login/mfa", { mfa_ticket: mfaTicket, ...proof(form.code.value) });
    mfaTicket = null;
    form.reset();
    form.hidden = true;
    say(`Logged in with two-factor authentication as ${result.user.first_name || result.user.username}.`);
    await refreshSession();
    if (result.recovery_codes) showRecoveryCodes(result.recovery_codes);
  });

  async function refreshPasskeys() {
    const { items } = await api("GET", "/profile/v1.0/passkeys");
    $("#passkeys").replaceChildren(
      ...items.map((p) => {
        const item = document.createElement("li");
        item.textContent = `${p.name} (added ${p.created_at.slice(0, 10)}${p.backed_up ? ", synced" : ""})`;
        const remove = Object.assign(document.createElement("button"), { type: "button", className: "secondary", textContent: "Remove" });
        remove.setAttribute("aria-label", `Remove passkey ${p.name}`);
        remove.addEventListener("click", async () => {
          try {
            await api("DELETE", `/profile/v1.0/passkeys/${p.id}`);
            say(`Passkey ${p.name} removed.`);
            await refreshPasskeys();
          } catch (error) {
            say(error.message, true);
          }
        });
        item.append(remove);
        return item;
      }),
    );
  }

  handle("#add-passkey", async (form) => {
    const { options } = await api("POST", "/profile/v1.0/passkeys/options");
    conditional?.abort();
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    const name = new FormData(form).get("name")?.trim();
    const { passkey } = await api("POST", "/profile/v1.0/passkeys", { response: credentialJSON(credential), ...(name ? { name } : {}) });
    form.reset();
    say(`Passkey "${passkey.name}" added.`);
    await refreshPasskeys();
  });

  function showRecoveryCodes(codes) {
    $("#recovery-codes").replaceChildren(...codes.map((code) => Object.assign(document.createElement("li"), { textContent: code })));
    $("#recovery-codes-panel").hidden = false;
  }

  async function refreshTotp() {
    const status = await api("GET", "/profile/v1.0/mfa");
    $("#totp-section").hidden = !status.offered;
    $("#totp-state").textContent = status.totp.enabled
      ? `Two-factor authentication is on (${status.recovery_codes_left} recovery codes left).`
      : "Two-factor authentication is off.";
    $("#totp-enroll").hidden = status.totp.enabled;
    $("#totp-disable").hidden = !status.totp.enabled;
  }

  handle("#totp-enroll", async () => {
    const enrollment = await api("POST", "/profile/v1.0/mfa/totp");
    const confirm = $("#totp-confirm");
    $("#totp-qr").src = svgImage(enrollment.qr_svg);
    $("#totp-secret").textContent = enrollment.secret;
    confirm.hidden = false;
    confirm.code.focus();
    say("Scan the QR code with your authenticator app, then enter the code it shows.");
  });

  handle("#totp-confirm", async (form) => {
    const { recovery_codes } = await api("POST", "/profile/v1.0/mfa/totp/confirm", { code: form.code.value.trim() });
    form.reset();
    form.hidden = true;
    showRecoveryCodes(recovery_codes);
    say("Two-factor authentication is on.");
    await refreshTotp();
  });

  handle("#totp-disable", async (form) => {
    await api("POST", "/profile/v1.0/mfa/totp/disable", proof(form.code.value));
    form.reset();
    $("#recovery-codes-panel").hidden = true;
    say("Two-factor authentication is off.");
    await refreshTotp();
  });

  let passkeysOn = false;

  return {
    askForSecondFactor,
    /** Shows the passkey forms only when the store has passkeys on, and offers passkeys in the username autofill. */
    async init() {
      const config = await api("GET", "/platform/v1.0/config").catch(() => ({}));
      passkeysOn = Boolean(config.passkeys?.enabled) && Boolean(window.PublicKeyCredential);
      $("#login-passkey").hidden = !passkeysOn;
      $("#passkeys-section").hidden = !passkeysOn;
      if (passkeysOn) offerAutofill();
    },
    /** The signed-in view's passkeys and two-factor state. */
    async refresh() {
      await Promise.all([passkeysOn ? refreshPasskeys() : undefined, refreshTotp()]);
    },
  };
}
