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

/** Switch language; English is loaded on first use so it costs nothing at start-up. */
export async function setLocale(locale: Locale): Promise<void> {
  if (locale === 'en' && !i18n.global.availableLocales.includes('en')) {
    const en = await import('./locales/en.json')
    i18n.global.setLocaleMessage('en', en.default as MessageSchema)
  }
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  localStorage.setItem(STORAGE_KEY, locale)
}

export function savedLocale(): Locale {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN'
}
