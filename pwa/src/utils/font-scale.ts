// 字体大小: the root font every rem size follows; kept on this phone (not per account: it is about the eyes holding it).
export const FONT_SCALES = ['standard', 'large', 'xlarge'] as const
export type FontScale = (typeof FONT_SCALES)[number]
const STORAGE_KEY = 'sesv.fontScale'

export function savedFontScale(): FontScale {
  const saved = localStorage.getItem(STORAGE_KEY)
  return FONT_SCALES.includes(saved as FontScale) ? (saved as FontScale) : 'standard'
}

export function applyFontScale(scale: FontScale): void {
  if (scale === 'standard') delete document.documentElement.dataset.fontScale
  else document.documentElement.dataset.fontScale = scale
}

export function setFontScale(scale: FontScale): void {
  localStorage.setItem(STORAGE_KEY, scale)
  applyFontScale(scale)
}
