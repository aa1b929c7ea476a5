// Months as 'YYYY-MM' (the monthly report's period); local (China) calendar days.

const pad = (n: number) => String(n).padStart(2, '0')

export function monthOf(day: Date): string {
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}`
}

/** The month `delta` months from `month` ('2026-01', -1 → '2025-12'). */
export function shiftMonth(month: string, delta: number): string {
  const [year, number] = month.split('-').map(Number)
  return monthOf(new Date(year!, number! - 1 + delta, 1))
}

/** The month whose report (工作小结) is due: the previous one, due at the bureau before the 25th (seed 001). */
export function monthDue(today: Date): string {
  return shiftMonth(monthOf(today), -1)
}

export function isMonth(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(value)
}
