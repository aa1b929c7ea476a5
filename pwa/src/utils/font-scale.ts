// 字体大小: the root font every rem size follows; kept on this phone (not per account: it is about the eyes holding it).
// 长辈版 (elder) doubles the text and keeps the home screen to the two main actions
export const FONT_SCALES = ['standard', 'large', 'xlarge', 'elder'] as const
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

export function isElderMode(): boolean {
  return savedFontScale() === 'elder'
}

export function setFontScale(scale: FontScale): void {
  localStorage.setItem(STORAGE_KEY, scale)
  applyFontScale(scale)
}
