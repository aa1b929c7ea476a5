import { afterEach, describe, expect, it, vi } from 'vitest'
import { shownNoticeStatus } from '@/components/notices/notice-labels'
import { chinaTodayIso } from '@/utils/format'

describe('a notice on the phone, as the date moves on', () => {
  it('is overdue once its deadline has passed unanswered, issued or signed', () => {
    expect(shownNoticeStatus({ status: 'issued', deadline: '2026-12-06' }, '2026-12-07')).toBe('overdue')
    expect(shownNoticeStatus({ status: 'acknowledged', deadline: '2026-12-06' }, '2026-12-07')).toBe('overdue')
  })

  it('is not overdue on its deadline day', () => {
    expect(shownNoticeStatus({ status: 'issued', deadline: '2026-12-07' }, '2026-12-07')).toBe('issued')
  })

  it('stays answered once replied or closed', () => {
    expect(shownNoticeStatus({ status: 'replied', deadline: '2026-12-01' }, '2026-12-07')).toBe('replied')
    expect(shownNoticeStatus({ status: 'closed', deadline: '2026-12-01' }, '2026-12-07')).toBe('closed')
  })
})

describe('today, as the server counts days', () => {
  afterEach(() => vi.useRealTimers())

  it('is the day in China, not in the phone’s own time zone', () => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2026-12-06T17:30:00Z')) // 01:30 on the 7th in China
    expect(chinaTodayIso()).toBe('2026-12-07')
  })
})
