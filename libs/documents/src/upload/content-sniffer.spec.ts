import { describe, expect, it } from 'vitest';
import { ALLOWED_SAMPLES, REFUSED_SAMPLES } from '../../../../test/support/documents.js';
import { sniffContent, textContentType, Utf8TextCheck } from './content-sniffer.js';

describe('sniffContent', () => {
  it.each(ALLOWED_SAMPLES)('accepts %s as %s', async (name, bytes, expected) => {
    const sniffed = await sniffContent(bytes, true);
    const contentType = sniffed.kind === 'text' ? textContentType(name) : sniffed.kind === 'binary' ? sniffed.contentType : sniffed.reason;
    expect(contentType).toBe(expected);
  });

  it.each(REFUSED_SAMPLES)('refuses %s', async (_why, _name, bytes) => {
    expect((await sniffContent(bytes, true)).kind).toBe('refused');
  });

  it('tells a plain ZIP from an Office document by its entries, not its name', async () => {
    const [, zip] = ALLOWED_SAMPLES.find(([n]) => n === 'bundle.zip')!;
    expect(await sniffContent(zip, true)).toEqual({ kind: 'binary', contentType: 'application/zip' });
  });

  it('lets a head end inside a multi-byte character when more is coming, not at the end of the file', async () => {
    const cut = Buffer.from('zażółć').subarray(0, 3);
    expect((await sniffContent(cut, false)).kind).toBe('text');
    expect((await sniffContent(cut, true)).kind).toBe('refused');
  });
});

describe('Utf8TextCheck', () => {
  it('follows characters split across chunks, and refuses a NUL or a bad byte later in the file', () => {
    const bytes = Buffer.from('ółć');
    const ok = new Utf8TextCheck();
    expect([ok.update(bytes.subarray(0, 1)), ok.update(bytes.subarray(1)), ok.end()]).toEqual([true, true, true]);
    const nul = new Utf8TextCheck();
    expect([nul.update(Buffer.from('fine')), nul.update(Buffer.from([0x41, 0]))]).toEqual([true, false]);
    const bad = new Utf8TextCheck();
    expect([bad.update(Buffer.from('fine')), bad.update(Buffer.from([0xc3, 0x28]))]).toEqual([true, false]);
  });
});
