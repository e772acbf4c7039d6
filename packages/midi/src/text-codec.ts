// TextEncoder/TextDecoder are not part of ES2022 (this package is platform-free), and MIDI text is
// often Latin-1 anyway, so the tiny UTF-8 codec lives here.

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, like TextEncoder). */
export function encodeUtf8(text: string): number[] {
  const out: number[] = [];
  for (const char of text) {
    let code = char.codePointAt(0) ?? 0xfffd;
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else
      out.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 63),
        0x80 | ((code >> 6) & 63),
        0x80 | (code & 63),
      );
  }
  return out;
}

/** Decodes UTF-8 when the bytes are valid UTF-8, otherwise reads them as Latin-1 (old MIDI files). */
export function decodeText(bytes: Uint8Array): string {
  return decodeUtf8Strict(bytes) ?? decodeLatin1(bytes);
}

function sequenceLength(first: number): number {
  if (first < 0x80) return 1;
  if (first >= 0xc2 && first < 0xe0) return 2;
  if (first >= 0xe0 && first < 0xf0) return 3;
  if (first >= 0xf0 && first < 0xf5) return 4;
  return 0;
}

const SMALLEST_CODE_FOR_LENGTH = [0, 0, 0x80, 0x800, 0x10000];
// Code points are turned into text in blocks, so memory stays proportional to the text and a
// long text event cannot overflow the argument list of String.fromCodePoint.
const BLOCK = 8192;

function decodeUtf8Strict(bytes: Uint8Array): string | null {
  let text = "";
  let block: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const first = bytes[i]!;
    const length = sequenceLength(first);
    if (length === 0 || i + length > bytes.length) return null;
    let code = length === 1 ? first : first & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k]!;
      if ((next & 0xc0) !== 0x80) return null;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < SMALLEST_CODE_FOR_LENGTH[length]! || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return null;
    block.push(code);
    if (block.length === BLOCK) {
      text += String.fromCodePoint(...block);
      block = [];
    }
    i += length;
  }
  return text + String.fromCodePoint(...block);
}

function decodeLatin1(bytes: Uint8Array): string {
  let text = "";
  for (let start = 0; start < bytes.length; start += BLOCK)
    text += String.fromCharCode(...bytes.subarray(start, start + BLOCK));
  return text;
}
