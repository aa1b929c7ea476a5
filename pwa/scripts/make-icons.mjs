// Draws the app icons (a white shield with a check on blue) into public/. Run once: node scripts/make-icons.mjs
import { writeFileSync } from 'node:fs'
import { PNG } from 'pngjs'

function inShield(x, y) {
  // x, y in [0,1]; shield: rectangle top, pointed bottom
  if (y < 0.22 || y > 0.82 || x < 0.26 || x > 0.74) return false
  if (y < 0.55) return true
  const half = 0.24 * (0.82 - y) / 0.27
  return Math.abs(x - 0.5) <= half
}

function onCheck(x, y) {
  const d = (ax, ay, bx, by) => {
    const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)))
    return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)))
  }
  return Math.min(d(0.38, 0.47, 0.47, 0.57), d(0.47, 0.57, 0.63, 0.38)) < 0.035
}

function icon(size, maskable) {
  const png = new PNG({ width: size, height: size })
  const pad = maskable ? 0.1 : 0
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const i = (py * size + px) * 4
      const x = (px / size - pad) / (1 - 2 * pad)
      const y = (py / size - pad) / (1 - 2 * pad)
      let rgb = [22, 119, 255]
      if (inShield(x, y)) rgb = onCheck(x, y) ? [22, 119, 255] : [255, 255, 255]
      png.data.set([...rgb, 255], i)
    }
  }
  return PNG.sync.write(png)
}

writeFileSync('public/pwa-192x192.png', icon(192, false))
writeFileSync('public/pwa-512x512.png', icon(512, false))
writeFileSync('public/maskable-512x512.png', icon(512, true))
