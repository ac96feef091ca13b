import { inflateSync } from 'node:zlib';

/**
 * A small text extractor for the PDFs pdfkit writes with an embedded TrueType font: it inflates the streams, reads
 * each font's ToUnicode map, and decodes the glyph codes of every `Tj`/`TJ` in the page contents through the map of
 * the font selected with `Tf`. Answers one string per text-showing operator, in drawing order. Text that was not
 * written in a font with a ToUnicode map (e.g. the standard Helvetica, which cannot write Polish) is not found.
 */
export function pdfText(pdf: Buffer): string[] {
  const src = pdf.toString('latin1');
  const objects = new Map<number, { dict: string; stream: string | null }>();
  const objRe = /(\d+) 0 obj\s*/g;
  for (let m = objRe.exec(src); m; m = objRe.exec(src)) {
    const start = m.index + m[0].length;
    const streamAt = src.indexOf('stream', start);
    const endObj = src.indexOf('endobj', start);
    if (streamAt !== -1 && streamAt < endObj) {
      const dict = src.slice(start, streamAt);
      const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
      const dataStart = streamAt + 'stream'.length + (src[streamAt + 6] === '\r' ? 2 : 1);
      let data = pdf.subarray(dataStart, dataStart + length);
      if (/\/Filter \/FlateDecode/.test(dict)) data = inflateSync(data);
      objects.set(Number(m[1]), { dict, stream: data.toString('latin1') });
      objRe.lastIndex = dataStart + length;
    } else {
      objects.set(Number(m[1]), { dict: src.slice(start, endObj), stream: null });
    }
  }

  const cmaps = new Map<number, Map<number, string>>();
  const cmapOf = (fontRef: number): Map<number, string> => {
    let map = cmaps.get(fontRef);
    if (map) return map;
    map = new Map();
    const toUnicode = /\/ToUnicode (\d+) 0 R/.exec(objects.get(fontRef)?.dict ?? '')?.[1];
    const cmap = toUnicode ? (objects.get(Number(toUnicode))?.stream ?? '') : '';
    const hexText = (hex: string) =>
      String.fromCharCode(
        ...hex
          .trim()
          .split(/\s+/)
          .map((h) => parseInt(h, 16)),
      );
    for (const [, a, b, dst] of cmap.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*(\[[^\]]*\]|<[0-9a-f ]+>)/gi)) {
      const from = parseInt(a, 16);
      const to = parseInt(b, 16);
      if (dst.startsWith('[')) {
        [...dst.matchAll(/<([0-9a-f ]+)>/gi)].forEach(([, h], i) => map.set(from + i, hexText(h)));
      } else {
        const base = hexText(dst.slice(1, -1));
        for (let c = from; c <= to; c++) map.set(c, base.slice(0, -1) + String.fromCharCode(base.charCodeAt(base.length - 1) + c - from));
      }
    }
    for (const [, code, dst] of cmap.matchAll(/^<([0-9a-f]{4})>\s*<([0-9a-f ]+)>$/gim)) map.set(parseInt(code, 16), hexText(dst));
    cmaps.set(fontRef, map);
    return map;
  };

  const out: string[] = [];
  for (const { dict } of objects.values()) {
    if (!/\/Type \/Page\b/.test(dict)) continue;
    const contents = Number(/\/Contents (\d+) 0 R/.exec(dict)?.[1]);
    const resources = objects.get(Number(/\/Resources (\d+) 0 R/.exec(dict)?.[1]))?.dict ?? '';
    const fonts = new Map([...resources.matchAll(/\/(F\d+) (\d+) 0 R/g)].map(([, name, ref]) => [name, Number(ref)]));
    let font: Map<number, string> = new Map();
    const ops = objects.get(contents)?.stream ?? '';
    for (const [, fontName, array, single] of ops.matchAll(/\/(F\d+) [\d.]+ Tf|\[((?:<[0-9a-f]*>|[-\d.\s])*)\] TJ|<([0-9a-f]*)> Tj/gi)) {
      if (fontName) {
        font = cmapOf(fonts.get(fontName) ?? -1);
        continue;
      }
      const hexes = single !== undefined ? [single] : [...array.matchAll(/<([0-9a-f]*)>/gi)].map((h) => h[1]);
      let text = '';
      for (const hex of hexes) for (let i = 0; i + 4 <= hex.length; i += 4) text += font.get(parseInt(hex.slice(i, i + 4), 16)) ?? '\ufffd';
      out.push(text);
    }
  }
  return out;
}
