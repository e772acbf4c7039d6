// Scene → pixels → PNG, in plain JS: rectangles, thick (optionally dashed) polylines, bitmap text.
import { GLYPH_ADVANCE, GLYPH_HEIGHT, glyphPixels } from "./bitmap-font.js";
import type { Rgb, Scene, Shape } from "./curves-scene.js";
import { encodePng } from "./png-encoder.js";

class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 3).fill(255);
  }

  set(x: number, y: number, [r, g, b]: Rgb): void {
    const px = Math.round(x);
    const py = Math.round(y);
    if (px < 0 || py < 0 || px >= this.width || py >= this.height) return;
    const i = (py * this.width + px) * 3;
    this.pixels[i] = r;
    this.pixels[i + 1] = g;
    this.pixels[i + 2] = b;
  }

  fillRect(x: number, y: number, width: number, height: number, color: Rgb): void {
    for (let py = Math.round(y); py < Math.round(y + height); py++)
      for (let px = Math.round(x); px < Math.round(x + width); px++) this.set(px, py, color);
  }

  /** A polyline of the given width; dashes are 6 px on, 4 px off, continuing across joints. */
  polyline(points: readonly (readonly [number, number])[], color: Rgb, width: number, dashed: boolean): void {
    let travelled = 0;
    const radius = (width - 1) / 2;
    for (let i = 1; i < points.length; i++) {
      const [x0, y0] = points[i - 1]!;
      const [x1, y1] = points[i]!;
      const length = Math.hypot(x1 - x0, y1 - y0);
      const steps = Math.max(1, Math.ceil(length * 2));
      for (let s = 0; s <= steps; s++) {
        const along = travelled + (length * s) / steps;
        if (dashed && along % 10 >= 6) continue;
        const x = x0 + ((x1 - x0) * s) / steps;
        const y = y0 + ((y1 - y0) * s) / steps;
        this.fillRect(x - radius, y - radius, Math.max(1, width), Math.max(1, width), color);
      }
      travelled += length;
    }
  }

  text(
    x: number,
    baseline: number,
    text: string,
    size: number,
    anchor: "start" | "middle" | "end",
    color: Rgb,
  ): void {
    const scale = size >= 14 ? 2 : 1;
    const textWidth = (text.length * GLYPH_ADVANCE - 1) * scale;
    const left = anchor === "start" ? x : anchor === "middle" ? x - textWidth / 2 : x - textWidth;
    const top = baseline - GLYPH_HEIGHT * scale;
    [...text].forEach((char, index) => {
      for (const [gx, gy] of glyphPixels(char)) {
        this.fillRect(left + (index * GLYPH_ADVANCE + gx) * scale, top + gy * scale, scale, scale, color);
      }
    });
  }
}

function draw(canvas: Canvas, shape: Shape): void {
  switch (shape.kind) {
    case "rect":
      canvas.fillRect(shape.x, shape.y, shape.width, shape.height, shape.fill);
      if (shape.stroke) {
        const { x, y, width, height } = shape;
        canvas.polyline(
          [
            [x, y],
            [x + width, y],
            [x + width, y + height],
            [x, y + height],
            [x, y],
          ],
          shape.stroke,
          1,
          false,
        );
      }
      return;
    case "line":
      canvas.polyline(shape.points, shape.color, shape.width, shape.dashed);
      return;
    case "text":
      canvas.text(shape.x, shape.y, shape.text, shape.size, shape.anchor, shape.color);
      return;
  }
}

export function rasterizeScene(scene: Scene): { width: number; height: number; rgb: Uint8Array } {
  const canvas = new Canvas(scene.width, scene.height);
  for (const shape of scene.shapes) draw(canvas, shape);
  return { width: canvas.width, height: canvas.height, rgb: canvas.pixels };
}

export function sceneToPng(scene: Scene): Uint8Array {
  const { width, height, rgb } = rasterizeScene(scene);
  return encodePng(width, height, rgb);
}
