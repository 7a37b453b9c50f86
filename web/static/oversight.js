// The only script of our own: start GOV.UK and MOJ components, and send the CSRF token with htmx.
import { initAll as initGovuk } from '/static/govuk/govuk-frontend.min.js'
import { initAll as initMoj } from '/static/moj/moj-frontend.min.js'

document.body.classList.add('govuk-frontend-supported', 'js-enabled')
initGovuk()
initMoj()

const csrf = document.querySelector('meta[name="csrf-token"]')
document.body.addEventListener('htmx:configRequest', (event) => {
  if (csrf) event.detail.headers['X-CSRF-Token'] = csrf.content
})
document.body.addEventListener('htmx:afterSettle', (event) => {
  initGovuk({ scope: event.detail.elt })
  initMoj({ scope: event.detail.elt })
})

/* Plan delivery: the rating form reveals next steps and the expected date under Amber and
   under Red. GOV.UK's radios reveal one block per radio; here two radios share one block
   (its markup is GOV.UK's), so this keeps it in step. Without JavaScript it stays shown.
   No aria-expanded: a radio does not support it (axe-core's aria-allowed-attr). */
function syncSharedReveals () {
  const shown = new Map()
  document.querySelectorAll('input[data-oversight-reveals]').forEach((input) => {
    const id = input.dataset.oversightReveals
    input.setAttribute('aria-controls', id)
    shown.set(id, shown.get(id) === true || input.checked)
  })
  shown.forEach((isShown, id) => {
    document.getElementById(id)?.classList.toggle('govuk-radios__conditional--hidden', !isShown)
  })
}
syncSharedReveals()
document.body.addEventListener('change', (event) => {
  if (event.target instanceof HTMLInputElement && event.target.type === 'radio') syncSharedReveals()
})
document.body.addEventListener('htmx:afterSettle', syncSharedReveals)
window.addEventListener('pageshow', syncSharedReveals)

/* Actions list: the MOJ filter's own "Show filters" / "Hide filters" button, put in the page's
   .oversight-filter-toggle. Below the tablet breakpoint the filter starts hidden; without
   JavaScript there is no button and the filter simply sits above the results. */
import { createAll } from '/static/govuk/govuk-frontend.min.js'
import { FilterToggleButton } from '/static/moj/moj-frontend.min.js'

createAll(FilterToggleButton, {
  startHidden: false, // hidden below the breakpoint all the same; shown on wider screens
  toggleButton: { showText: 'Show filters', hideText: 'Hide filters', classes: 'govuk-button--secondary' },
  toggleButtonContainer: { selector: '.oversight-filter-toggle' }
})

/* Admin: copy a secret shown once (a new API token, a password reset link). The button
   stays hidden without a clipboard; the live region beside it says what happened. */
for (const button of document.querySelectorAll('[data-copy-target]')) {
  const source = document.getElementById(button.dataset.copyTarget)
  const status = document.querySelector(`[data-copy-status-for="${button.dataset.copyTarget}"]`)
  if (!source || !navigator.clipboard) continue
  button.hidden = false
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(source.textContent.trim())
      if (status) status.textContent = 'Copied'
    } catch {
      if (status) status.textContent = 'Could not copy: select the text and copy it yourself'
    }
  })
}
