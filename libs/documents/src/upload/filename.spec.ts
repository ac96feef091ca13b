import { describe, expect, it } from 'vitest';
import { FALLBACK_FILENAME, MAX_FILENAME_BYTES, sanitizeFilename } from './filename.js';

describe('sanitizeFilename', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\win.ini', 'win.ini'],
    ['C:\\Users\\ann\\Desktop\\plan.docx', 'plan.docx'],
    ['..', FALLBACK_FILENAME],
    ['...pdf', 'pdf'],
    ['.htaccess', 'htaccess'],
    ['a\u0000b.txt', 'ab.txt'],
    ['inject\r\nX-Evil: 1.txt', 'injectX-Evil: 1.txt'],
    ['tab\there.csv', 'tabhere.csv'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['\u2066isolate\u2069.md', 'isolate.md'],
    ['  spaced   out  .txt  ', 'spaced out .txt'],
    ['trailing dots...', 'trailing dots'],
    ['', FALLBACK_FILENAME],
    [undefined, FALLBACK_FILENAME],
    ['\u0001\u0002', FALLBACK_FILENAME],
    ['Zażółć gęślą jaźń.pdf', 'Zażółć gęślą jaźń.pdf'],
  ])('%j → %j', (raw, expected) => {
    expect(sanitizeFilename(raw)).toBe(expected);
  });

  it('caps long names in UTF-8 bytes, keeping the extension and whole characters', () => {
    const out = sanitizeFilename(`${'ż'.repeat(300)}.pdf`);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
    expect(out).toMatch(/^ż+\.pdf$/);
    expect(sanitizeFilename('x'.repeat(1000))).toBe('x'.repeat(MAX_FILENAME_BYTES));
  });
});
