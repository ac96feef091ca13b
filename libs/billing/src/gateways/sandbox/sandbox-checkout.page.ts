import { escapeHtml, inlineStylePages } from '@atrium/platform';
import { currencyExponent } from '../../pricing/money.js';
import { SANDBOX_TEST_CARDS } from './sandbox-cards.js';
import type { CheckoutView } from './sandbox-checkout.service.js';
import type { SandboxCharge } from './sandbox-event.js';

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:26rem;margin:3rem auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 4px #0002}
.badge{display:inline-block;background:#fde68a;border-radius:4px;padding:0 .5rem;font-size:.8rem;font-weight:600}
.amount{font-size:2rem;font-weight:700;margin:.5rem 0 0}
label{display:block;margin:1.5rem 0 .25rem;font-weight:600}
input{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:1px solid #9aa3b2;border-radius:4px}
.actions{display:flex;gap:.75rem;margin-top:1rem}
button{font:inherit;padding:.5rem 1.25rem;border-radius:4px;border:1px solid #4338ca;cursor:pointer}
.pay{background:#4338ca;color:#fff}.cancel{background:#fff;color:#4338ca}
.error{color:#b91c1c;font-weight:600}.ok{color:#15803d}.failed{color:#b91c1c}
.cards{font-size:.9rem;color:#4b5363}code{font-size:.95rem}
`;

const PAGES = inlineStylePages('Atrium sandbox', STYLE);

/**
 * The pages' policy: nothing loads but the one stylesheet above (by its hash), forms post only to this origin,
 * nothing frames the page, no script runs.
 */
export const CHECKOUT_PAGE_CSP = PAGES.csp;

/**
 * The amount as the currency writes it (`$19.99`, `¥1,500`, `KWD 1.250`), from minor units without floats. The
 * scale is ISO 4217's (the pricing module's), which is how amounts are stored; Intl only lays the digits out.
 */
export function formatAmount(amountMinor: number, currency: string): string {
  const digits = currencyExponent(currency);
  const format = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  const text = String(amountMinor).padStart(digits + 1, '0');
  const decimal = digits ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  // A decimal string is formatted exactly (Intl.NumberFormat v3), never through a binary float.
  return format.format(decimal as Intl.StringNumericLiteral);
}

/** Every checkout page says, above all else, that no real money moves. */
const layout = (title: string, body: string): string =>
  PAGES.render(title, `<span class="badge">Sandbox · test mode, no real money</span>\n${body}`);

const summary = (charge: SandboxCharge) =>
  `<p class="amount">${escapeHtml(formatAmount(charge.amountMinor, charge.currency))}</p>
<p id="description">${escapeHtml(charge.description)}</p>`;

function formPage(charge: SandboxCharge, error?: string): string {
  const cards = SANDBOX_TEST_CARDS.map((c) => `<li><code>${escapeHtml(c.number)}</code> ${escapeHtml(c.outcome)}</li>`).join('\n');
  return layout(
    'Pay',
    `<h1>Pay</h1>
${summary(charge)}
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post">
<label for="card_number">Card number</label>
<input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" maxlength="23" required placeholder="4242 4242 4242 4242">
<div class="actions">
<button class="pay" type="submit" name="action" value="pay">Pay</button>
<button class="cancel" type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</div>
</form>
<div class="cards"><p>Test cards (any other number is refused):</p><ul>
${cards}
</ul></div>`,
  );
}

function resultPage(charge: SandboxCharge): string {
  const [title, line] =
    charge.status === 'succeeded'
      ? ['Payment succeeded', '<p class="ok" id="outcome">Payment succeeded. Thank you.</p>']
      : charge.status === 'cancelled'
        ? ['Payment cancelled', '<p id="outcome">Payment cancelled. Nothing was charged.</p>']
        : [
            'Payment failed',
            `<p class="failed" id="outcome">Payment failed: ${escapeHtml(charge.failureMessage ?? 'the card was declined.')}</p>`,
          ];
  const back = charge.returnUrl ? `<p><a href="${escapeHtml(charge.returnUrl)}">Return to the site</a></p>` : '';
  return layout(title, `<h1>${title}</h1>\n${summary(charge)}\n${line}\n${back}`);
}

const notFoundPage = () =>
  layout('Not found', '<h1>Checkout not found</h1>\n<p>This checkout link is not valid, or the payment was already completed.</p>');

/** The status and HTML of a checkout view. */
export function renderCheckout(view: CheckoutView): { status: number; html: string } {
  switch (view.kind) {
    case 'not_found':
      return { status: 404, html: notFoundPage() };
    case 'form':
      return { status: view.error ? 422 : 200, html: formPage(view.charge, view.error) };
    case 'result':
      return { status: 200, html: resultPage(view.charge) };
  }
}
