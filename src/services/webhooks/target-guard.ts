/**
 * SSRF guard for webhook URLs, checked when an endpoint is saved and again before every POST.
 * Production: https only, and never a host that names this machine, a private network, link-local
 * space or a cloud metadata service, whether as an IP literal or as such a hostname. With local
 * targets allowed (development), http and https to loopback (localhost, 127.0.0.1, [::1]) pass too.
 * Workers resolve DNS outside our code, so a public name that resolves to a private address is not
 * caught here (see the README: what Workers allow about DNS rebinding).
 */

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

const BLOCKED_SUFFIXES = [".localhost", ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home.arpa", ".corp", ".private"];
const BLOCKED_NAMES = new Set(["localhost", "metadata", "instance-data", "metadata.google.internal", "metadata.azure.com"]);
const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** IPv4 ranges no webhook may target: [network address, prefix length]. */
const BLOCKED_V4: [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

function v4Number(address: string): number | undefined {
  const parts = address.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function blockedV4(address: string): boolean {
  const n = v4Number(address);
  if (n === undefined) return false;
  return BLOCKED_V4.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(v4Number(base)! / 2 ** (32 - bits)));
}

/** The 8 groups of an IPv6 address (URL hostnames are already normalised and bracketed). */
function v6Groups(address: string): number[] | undefined {
  let text = address.replace(/^\[|\]$/g, "").toLowerCase();
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const n = v4Number(v4Tail[1]!);
    if (n === undefined) return undefined;
    text = text.slice(0, -v4Tail[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = text.includes("::") ? 8 - left.length - right.length : 0;
  const groups = [...left, ...Array<string>(missing).fill("0"), ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

function blockedV6(address: string): boolean {
  const g = v6Groups(address);
  if (!g) return true; // unparseable literal: refuse rather than guess
  const first = g[0]!;
  if (g.every((x) => x === 0)) return true; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return true; // ::1
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local (fd00:ec2::254 metadata too)
  if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((first & 0xff00) === 0xff00) return true; // multicast
  if (first === 0x2001 && g[1] === 0x0db8) return true; // documentation
  const embedsV4 =
    (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) || // ::ffff:a.b.c.d, ::a.b.c.d
    (first === 0x64 && g[1] === 0xff9b); // NAT64
  if (embedsV4) return blockedV4(`${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`);
  return false;
}

function blockedHost(hostname: string): boolean {
  const host = hostname.replace(/\.$/, "").toLowerCase();
  if (host.startsWith("[")) return blockedV6(host);
  if (v4Number(host) !== undefined) return blockedV4(host);
  if (!host.includes(".")) return true; // single-label names resolve on internal networks only
  return BLOCKED_NAMES.has(host) || BLOCKED_SUFFIXES.some((s) => host.endsWith(s));
}

export function checkTarget(raw: string, options: { allowLoopback: boolean }): TargetCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a valid absolute URL" };
  }
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL are not allowed (put them in the path or a query parameter)" };
  const loopback = LOOPBACK_NAMES.has(url.hostname.toLowerCase());
  if (options.allowLoopback && loopback && (url.protocol === "http:" || url.protocol === "https:")) return { ok: true, url };
  if (url.protocol !== "https:") return { ok: false, reason: "must be an https:// URL" };
  if (blockedHost(url.hostname)) return { ok: false, reason: "must be a public host (not loopback, private, link-local or a metadata service)" };
  return { ok: true, url };
}
