// Draws logo-32x32.png and logo-64x64.png: the same picture as logo-svg.svg (four rising
// bars, the last one highlighted, on a rounded navy square), rasterised with 4x4 supersampling.
// Run: node jupyter-config/kernelspec/draw-logos.mjs
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const navy = [0x1b, 0x3a, 0x5c];
const teal = [0x5e, 0xc4, 0xb6];
const amber = [0xf2, 0xb8, 0x4b];
// Shapes in the SVG's 64-unit space: [x, y, w, h, r, color].
const shapes = [
  [2, 2, 60, 60, 12, navy],
  [10, 36, 9, 18, 2, teal],
  [22, 27, 9, 27, 2, teal],
  [34, 18, 9, 36, 2, teal],
  [46, 10, 9, 44, 2, amber],
];

function inside([x, y, w, h, r], px, py) {
  if (px < x || py < y || px > x + w || py > y + h) return false;
  const cx = Math.min(Math.max(px, x + r), x + w - r);
  const cy = Math.min(Math.max(py, y + r), y + h - r);
  return (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
}

function render(size) {
  const s = 4;
  const rows = [];
  for (let j = 0; j < size; j++) {
    const row = [0];
    for (let i = 0; i < size; i++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sj = 0; sj < s; sj++) for (let si = 0; si < s; si++) {
        const px = ((i + (si + 0.5) / s) * 64) / size;
        const py = ((j + (sj + 0.5) / s) * 64) / size;
        let color;
        for (const shape of shapes) if (inside(shape, px, py)) color = shape[5];
        if (color) { r += color[0]; g += color[1]; b += color[2]; a += 255; }
      }
      const n = s * s;
      const cover = a / 255;
      row.push(cover ? Math.round(r / cover) : 0, cover ? Math.round(g / cover) : 0, cover ? Math.round(b / cover) : 0, Math.round(a / n));
    }
    rows.push(Buffer.from(row));
  }
  return png(size, size, Buffer.concat(rows));
}

function crc32(buf) {
  let c = ~0;
  for (const byte of buf) { c ^= byte; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
  return ~c >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function png(w, h, raw) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const dir = new URL('.', import.meta.url);
writeFileSync(new URL('logo-32x32.png', dir), render(32));
writeFileSync(new URL('logo-64x64.png', dir), render(64));
