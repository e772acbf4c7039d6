// Scene → SVG text, written by hand (no dependencies).
import type { Rgb, Scene, Shape } from "./curves-scene.js";

const color = ([r, g, b]: Rgb) => `rgb(${r},${g},${b})`;
const num = (v: number) => String(Math.round(v * 10) / 10);

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function shapeToSvg(shape: Shape): string {
  switch (shape.kind) {
    case "rect":
      return `<rect x="${num(shape.x)}" y="${num(shape.y)}" width="${num(shape.width)}" height="${num(shape.height)}" fill="${color(shape.fill)}"${shape.stroke ? ` stroke="${color(shape.stroke)}"` : ""}/>`;
    case "line": {
      const points = shape.points.map(([x, y]) => `${num(x)},${num(y)}`).join(" ");
      const dash = shape.dashed ? ` stroke-dasharray="6 4"` : "";
      return `<polyline points="${points}" fill="none" stroke="${color(shape.color)}" stroke-width="${shape.width}"${dash} stroke-linejoin="round"/>`;
    }
    case "text":
      return `<text x="${num(shape.x)}" y="${num(shape.y)}" font-size="${shape.size}" text-anchor="${shape.anchor}" fill="${color(shape.color)}">${escapeXml(shape.text)}</text>`;
  }
}

export function sceneToSvg(scene: Scene): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="sans-serif">`,
    ...scene.shapes.map((shape) => `  ${shapeToSvg(shape)}`),
    "</svg>",
    "",
  ].join("\n");
}
