import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { EpochMetrics } from "@motif/core";
import { rasterizeScene, sceneToPng } from "./curves-png.js";
import { curvesScene, niceTicks } from "./curves-scene.js";
import { sceneToSvg } from "./curves-svg.js";
import { crc32 } from "./png-encoder.js";

const history: EpochMetrics[] = [1, 2, 3, 4].map((epoch) => ({
  epoch,
  loss: 4 / epoch,
  accuracy: 0.1 * epoch,
  valLoss: 4.5 / epoch + 0.2,
  valAccuracy: 0.08 * epoch,
  perplexity: null,
  tokensPerSecond: 100,
  elapsedSeconds: epoch,
  learningRate: 0.001,
}));

describe("curves", () => {
  it("picks nice ticks that cover the data", () => {
    expect(niceTicks(0, 4.3, 5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(niceTicks(0, 0.65, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
  });

  it("draws training and validation loss and accuracy in the SVG", () => {
    const svg = sceneToSvg(curvesScene(history, "demo v1 <test>"));
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain(">Loss</text>");
    expect(svg).toContain(">Accuracy</text>");
    expect(svg).toContain("demo v1 &lt;test&gt;");
    expect(svg.match(/<polyline [^>]*stroke="rgb\(31,119,180\)"/g)?.length).toBe(4); // per panel: the series and its legend swatch
    expect(svg.match(/stroke-dasharray/g)?.length).toBe(4);
  });

  it("encodes a valid PNG whose pixels contain both series colours", () => {
    const scene = curvesScene(history, "demo");
    const png = sceneToPng(scene);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    expect(view.getUint32(16)).toBe(scene.width);
    expect(view.getUint32(20)).toBe(scene.height);
    // Every chunk's CRC checks out, and IDAT inflates to the rendered scanlines.
    let offset = 8;
    const idat: Uint8Array[] = [];
    while (offset < png.length) {
      const length = view.getUint32(offset);
      const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
      expect(view.getUint32(offset + 8 + length)).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
      if (type === "IDAT") idat.push(png.subarray(offset + 8, offset + 8 + length));
      offset += 12 + length;
    }
    const rows = inflateSync(Buffer.concat(idat));
    const { rgb } = rasterizeScene(scene);
    expect(rows.length).toBe(scene.height * (1 + scene.width * 3));
    expect(rows.subarray(1, 1 + scene.width * 3)).toEqual(Buffer.from(rgb.subarray(0, scene.width * 3)));
    const hasColour = (r: number, g: number, b: number) => {
      for (let i = 0; i < rgb.length; i += 3)
        if (rgb[i] === r && rgb[i + 1] === g && rgb[i + 2] === b) return true;
      return false;
    };
    expect(hasColour(31, 119, 180)).toBe(true);
    expect(hasColour(255, 127, 14)).toBe(true);
  });
});
