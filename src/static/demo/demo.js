// The demo storefront: plain fetch against the storefront API, the session kept by the browser in the
// f.session cookie (credentials: "include"), the application credential sent as the Fynd SDK does.
import { installFactors } from "./factors.js";

const DEFAULTS = { api: location.origin, app_id: "000000000000000000000001", app_token: "demo-application-token" };
const params = new URLSearchParams(location.search);
const settings = {
  ...DEFAULTS,
  ...JSON.parse(localStorage.getItem("user-edge-demo") ?? "{}"),
  ...(params.get("api") ? { api: params.get("api") } : {}),
};
const $ = (selector) => document.querySelector(selector);
const state = { otpRequestId: null, registerEmail: null, registerToken: null, pendingEmail: null, unverifiedPhone: null };

function say(message, isError = false) {
  const status = $("#status");
  status.textContent = message;
  status.classList.toggle("error", isError);
}

async function api(method, path, body) {
  const res = await fetch(`${settings.api}/service/application/user${path}`, {
    method,
    credentials: "include",
    headers: {
      authorization: `Bearer ${btoa(`${settings.app_id}:${settings.app_token}`)}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.message ?? `HTTP ${res.status}`), { code: data.code, info: data.info });
  return data;
}

function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

function outboxHint(form, destination) {
  const hint = form.querySelector("[data-outbox-hint]");
  hint.textContent = "";
  const text = document.createTextNode("Local development: the code is in the dev outbox, ");
  const link = document.createElement("a");
  link.href = `${settings.api}/_dev/outbox?to=${encodeURIComponent(destination)}`;
  link.target = "_blank";
  link.textContent = `/_dev/outbox?to=${destination}`;
  hint.append(text, link, ".");
}

function handle(selector, action) {
  $(selector).addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter ?? event.target.querySelector("button");
    button.disabled = true;
    try {
      await action(event.target, event.submitter);
    } catch (error) {
      // Any login (password, OTP, registration) may need the second factor before it makes a session.
      if (error.code === "SECOND_FACTOR_REQUIRED") await factors.askForSecondFactor(error.info).catch((e) => say(e.message, true));
      else say(error.message, true);
    } finally {
      button.disabled = false;
    }
  });
}

function showUser(user) {
  $("#signed-out").hidden = Boolean(user);
  $("#signed-in").hidden = !user;
  if (!user) return;
  const view = $("#profile-view");
  view.replaceChildren();
  const rows = [
    ["Name", `${user.first_name} ${user.last_name}`.trim() || "—"],
    ["Emails", user.emails.map((e) => `${e.email}${e.primary ? " (primary)" : ""}${e.verified ? " ✓ verified" : " — not verified"}`).join(", ") || "—"],
    ["Phones", user.phone_numbers.map((p) => `+${p.country_code} ${p.phone}${p.verified ? " ✓ verified" : ""}`).join(", ") || "—"],
    ["Gender", user.gender ?? "—"],
    ["Date of birth", user.dob ? user.dob.slice(0, 10) : "—"],
  ];
  for (const [term, value] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value;
    view.append(dt, dd);
  }
  const unverifiedPhone = user.phone_numbers.find((p) => p.active !== false && !p.verified);
  state.unverifiedPhone = unverifiedPhone;
  $("#verify-phone").hidden = !unverifiedPhone;
  const form = $("#profile");
  form.first_name.value = user.first_name;
  form.last_name.value = user.last_name;
  form.gender.value = user.gender ?? "";
  form.dob.value = user.dob ? user.dob.slice(0, 10) : "";
}

// Only the newest session check may update the page: the one started on load can answer after a login.
let sessionCheck = 0;

async function refreshSession() {
  const check = ++sessionCheck;
  let user = null;
  try {
    ({ user } = await api("GET", "/authentication/v1.0/session"));
  } catch {
    user = null;
  }
  if (check !== sessionCheck) return;
  showUser(user);
  if (user) await Promise.all([refreshSessions(), factors.refresh()]).catch((e) => say(e.message, true));
}

async function refreshSessions() {
  const { sessions } = await api("GET", "/authentication/v1.0/sessions");
  const list = $("#sessions");
  list.replaceChildren(...sessions.map((id) => Object.assign(document.createElement("li"), { textContent: id })));
}

handle("#settings", async (form) => {
  Object.assign(settings, formData(form));
  localStorage.setItem("user-edge-demo", JSON.stringify({ app_id: settings.app_id, app_token: settings.app_token, api: settings.api }));
  say("Settings saved.");
  await refreshSession();
});

/** Shows the code form of a registration whose email must be verified before the first login. */
function askForEmailCode(email, registerToken) {
  state.registerEmail = email;
  state.registerToken = registerToken;
  const verify = $("#register-verify");
  verify.hidden = false;
  outboxHint(verify, email);
  verify.otp.focus();
}

handle("#login-password", async (form) => {
  const credentials = formData(form);
  try {
    const { user } = await api("POST", "/authentication/v1.0/login/password", credentials);
    form.reset();
    say(`Logged in as ${user.first_name || user.username}.`);
    await refreshSession();
  } catch (error) {
    // An account that never verified its email: ask for a code with the register_token, then verify as after registering.
    if (error.code !== "VERIFICATION_REQUIRED" || !error.info?.verify_email_otp || !credentials.username.includes("@")) throw error;
    const email = credentials.username.trim().toLowerCase();
    await api("POST", "/authentication/v1.0/otp/email/send", { email, register_token: error.info.register_token });
    askForEmailCode(email, error.info.register_token);
    say("Verify your email to log in: we sent you a code.");
  }
});

handle("#login-otp", async (form) => {
  const { mobile, country_code } = formData(form);
  const sent = await api("POST", "/authentication/v1.0/login/otp", { mobile, country_code });
  state.otpRequestId = sent.request_id;
  const verify = $("#login-otp-verify");
  verify.hidden = false;
  outboxHint(verify, `+${country_code}${mobile}`);
  verify.otp.focus();
  say("Code sent.");
});

handle("#login-otp-verify", async (form) => {
  await api("POST", "/authentication/v1.0/otp/mobile/verify", { request_id: state.otpRequestId, otp: formData(form).otp });
  form.reset();
  form.hidden = true;
  say("Logged in with a one-time code.");
  await refreshSession();
});

handle("#register", async (form) => {
  const data = formData(form);
  const result = await api("POST", "/authentication/v1.0/register/form", {
    first_name: data.first_name,
    last_name: data.last_name,
    email: data.email,
    password: data.password,
    ...(data.mobile ? { phone: { country_code: data.country_code, mobile: data.mobile } } : {}),
    consent: data.consent === "on",
  });
  // The password must not linger in the page once it has been sent.
  form.reset();
  if (result.verify_email_otp) {
    askForEmailCode(result.email ?? data.email, result.register_token);
    say("Account created: check your email for the code.");
  } else {
    say("Account created.");
    await refreshSession();
  }
});

handle("#register-verify", async (form) => {
  // With the register_token the code is the registration's: verifying it logs the new account in.
  await api("POST", "/authentication/v1.0/otp/email/verify", {
    email: state.registerEmail,
    otp: formData(form).otp,
    register_token: state.registerToken,
  });
  form.hidden = true;
  form.reset();
  say("Email verified: you are logged in.");
  await refreshSession();
});

handle("#profile", async (form) => {
  const data = formData(form);
  const body = { first_name: data.first_name, last_name: data.last_name };
  if (data.gender) body.gender = data.gender;
  if (data.dob) body.dob = new Date(`${data.dob}T00:00:00Z`).toISOString();
  const { user } = await api("POST", "/profile/v1.0/detail", body);
  showUser(user);
  say("Profile saved.");
});

// A mobile given at registration that the store did not ask to prove is only listed: Fynd's addMobileNumber
// (for a number already listed) sends it a verification link, and verifyMobile with the link's code proves it.
handle("#verify-phone", async (form, submitter) => {
  const phone = state.unverifiedPhone;
  if (submitter?.name !== "confirm") {
    await api("PUT", "/profile/v1.0/mobile", { phone: phone.phone, country_code: String(phone.country_code), active: true, primary: phone.primary, verified: false });
    outboxHint(form, `+${phone.country_code}${phone.phone}`);
    form.code.focus();
    say("Verification link sent to your mobile.");
    return;
  }
  await api("POST", "/authentication/v1.0/verify/mobile", { code: formData(form).code });
  form.reset();
  say("Mobile verified.");
  await refreshSession();
});

handle("#add-email", async (form) => {
  const { email } = formData(form);
  const { user } = await api("PUT", "/profile/v1.0/email", { email });
  form.reset();
  state.pendingEmail = email;
  showUser(user);
  const verify = $("#verify-email");
  verify.hidden = false;
  outboxHint(verify, email);
  verify.code.focus();
  say(`Verification link sent to ${email}.`);
});

handle("#verify-email", async (form) => {
  await api("POST", "/authentication/v1.0/verify/email", { code: formData(form).code });
  form.reset();
  form.hidden = true;
  say("Email verified.");
  await refreshSession();
});

$("#refresh-sessions").addEventListener("click", () => refreshSessions().catch((e) => say(e.message, true)));
$("#logout").addEventListener("click", async () => {
  try {
    await api("GET", "/authentication/v1.0/logout");
    say("Logged out.");
  } catch (error) {
    say(error.message, true);
  }
  await refreshSession();
});

const settingsForm = $("#settings");
settingsForm.api.value = settings.api;
settingsForm.app_id.value = settings.app_id;
settingsForm.app_token.value = settings.app_token;
const factors = installFactors({ api, say, handle, $, refreshSession });
factors.init().finally(refreshSession);
