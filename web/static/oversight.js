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
