import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN.json'

export type Locale = 'zh-CN' | 'en'
type MessageSchema = typeof zhCN
const STORAGE_KEY = 'sesv.locale'

const messages: Record<string, MessageSchema> = { 'zh-CN': zhCN }

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages,
})

/**
 * The texts of the regulator and feature screens (credit, plans, enterprises, templates, triage, rounds,
 * dashboard) live in features.<locale>.json, merged in when a route that needs them opens (meta.features),
 * so the first-load shell carries only what the field screens use. The chunk is precached: works offline.
 */
let features: Promise<void> | null = null

async function mergeFeatures(locale: Locale): Promise<void> {
  const mod =
    locale === 'en' ? await import('./locales/features.en.json') : await import('./locales/features.zh-CN.json')
  i18n.global.mergeLocaleMessage(locale, mod.default as unknown as MessageSchema)
}

export function loadFeatureMessages(): Promise<void> {
  features ??= Promise.all(i18n.global.availableLocales.map(l => mergeFeatures(l as Locale)))
    .then(() => undefined)
    .catch((err: unknown) => {
      features = null // a failed chunk load may succeed on the next navigation
      throw err
    })
  return features
}

/** Switch language; English is loaded on first use so it costs nothing at start-up. */
export async function setLocale(locale: Locale): Promise<void> {
  if (locale === 'en' && !i18n.global.availableLocales.includes('en')) {
    const en = await import('./locales/en.json')
    i18n.global.setLocaleMessage('en', en.default as MessageSchema)
    if (features) await mergeFeatures('en')
  }
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  localStorage.setItem(STORAGE_KEY, locale)
}

export function savedLocale(): Locale {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN'
}
