// PNG → single-frame YUV4MPEG2 (4:2:0) for Chromium's --use-file-for-fake-video-capture. Pure Node (pngjs).
import { PNG } from 'pngjs'

export function pngToY4m(png: Buffer, pad = 24): Buffer {
  const img = PNG.sync.read(png)
  const width = (img.width + 2 * pad + 1) & ~1
  const height = (img.height + 2 * pad + 1) & ~1
  const rgbAt = (x: number, y: number): [number, number, number] => {
    const sx = x - pad
    const sy = y - pad
    if (sx < 0 || sy < 0 || sx >= img.width || sy >= img.height) return [255, 255, 255]
    const i = (sy * img.width + sx) * 4
    const a = img.data[i + 3]! / 255
    const blend = (c: number) => Math.round(c * a + 255 * (1 - a))
    return [blend(img.data[i]!), blend(img.data[i + 1]!), blend(img.data[i + 2]!)]
  }
  const yPlane = Buffer.alloc(width * height)
  const uPlane = Buffer.alloc((width / 2) * (height / 2))
  const vPlane = Buffer.alloc((width / 2) * (height / 2))
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgbAt(x, y)
      yPlane[y * width + x] = Math.round(0.299 * r + 0.587 * g + 0.114 * b)
    }
  }
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      let r = 0
      let g = 0
      let b = 0
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
        const [pr, pg, pb] = rgbAt(x + dx, y + dy)
        r += pr / 4
        g += pg / 4
        b += pb / 4
      }
      const i = (y / 2) * (width / 2) + x / 2
      uPlane[i] = Math.max(0, Math.min(255, Math.round(-0.168736 * r - 0.331264 * g + 0.5 * b + 128)))
      vPlane[i] = Math.max(0, Math.min(255, Math.round(0.5 * r - 0.418688 * g - 0.081312 * b + 128)))
    }
  }
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`, 'ascii')
  return Buffer.concat([header, Buffer.from('FRAME\n', 'ascii'), yPlane, uPlane, vPlane])
}
