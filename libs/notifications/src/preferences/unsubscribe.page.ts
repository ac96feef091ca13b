import { escapeHtml, inlineStylePages } from '@atrium/platform';

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:28rem;margin:3rem auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 4px #0002}
button{font:inherit;padding:.5rem 1.25rem;border-radius:4px;border:1px solid #4338ca;background:#4338ca;color:#fff;cursor:pointer}
.note{color:#4b5363;font-size:.9rem}
`;

const PAGES = inlineStylePages('Atrium', STYLE);

/** The pages' policy: nothing loads but the stylesheet above (by its hash), the form posts only here, no script runs. */
export const UNSUBSCRIBE_PAGE_CSP = PAGES.csp;

/**
 * Asks before turning the emails off: mail scanners open every link, so the GET only shows this page and its button
 * posts the RFC 8058 body to the same link.
 */
export function confirmPage(action: string, description: string, organization: string): string {
  return PAGES.render(
    'Unsubscribe',
    `<h1>Unsubscribe</h1>
<p id="question">Stop emails about “${escapeHtml(description)}” from ${escapeHtml(organization)}?</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>
<p class="note">You will still see these notifications in the app. You can turn the emails back on in your notification settings.</p>`,
  );
}

/** The outcome of a post from the page (or a link that is not valid), for people; mail clients get JSON. */
export function outcomePage(title: string, message: string): string {
  return PAGES.render(title, `<h1>${escapeHtml(title)}</h1>\n<p id="outcome">${escapeHtml(message)}</p>`);
}
