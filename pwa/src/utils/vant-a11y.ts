// Vant as screen readers and keyboards need it, for every screen at once: icon-font glyphs stay out of accessible
// names; in popups the close icon and the overlay are named buttons, a popup without a name takes the name of its
// title, it takes focus when it opens (so the next Tab stays in it) and Escape closes the topmost one.
import { i18n } from '@/i18n'

const TITLE =
  '.van-picker__title, .van-popup__title, .van-nav-bar__title, .van-action-sheet__header, h1, h2, h3, legend'

function visible(el: HTMLElement): boolean {
  return el.style.display !== 'none' && el.isConnected
}

function name(el: HTMLElement, label: string): void {
  if (!el.hasAttribute('aria-label')) el.setAttribute('aria-label', label)
}

function label(popup: HTMLElement): void {
  if (popup.hasAttribute('aria-label') || popup.hasAttribute('aria-labelledby')) return
  const title = popup.querySelector<HTMLElement>(TITLE)
  if (title?.textContent?.trim()) {
    title.id ||= `popup-title-${Math.random().toString(36).slice(2, 9)}`
    popup.setAttribute('aria-labelledby', title.id)
  }
}

function tidy(opened: Set<HTMLElement>): void {
  document.querySelectorAll<HTMLElement>('.van-icon:not([role]):not([aria-hidden])').forEach(icon => {
    icon.setAttribute('aria-hidden', 'true')
  })
  const close = i18n.global.t('common.close')
  document
    .querySelectorAll<HTMLElement>('.van-popup__close-icon, .van-overlay[role="button"]')
    .forEach(el => name(el, close))
  document.querySelectorAll<HTMLElement>('.van-popup[role="dialog"]').forEach(popup => {
    label(popup)
    popup.setAttribute('aria-modal', 'true')
    const shown = visible(popup)
    if (shown && !opened.has(popup)) {
      opened.add(popup)
      if (!popup.contains(document.activeElement)) popup.focus({ preventScroll: true })
    } else if (!shown) opened.delete(popup)
  })
}

function topmost(): HTMLElement | undefined {
  const shown = [...document.querySelectorAll<HTMLElement>('.van-popup[role="dialog"]')].filter(visible)
  return shown.sort((a, b) => Number(a.style.zIndex || 0) - Number(b.style.zIndex || 0)).at(-1)
}

function onKeydown(event: KeyboardEvent): void {
  if (event.key !== 'Escape' || event.defaultPrevented) return
  const popup = topmost()
  if (!popup || popup.classList.contains('van-dialog')) return // a dialog handles Escape itself (its cancel button)
  const closeIcon = popup.querySelector<HTMLElement>('.van-popup__close-icon')
  const overlay = popup.previousElementSibling as HTMLElement | null
  const target =
    closeIcon ??
    (overlay?.classList.contains('van-overlay') && overlay.getAttribute('role') === 'button' ? overlay : null)
  if (!target) return
  event.preventDefault()
  target.click()
}

export function installVantA11y(): void {
  const opened = new Set<HTMLElement>()
  let queued = false
  const observer = new MutationObserver(records => {
    const relevant = records.some(r => r.type === 'childList' || (r.target as Element).classList.contains('van-popup'))
    if (queued || !relevant) return
    queued = true
    requestAnimationFrame(() => {
      queued = false
      tidy(opened)
    })
  })
  observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['style'] })
  document.addEventListener('keydown', onKeydown)
}
