// Pure helpers of the plan screens: form checks mirroring the server's, the quota table and progress.
import type { Grade, Plan, PlanItem, QuotaKey } from '@/api/plans'
import type { Role } from '@/api/types'

export const GRADES: Grade[] = ['A', 'B', 'C', 'D']
export const MAX_SEED = 2 ** 31 - 1

export interface DrawForm {
  zone_id: number | null
  period_start: string
  period_end: string
  size: string
  per_item: string
  seed: string
}

/** Field → i18n key of the problem ('' = fine). */
export type DrawErrors = Record<'zone_id' | 'period_start' | 'period_end' | 'size' | 'per_item' | 'seed', string>

function intIn(raw: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(raw.trim())) return null
  const n = Number(raw.trim())
  return n >= min && n <= max ? n : null
}

/** The draw form's checks (same bounds as the server's PlanCreateSchema); an empty seed means "draw one". */
export function validateDraw(form: DrawForm, needsZone: boolean): DrawErrors {
  return {
    zone_id: needsZone && form.zone_id === null ? 'plan.zoneRequired' : '',
    period_start: form.period_start ? '' : 'plan.startRequired',
    period_end: !form.period_end
      ? 'plan.endRequired'
      : form.period_start && form.period_end < form.period_start
        ? 'plan.endBeforeStart'
        : '',
    size: intIn(form.size, 1, 5000) === null ? 'plan.sizeInvalid' : '',
    per_item: intIn(form.per_item, 1, 5) === null ? 'plan.perItemInvalid' : '',
    seed: form.seed.trim() && intIn(form.seed, 0, MAX_SEED) === null ? 'plan.seedInvalid' : '',
  }
}

export function hasErrors(errors: Record<string, string>): boolean {
  return Object.values(errors).some(Boolean)
}

export interface QuotaRow {
  key: QuotaKey
  /** what the plan holds for this rule */
  count: number
  /** the bound of the rule (size: the plan's size) */
  bound: number
  ok: boolean
}

/**
 * The quota table of a drawn plan: A ≤ 5 % (key objects aside), B ≥ 10 %, C ≥ 50 % and the total, all of the
 * plan total (计划总数), which is above the asked size when the mandatory objects need it.
 * `ok` is the server's verdict; counts come from the items.
 */
export function quotaRows(plan: Pick<Plan, 'quota_total' | 'limits' | 'quota' | 'items'>): QuotaRow[] {
  const count = (g: Grade, drawnOnly = false) =>
    plan.items.filter(i => i.grade === g && !(drawnOnly && i.key_reasons.length)).length
  return [
    { key: 'A_max', count: count('A', true), bound: plan.limits.A_max, ok: plan.quota.A_max },
    { key: 'B_min', count: count('B'), bound: plan.limits.B_min, ok: plan.quota.B_min },
    { key: 'C_min', count: count('C'), bound: plan.limits.C_min, ok: plan.quota.C_min },
    { key: 'size', count: plan.items.length, bound: plan.quota_total, ok: plan.quota.size },
  ]
}

/** Whole percent executed, 0 for an empty plan. */
export function progressPercent(executed: number, total: number): number {
  return total > 0 ? Math.round((executed / total) * 100) : 0
}

/** The broken quotas of a 422 plan_impossible, in a stable order (grades, size, inspectors). */
export function impossibleReasons(details: Record<string, unknown> | undefined): string[] {
  const quotas = (details?.quotas ?? {}) as Record<string, unknown>
  const order = ['A', 'B', 'C', 'D', 'size', 'inspectors']
  return Object.keys(quotas)
    .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
    .map(k => String(quotas[k]))
}

/** May this user record the item's result? Its drawn inspectors or the bureau, while pending. */
export function canRecord(item: PlanItem, user: { id: number | string; role: Role } | null): boolean {
  if (!user || item.status !== 'pending') return false
  return user.role === 'bureau_admin' || (user.role === 'inspector' && item.inspector_ids.includes(Number(user.id)))
}

export interface ResultForm {
  status: 'done' | 'not_found'
  done_on: string
  findings: string
  result: string
}

/** The result form's checks: the day lies between the plan's start and today, findings 0–999. */
export function validateResult(
  form: ResultForm,
  periodStart: string,
  today: string,
): Record<'done_on' | 'findings', string> {
  return {
    done_on: !form.done_on
      ? 'plan.doneOnRequired'
      : form.done_on > today || form.done_on < periodStart
        ? 'plan.doneOnRange'
        : '',
    findings: form.status === 'done' && intIn(form.findings, 0, 999) === null ? 'plan.findingsInvalid' : '',
  }
}

/** Inclusive size ranges as people write them: [[2, 4], [7, 7]] → '2–4、7'. */
export function sizeRanges(ranges: [number, number][], separator = '、'): string {
  return ranges.map(([from, to]) => (from === to ? String(from) : `${from}–${to}`)).join(separator)
}

/** The exact size nearest the asked one (to offer as a one-tap fix), or null when none exists. */
export function nearestExactSize(ranges: [number, number][], asked: number): number | null {
  let best: number | null = null
  for (const [from, to] of ranges) {
    const candidate = Math.min(Math.max(asked, from), to)
    if (best === null || Math.abs(candidate - asked) < Math.abs(best - asked)) best = candidate
  }
  return best
}
