import type { CreditConfig } from '@/api/credit'
import { describe, expect, it } from 'vitest'
import { fieldErrors } from '@/api/errors'
import { ApiError } from '@/api/http'
import zh from '@/i18n/locales/features.zh-CN.json'
import en from '@/i18n/locales/features.en.json'
import { causeKey, fixLink, formatFact, groupPercent, ITEMS, reasonKey, reasonKind, round2, validateConfig } from '@/components/credit/credit-logic'

/** backend/credit/rules.py DEFAULT_CONFIG */
function defaults(): CreditConfig {
  return {
    weights: { safety_management: 15, operator_competence: 10, risk_control: 25, device_condition: 20, inspection_results: 15, enforcement: 15 },
    points: {
      no_safety_manager: 15, operators_expired_share: 10, hazards_open: 2, hazards_overdue: 5, major_hazards_open: 10, mutual_check_findings: 1,
      devices_overdue_share: 40, inspection_findings: 3, complaints_substantiated: 4, enforcement_cases: 8, fined_cases: 7, accidents_3y: 15,
    },
    bands: [15, 35, 60],
    deductions: { accident_free: 3, benchmark: 10, intrinsic_safety: 5 },
    accident_d_years: 3,
    fined_d: true,
  }
}

const get = (obj: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj)

describe('credit config validation (mirrors the API)', () => {
  it('accepts the documented defaults', () => {
    expect(validateConfig(defaults())).toEqual({})
  })

  it('refuses weights that do not add up to 100', () => {
    const c = defaults()
    c.weights.risk_control = 30
    expect(validateConfig(c)).toEqual({ weights: 'credit.config.errWeightsSum' })
  })

  it('refuses a missing, negative or empty weight', () => {
    for (const value of [Number.NaN, -5]) {
      const c = defaults()
      c.weights.enforcement = value
      expect(validateConfig(c).weights).toBe('credit.config.errWeights')
    }
    const c = defaults()
    delete c.weights.enforcement
    expect(validateConfig(c).weights).toBe('credit.config.errWeights')
  })

  it('refuses bands that do not rise or pass 100', () => {
    for (const bands of [[35, 15, 60], [0, 35, 60], [15, 35, 101], [15, 35]]) {
      expect(validateConfig({ ...defaults(), bands }).bands).toBe('credit.config.errBands')
    }
  })

  it('refuses points over 100, bad deductions and years outside 0–10', () => {
    const c = defaults()
    c.points.hazards_open = 101
    c.deductions.benchmark = -1
    c.accident_d_years = 11
    expect(Object.keys(validateConfig(c)).sort()).toEqual(['accident_d_years', 'deductions', 'points'])
    expect(validateConfig({ ...defaults(), accident_d_years: 1.5 }).accident_d_years).toBe('credit.config.errYears')
    expect(validateConfig({ ...defaults(), accident_d_years: 0 })).toEqual({})
  })
})

describe('credit labels', () => {
  it('has a Chinese and an English label for every reason, indicator, group, fix and cause', () => {
    const codes = ['d_accident', 'd_fined', 'never_a_young', 'never_a_previous', 'never_a_accident', 'c_bar', 'accident_lock', 'accident_free', 'benchmark', 'intrinsic_safety']
    const keys = [
      ...codes.map(c => reasonKey(c)!),
      ...Object.keys(ITEMS).flatMap(i => [`credit.indicators.${i}`, `credit.fixes.${i}`]),
      ...['cycle', 'accident', 'hazard.verify', 'complaint.substantiated', 'something_new'].map(causeKey),
      ...'ABCD'.split('').map(g => `credit.meaning.${g}`),
    ]
    for (const key of keys) {
      expect(get(zh, key), key).toEqual(expect.any(String))
      expect(get(en, key), key).toEqual(expect.any(String))
    }
  })

  it('falls back to the server label for an unknown reason code', () => {
    expect(reasonKey('new_rule')).toBeNull()
    expect(reasonKey('d_accident')).toBe('credit.reasons.d_accident')
  })

  it('sorts reasons into raised, capped, lowering conditions and lowered', () => {
    expect([reasonKind('d_accident'), reasonKind('never_a_young'), reasonKind('accident_lock'), reasonKind('benchmark'), reasonKind('lowered')])
      .toEqual(['raised', 'capped', 'capped', 'condition', 'lowered'])
  })

  it('names the cause of a hazard event by its family', () => {
    expect(causeKey('hazard.verify')).toBe('credit.causes.hazard')
    expect(causeKey('enforcement_case')).toBe('credit.causes.enforcement_case')
    expect(causeKey('bulk_import')).toBe('credit.causes.other')
  })
})

describe('credit facts and links', () => {
  it('formats flags, per-mille shares and counts', () => {
    expect(formatFact('no_safety_manager', 1)).toEqual({ key: 'credit.factYes', n: '' })
    expect(formatFact('devices_overdue_share', 500)).toEqual({ key: 'credit.factShare', n: '50' })
    expect(formatFact('operators_expired_share', 333)).toEqual({ key: 'credit.factShare', n: '33.3' })
    expect(formatFact('hazards_open', 4)).toEqual({ key: 'credit.factCount', n: '4' })
  })

  it('links hazards to the hazard list and overdue devices to the device list', () => {
    expect(fixLink('hazards_overdue')).toEqual({ name: 'hazards', query: { f: 'overdue' } })
    expect(fixLink('major_hazards_open')).toEqual({ name: 'hazards', query: { f: 'open' } })
    expect(fixLink('devices_overdue_share')).toEqual({ name: 'devices', query: { overdue: '1' } })
    expect(fixLink('accidents_3y')).toBeNull()
    expect(fixLink('inspection_findings', 7)).toEqual({ name: 'hazards', query: { f: 'all', source: 'inspection', enterprise: '7' } })
    expect(fixLink('devices_overdue_share', 7)).toEqual({ name: 'devices', query: { overdue: '1', enterprise: '7' } })
  })

  it('shows points with at most two decimals', () => {
    expect(round2(2.1052631578947367)).toBe(2.11)
    expect(round2(15)).toBe(15)
  })

  it('fills a group bar as a share of its weight, within 0–100', () => {
    expect(groupPercent(12, 25)).toBe(48)
    expect(groupPercent(30, 25)).toBe(100)
    expect(groupPercent(5, 0)).toBe(0)
  })

  it('reads the API 422 field messages', () => {
    const err = new ApiError(422, 'validation_failed', '校验失败', { fields: { weights: ['权重之和须为 100'], bands: ['a', 'b'] } })
    expect(fieldErrors(err)).toEqual({ weights: '权重之和须为 100', bands: 'a；b' })
    expect(fieldErrors(new Error('x'))).toEqual({})
  })
})
