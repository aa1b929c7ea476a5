import { describe, expect, it } from 'vitest'
import { isMonth, monthDue, shiftMonth } from '@/utils/months'
import { filenameFromDisposition } from '@/utils/content-disposition'

describe('months of the monthly report', () => {
  it('is due for the previous month, across a year end', () => {
    expect(monthDue(new Date(2026, 11, 6))).toBe('2026-11')
    expect(monthDue(new Date(2027, 0, 24))).toBe('2026-12')
  })
  it('steps months both ways', () => {
    expect(shiftMonth('2026-01', -1)).toBe('2025-12')
    expect(shiftMonth('2026-12', 1)).toBe('2027-01')
  })
  it('accepts only YYYY-MM', () => {
    expect(isMonth('2026-11')).toBe(true)
    expect(isMonth('2026-13')).toBe(false)
    expect(isMonth(['2026-11'])).toBe(false)
  })
})

describe('file name of a download', () => {
  it('prefers the UTF-8 name over the ASCII fallback', () => {
    const header = `attachment; filename="monthly-2026-11.xlsx"; filename*=UTF-8''${encodeURIComponent('工作小结-城东分局-2026-11.xlsx')}`
    expect(filenameFromDisposition(header, 'x.xlsx')).toBe('工作小结-城东分局-2026-11.xlsx')
  })
  it('falls back to the plain name, then to the given one', () => {
    expect(filenameFromDisposition('inline; filename="a.pdf"', 'x.pdf')).toBe('a.pdf')
    expect(filenameFromDisposition(null, 'x.pdf')).toBe('x.pdf')
  })
})
