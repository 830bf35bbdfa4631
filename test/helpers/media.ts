// Decoders strict enough to prove generated media is real: a PNG's signature, every chunk's CRC, its IHDR and
// inflatable IDAT; a WAV's RIFF/WAVE header, PCM fmt chunk and data length.
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { crc32 } from '../../src/lib/png.js';

export function parsePng(buf: Buffer): { width: number; height: number; pixels: Buffer } {
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  let sawEnd = false;
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    const crc = buf.readUInt32BE(off + 8 + len);
    assert.equal(crc, crc32(buf.subarray(off + 4, off + 8 + len)), `CRC of ${type}`);
    if (type === 'IHDR') {
      assert.equal(off, 8, 'IHDR comes first');
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, 'bit depth');
      assert.equal(data[9], 2, 'colour type RGB');
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') sawEnd = true;
    off += 12 + len;
  }
  assert.ok(sawEnd, 'IEND');
  assert.ok(width > 0 && height > 0);
  const pixels = inflateSync(Buffer.concat(idat));
  assert.equal(pixels.length, height * (1 + width * 3), 'IDAT size');
  return { width, height, pixels };
}

export function parseWav(buf: Buffer): { sampleRate: number; samples: number } {
  assert.equal(buf.toString('ascii', 0, 4), 'RIFF');
  assert.equal(buf.readUInt32LE(4), buf.length - 8, 'RIFF size');
  assert.equal(buf.toString('ascii', 8, 12), 'WAVE');
  assert.equal(buf.toString('ascii', 12, 16), 'fmt ');
  assert.equal(buf.readUInt16LE(20), 1, 'PCM');
  const channels = buf.readUInt16LE(22);
  const sampleRate = buf.readUInt32LE(24);
  const bits = buf.readUInt16LE(34);
  assert.equal(buf.readUInt32LE(28), (sampleRate * channels * bits) / 8, 'byte rate');
  assert.equal(buf.toString('ascii', 36, 40), 'data');
  const dataLen = buf.readUInt32LE(40);
  assert.equal(dataLen, buf.length - 44, 'data size');
  return { sampleRate, samples: dataLen / ((channels * bits) / 8) };
}

/** the bytes of a `data:<mime>;base64,` URL, checking its media type */
export function dataUrlBytes(url: string, mime: string): Buffer {
  const prefix = `data:${mime};base64,`;
  assert.ok(url.startsWith(prefix), `expected a ${mime} data URL, got ${url.slice(0, 40)}`);
  return Buffer.from(url.slice(prefix.length), 'base64');
}
