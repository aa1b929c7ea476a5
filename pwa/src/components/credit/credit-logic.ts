// Pure helpers of the credit screens: grade colours, reason and cause labels, fact formatting,
// "what to fix" links and the grading-config validation (mirrors backend/credit/rules.py validate_config).
import type { RouteLocationRaw } from 'vue-router'
import type { CreditConfig, Grade } from '@/api/credit'

export const GRADE_COLOURS: Record<Grade, string> = { A: '#007d3a', B: '#0958d9', C: '#b54a00', D: '#cf1322' }

/** The six indicator groups (第五条), in the API's order. */
export const GROUPS = [
  'safety_management',
  'operator_competence',
  'risk_control',
  'device_condition',
  'inspection_results',
  'enforcement',
] as const

type Kind = 'flag' | 'share' | 'count'
/** indicator → (group, kind), as backend/credit/rules.py ITEMS */
export const ITEMS: Record<string, [(typeof GROUPS)[number], Kind]> = {
  no_safety_manager: ['safety_management', 'flag'],
  operators_expired_share: ['operator_competence', 'share'],
  hazards_open: ['risk_control', 'count'],
  hazards_overdue: ['risk_control', 'count'],
  major_hazards_open: ['risk_control', 'count'],
  mutual_check_findings: ['risk_control', 'count'],
  devices_overdue_share: ['device_condition', 'share'],
  inspection_findings: ['inspection_results', 'count'],
  complaints_substantiated: ['inspection_results', 'count'],
  enforcement_cases: ['enforcement', 'count'],
  fined_cases: ['enforcement', 'count'],
  accidents_3y: ['enforcement', 'count'],
}
export const DEDUCTIONS = ['accident_free', 'benchmark', 'intrinsic_safety'] as const

/** raised: a D floor; capped: a rule kept the grade up (never A, no lowering); condition: a lowering
 * condition of 第十三条 that held; lowered: the grade is one level below its band */
export type ReasonKind = 'raised' | 'capped' | 'condition' | 'lowered'
const REASON_KINDS: Record<string, ReasonKind> = {
  d_accident: 'raised',
  d_fined: 'raised',
  never_a_young: 'capped',
  never_a_previous: 'capped',
  never_a_accident: 'capped',
  c_bar: 'capped',
  accident_lock: 'capped',
  accident_free: 'condition',
  benchmark: 'condition',
  intrinsic_safety: 'condition',
  lowered: 'lowered',
}

/** The i18n key of a reason code, or null for a code this build does not know (show the server's label). */
export function reasonKey(code: string): string | null {
  return code in REASON_KINDS ? `credit.reasons.${code}` : null
}

export function reasonKind(code: string): ReasonKind {
  return REASON_KINDS[code] ?? 'capped'
}

/** The i18n key of what caused a grade change (cycle, accident, hazard.verify, complaint.substantiated…). */
export function causeKey(cause: string): string {
  const head = cause.split('.')[0] ?? ''
  const known = ['cycle', 'demo', 'accident', 'enforcement_case', 'recognition', 'hazard', 'complaint']
  return `credit.causes.${known.includes(head) ? head : 'other'}`
}

/** A fact as people read it: flags yes/no, shares in per mille as a percentage, counts as they are. */
export function formatFact(indicator: string, value: number): { key: string; n: string } {
  const kind = ITEMS[indicator]?.[1] ?? 'count'
  if (kind === 'flag') return { key: value ? 'credit.factYes' : 'credit.factNo', n: '' }
  if (kind === 'share') return { key: 'credit.factShare', n: (value / 10).toFixed(1).replace(/\.0$/, '') }
  return { key: 'credit.factCount', n: String(value) }
}

/** Where to go to fix an indicator (credit repair), when the app has a screen for it. */
export function fixLink(indicator: string, enterpriseId?: number): RouteLocationRaw | null {
  // the lists take ?enterprise=: a regulator sees this enterprise's records, not the whole zone's
  const enterprise = enterpriseId === undefined ? {} : { enterprise: String(enterpriseId) }
  switch (indicator) {
    case 'hazards_overdue':
      return { name: 'hazards', query: { f: 'overdue', ...enterprise } }
    case 'hazards_open':
    case 'major_hazards_open':
      return { name: 'hazards', query: { f: 'open', ...enterprise } }
    case 'mutual_check_findings':
      return { name: 'hazards', query: { f: 'all', source: 'mutual_check', ...enterprise } }
    case 'inspection_findings':
      return { name: 'hazards', query: { f: 'all', source: 'inspection', ...enterprise } }
    case 'devices_overdue_share':
      return { name: 'devices', query: { overdue: '1', ...enterprise } }
    default:
      return null
  }
}

/** Points as people read them: at most two decimals (group sums come back as raw floats). */
export function round2(points: number): number {
  return Math.round(points * 100) / 100
}

/** A group's points as a percentage of its weight, for the bar (0–100). */
export function groupPercent(points: number, weight: number): number {
  if (!(weight > 0)) return 0
  return Math.max(0, Math.min(100, Math.round((points / weight) * 100)))
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const nonNegativeMap = (map: Record<string, number>, keys: readonly string[]) =>
  keys.every(k => isNumber(map[k]) && map[k]! >= 0 && map[k]! <= 100) && Object.keys(map).every(k => keys.includes(k))

export type ConfigErrors = Partial<Record<keyof CreditConfig, string>>

/** Field errors (i18n keys) of a grading config, as the API's validation would give them; empty when valid. */
export function validateConfig(c: CreditConfig): ConfigErrors {
  const errors: ConfigErrors = {}
  if (!nonNegativeMap(c.weights, GROUPS)) errors.weights = 'credit.config.errWeights'
  else if (Math.round(GROUPS.reduce((s, g) => s + c.weights[g]!, 0) * 1e6) / 1e6 !== 100)
    errors.weights = 'credit.config.errWeightsSum'
  if (!nonNegativeMap(c.points, Object.keys(ITEMS))) errors.points = 'credit.config.errPoints'
  const [a, b, cc] = c.bands
  if (c.bands.length !== 3 || !c.bands.every(isNumber) || !(a! > 0 && a! < b! && b! < cc! && cc! <= 100))
    errors.bands = 'credit.config.errBands'
  if (!nonNegativeMap(c.deductions, DEDUCTIONS)) errors.deductions = 'credit.config.errDeductions'
  if (!Number.isInteger(c.accident_d_years) || c.accident_d_years < 0 || c.accident_d_years > 10)
    errors.accident_d_years = 'credit.config.errYears'
  if (typeof c.fined_d !== 'boolean') errors.fined_d = 'credit.config.errFined'
  return errors
}
