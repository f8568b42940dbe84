/** Small host-neutral helpers (Web APIs present in Node 20 and in browsers' workers). */

/**
 * A random UUID: `crypto.randomUUID` where it exists (secure contexts), else built from
 * `crypto.getRandomValues` (pages served over plain http from another host than localhost).
 */
export function uuid(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string; getRandomValues(a: Uint8Array): Uint8Array } }).crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  c!.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Base64 of bytes (for binary MIME data), without Node's Buffer. */
export function base64(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** UTF-8 bytes -> text. */
export function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
