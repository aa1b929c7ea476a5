import { describe, expect, it } from 'vitest'
import en from '@/i18n/locales/en.json'
import featuresEn from '@/i18n/locales/features.en.json'
import featuresZh from '@/i18n/locales/features.zh-CN.json'
import zh from '@/i18n/locales/zh-CN.json'

/** Every source file of the app, path relative to src/ → its text. */
const sources: [string, string][] = Object.entries(
  import.meta.glob<string>('/src/**/*.{vue,ts}', { query: '?raw', import: 'default', eager: true }),
).map(([path, text]) => [path.replace('/src/', ''), text])

function leaves(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? leaves(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}

/** i18n keys written literally in a source file: t('a.b'), $t("a.b"), title: 'a.b' in route meta. */
function literalKeys(source: string, blocks: string[]): string[] {
  const pattern = new RegExp(
    `(?:\\bt\\(|\\$t\\(|title: )\\s*['"\`]((?:${blocks.join('|')})\\.[a-zA-Z][\\w.]*)['"\`]`,
    'g',
  )
  return [...source.matchAll(pattern)].map(m => m[1]!)
}

const featureBlocks = Object.keys(featuresZh)
/** Views opened only through routes with meta.features, and their domain components (the feature texts are loaded by then). */
const FEATURE_DIRS = [
  'views/credit/',
  'views/plans/',
  'views/admin/',
  'views/enterprises/',
  'views/complaints/',
  'views/mutual/',
  'views/queue/',
  'views/reports/',
  'views/users/',
  'views/org/',
  'views/measures/',
  'components/users/',
  'components/org/',
  'components/credit/',
  'components/plans/',
  'components/templates/',
  'components/enterprises/',
  'components/reports/',
  'components/devices/DeviceLabels.vue',
  'components/devices/DeviceMaintenance.vue',
  'components/devices/DeviceAccessories.vue',
  'components/devices/DeviceAttachments.vue',
  'components/devices/DeviceHistory.vue',
  'components/devices/DeviceWorkRecords.vue',
  'views/maintenance/ContractListView.vue',
  'views/public/PlanPublicView.vue',
  'views/public/DisclosureView.vue',
  'views/me/NotificationSettingsView.vue',
  'router/routes.ts',
]

describe('i18n messages', () => {
  it('has every key in both languages, for the shell and for the feature screens', () => {
    expect(leaves(en).sort()).toEqual(leaves(zh).sort())
    expect(leaves(featuresEn).sort()).toEqual(leaves(featuresZh).sort())
  })

  it('keeps shell and feature blocks apart', () => {
    expect(featureBlocks.length).toBeGreaterThan(0)
    expect(featureBlocks.filter(b => b in zh)).toEqual([])
  })

  it('uses feature texts only in screens that load them first', () => {
    const misplaced = sources
      .filter(([path]) => !FEATURE_DIRS.some(dir => path.startsWith(dir)))
      .flatMap(([path, text]) => literalKeys(text, featureBlocks).map(key => `${path}: ${key}`))
    expect(misplaced).toEqual([])
  })

  it('finds every literal feature key it is given', () => {
    const known = new Set(leaves(featuresZh))
    expect(sources.length).toBeGreaterThan(100)
    const used = sources.flatMap(([, text]) => literalKeys(text, featureBlocks))
    expect(used.length).toBeGreaterThan(50)
    expect(used.filter(key => !known.has(key) && !key.endsWith('.'))).toEqual([])
  })
})
